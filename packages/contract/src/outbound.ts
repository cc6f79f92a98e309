// Request and response schemas of the outbound module; owned by that module's engineer.
export {};
