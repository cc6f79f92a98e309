// Request and response schemas of the rag module; owned by that module's engineer.
export {};
