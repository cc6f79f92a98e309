/** Exit codes: 0 ok, 1 error, 2 usage, 3 authentication (no, bad, revoked or too weak a token). */
export const EXIT = { ok: 0, error: 1, usage: 2, auth: 3 } as const;

/** An error the CLI reports as one line on stderr, exiting with its code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.error,
  ) {
    super(message);
  }
}

export const usage = (message: string) => new CliError(message, EXIT.usage);
