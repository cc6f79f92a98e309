// Request and response schemas of the auth module; owned by that module's engineer.
export {};
