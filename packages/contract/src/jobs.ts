// Request and response schemas of the jobs module; owned by that module's engineer.
export {};
