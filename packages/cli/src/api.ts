import { CliError, EXIT } from './errors.js';
import type { StoredConfig } from './config.js';

/**
 * The one HTTP client of the CLI: the stored URL and token, the project header, and the API's
 * error envelope turned into a one-line error with the right exit code. Response types come from
 * the contract package (packages/contract), the same schemas the server validates with.
 */
export class Api {
  constructor(
    readonly config: StoredConfig,
    readonly project?: string,
  ) {}

  url(pathAndQuery: string): string {
    return new URL(
      pathAndQuery.replace(/^\//, ''),
      this.config.url.replace(/\/?$/, '/'),
    ).toString();
  }

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return {
      authorization: `Bearer ${this.config.token}`,
      ...(this.project ? { 'x-cairn-project': this.project } : {}),
      ...extra,
    };
  }

  async raw(method: string, pathAndQuery: string, body?: unknown, accept?: string) {
    let res: Response;
    try {
      res = await fetch(this.url(pathAndQuery), {
        method,
        headers: this.headers({
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(accept ? { accept } : {}),
        }),
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new CliError(
        `cannot reach ${this.config.url}: ${(error as Error).cause ?? (error as Error).message}`,
      );
    }
    if (!res.ok) throw await failure(res);
    return res;
  }

  async json<T>(method: string, pathAndQuery: string, body?: unknown): Promise<T> {
    const res = await this.raw(method, pathAndQuery, body);
    return (await res.json()) as T;
  }
}

async function failure(res: Response): Promise<CliError> {
  let message = `${res.status} ${res.statusText}`;
  try {
    const body = (await res.json()) as { error?: string; message?: string };
    if (body.message) message = `${body.error ?? res.status}: ${body.message}`;
  } catch {
    // not the envelope: keep the status line
  }
  const auth = res.status === 401 || res.status === 403;
  return new CliError(message, auth ? EXIT.auth : EXIT.error);
}
