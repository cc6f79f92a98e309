// Request and response schemas of the projects module; owned by that module's engineer.
export {};
