// Request and response schemas of the chatwoot module; owned by that module's engineer.
export {};
