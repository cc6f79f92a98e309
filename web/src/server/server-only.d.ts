// Next resolves `server-only` itself; this declaration only satisfies the type checker.
declare module 'server-only';
