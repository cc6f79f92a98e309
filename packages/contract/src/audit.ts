// Request and response schemas of the audit module; owned by that module's engineer.
export {};
