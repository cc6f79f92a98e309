// Request and response schemas of the sources module; owned by that module's engineer.
export {};
