import { Agent, buildConnector, fetch as undiciFetch, type Dispatcher } from 'undici';
import {
  allowedAddresses,
  HostBlockedError,
  parseHostAllowlist,
  systemResolver,
  type HostPolicy,
  type HostResolver,
} from './host-policy.js';

/**
 * The one way Cairn talks to a host a user named (a Chatwoot `base_url` today; Linear, Attio and
 * webhook targets later). Operator-configured endpoints (OPENAI_BASE_URL, SMTP_URL) do not go
 * through it: the operator chose those hosts, and a local model server on loopback is legitimate.
 *
 * - The address check runs inside undici's connect step: the host is resolved here, every
 *   address judged (host-policy.ts), and the socket opened to the very address that passed. There
 *   is no window between checking a name and connecting to it (DNS rebinding), and an IP literal
 *   in any spelling has already been normalised by the WHATWG URL parser before it gets here.
 * - Redirects are never followed: a credential sent to the named host must not travel on to
 *   wherever that host points. A 3xx comes back to the caller as it is.
 * - A response is capped in size (on the wire by the dispatcher, and decoded by `fetch`) and a
 *   request in total time, so a hostile host can neither fill memory nor hold a worker.
 *
 * Both the dispatcher (for clients built on undici or on the global `fetch`: `@linear/sdk` spreads
 * its options into `fetch`'s, so the dispatcher goes in as `dispatcher`) and a fetch-compatible
 * function are exported; they share the one policy.
 */

export interface GuardedHttpOptions {
  /** From SOURCE_HOST_ALLOWLIST (a string as in the environment, or already parsed). */
  allowlist?: string | HostPolicy['allowlist'];
  /** Injected by tests; the system resolver otherwise. */
  resolve?: HostResolver;
  /** Largest response body accepted, in bytes. */
  maxResponseBytes?: number;
  /** Longest a whole request (connect, headers and body) may take, in ms. */
  totalTimeoutMs?: number;
  /** Longest a TCP/TLS connect may take, in ms. */
  connectTimeoutMs?: number;
}

export type GuardedFetch = (
  input: string | URL,
  init?: Omit<RequestInit, 'redirect' | 'dispatcher'>,
) => Promise<Response>;

export interface GuardedHttp {
  dispatcher: Dispatcher;
  fetch: GuardedFetch;
  /** The policy, for checks made before any request (a URL given at bind time). */
  policy: HostPolicy;
  close(): Promise<void>;
}

// 64 MiB: a Chatwoot page of 1,000 messages is a few MB; nothing we read legitimately nears this.
const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
// Two minutes for a whole request: the slowest legitimate page read; callers set shorter ones.
const DEFAULT_TOTAL_TIMEOUT_MS = 120_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** A guarded dispatcher and fetch. Close it when done (it holds keep-alive sockets). */
export function createGuardedHttp(options: GuardedHttpOptions = {}): GuardedHttp {
  const policy: HostPolicy = {
    allowlist:
      typeof options.allowlist === 'string' || options.allowlist === undefined
        ? parseHostAllowlist(options.allowlist)
        : options.allowlist,
    resolve: options.resolve ?? systemResolver,
  };
  const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const totalTimeoutMs = options.totalTimeoutMs ?? DEFAULT_TOTAL_TIMEOUT_MS;
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const connect = buildConnector({ timeout: connectTimeoutMs });

  const dispatcher = new Agent({
    maxResponseSize: maxBytes,
    connect(connectOptions, callback) {
      allowedAddresses(connectOptions.hostname, policy).then(
        (addresses) =>
          // The name stays in `host` (and so in TLS SNI and certificate checks); only the
          // socket's target is pinned to the address that was checked.
          connect({ ...connectOptions, hostname: addresses[0]! }, callback),
        (error: unknown) => callback(error as Error, null),
      );
    },
  });

  const guardedFetch: GuardedFetch = async (input, init = {}) => {
    const deadline = AbortSignal.timeout(totalTimeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, deadline]) : deadline;
    const response = await undiciFetch(input, {
      ...(init as Parameters<typeof undiciFetch>[1]),
      signal,
      redirect: 'manual',
      dispatcher,
    });
    return capBody(response as unknown as Response, maxBytes);
  };

  return { dispatcher, fetch: guardedFetch, policy, close: () => dispatcher.close() };
}

/** The response with a body that errors once more than `maxBytes` decoded bytes arrive. */
function capBody(response: Response, maxBytes: number): Response {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    void response.body?.cancel();
    throw new ResponseTooLargeError(maxBytes);
  }
  if (!response.body) return response;
  let seen = 0;
  const limited = response.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen > maxBytes) controller.error(new ResponseTooLargeError(maxBytes));
        else controller.enqueue(chunk);
      },
    }),
  );
  return new Response(limited, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

export class ResponseTooLargeError extends Error {
  readonly code = 'ERR_RESPONSE_TOO_LARGE';
  constructor(maxBytes: number) {
    super(`the response exceeded ${Math.round(maxBytes / 1024 / 1024)} MiB`);
    this.name = 'ResponseTooLargeError';
  }
}

/** The HostBlockedError behind a failed request (fetch wraps connect errors in `cause`), if any. */
export function blockedCause(error: unknown): HostBlockedError | null {
  for (let e = error; e; e = (e as { cause?: unknown }).cause) {
    if (e instanceof HostBlockedError) return e;
    if (e === (e as { cause?: unknown }).cause) break;
  }
  return null;
}
