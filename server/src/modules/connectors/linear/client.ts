import { setTimeout as sleep } from 'node:timers/promises';
import {
  LinearError,
  LinearErrorType,
  LinearGraphQLClient,
  RatelimitedLinearError,
} from '@linear/sdk';
import type { Dispatcher } from 'undici';
import type { z } from 'zod';
import { blockedCause, type GuardedHttp } from '../../../lib/net/guarded-http.js';
import {
  ENTITY_DOCUMENTS,
  ENTITY_PAGE_SIZE,
  ID_PAGE_SIZE,
  idsDocument,
  ORGANIZATION,
  type LinearEntityFilters,
  type LinearEntityKind,
} from './documents.js';
import {
  connectionData,
  linearComment,
  linearCustomer,
  linearIdNode,
  linearIssue,
  linearOrganization,
  linearProject,
  linearUser,
  type LinearComment,
  type LinearCustomer,
  type LinearIssue,
  type LinearOrganization,
  type LinearProject,
  type LinearUser,
} from './payloads.js';

/**
 * Linear's GraphQL API through the official `@linear/sdk` (facts:
 * shared/reference/linear/API-NOTES.md, mirrored by tools/linear-sim). The documents are ours
 * (documents.ts) and go through the SDK's `LinearGraphQLClient.rawRequest`, which answers data
 * and headers (complexity and rate-limit headers are read from every answer) and turns failures
 * into the SDK's typed errors (`parseLinearError`), which classify them below.
 *
 * The endpoint is user input, so every request goes through the guarded agent
 * (lib/net/guarded-http.ts). `rawRequest` calls the global `fetch` with the client's options
 * spread into its RequestInit, after method, headers and body; Node's fetch takes a `dispatcher`
 * there. So the guard's dispatcher rides in the options: its connect step runs the address
 * filter (SSRF, DNS pinning) and refuses hosts outside SOURCE_HOST_ALLOWLIST, it caps the
 * response on the wire, and redirects are not followed (`redirect: 'manual'`). Two things the
 * guard's own fetch adds are added here: a deadline per attempt (an AbortSignal in the options,
 * which aborts the body read too), and a cap on the decoded body, which Node's fetch would
 * otherwise inflate without limit: we ask for `accept-encoding: identity` and the dispatcher
 * refuses an encoded answer, so the wire cap is the body cap.
 *
 * Failure handling (API-NOTES §1, §4):
 * - `RATELIMITED` arrives with HTTP 400 or 429 (`extensions.type` "ratelimited", which the SDK
 *   makes a `RatelimitedLinearError`; `extensions.code` and a bare 429 count too): wait until the
 *   reset header (or `Retry-After`), capped and jittered, and try again, a bounded number of times.
 * - 5xx, network errors, timeouts, truncated or non-JSON bodies, and pages that do not match the
 *   asked shape are retried with backoff; after the last attempt the error names what was wrong.
 * - Authentication, validation and input errors are final at once.
 */

export type LinearErrorKind =
  | 'auth'
  | 'graphql'
  | 'ratelimited'
  | 'http'
  | 'network'
  | 'timeout'
  | 'invalid_response'
  | 'aborted'
  | 'blocked';

export class LinearApiError extends Error {
  constructor(
    readonly operation: string,
    readonly status: number | null,
    readonly attempts: number,
    readonly kind: LinearErrorKind,
    detail: string,
  ) {
    super(
      `Linear ${operation} failed after ${attempts} attempt${attempts === 1 ? '' : 's'}` +
        `${status === null ? '' : ` (HTTP ${status})`}: ${detail}`,
    );
    this.name = 'LinearApiError';
  }
}

/** What the rate-limit headers of the last answer said (resets in epoch ms). */
export interface LinearRateLimit {
  requestsLimit: number | null;
  requestsRemaining: number | null;
  requestsReset: number | null;
  complexity: number | null;
  complexityLimit: number | null;
  complexityRemaining: number | null;
  complexityReset: number | null;
}

export interface LinearClientOptions {
  /** The guarded agent (lib/net/guarded-http.ts); its dispatcher carries every request. */
  http: Pick<GuardedHttp, 'dispatcher'>;
  /** The GraphQL endpoint, e.g. https://api.linear.app/graphql. */
  url: string;
  /** A personal API key (sent bare) or `Bearer <OAuth token>`. */
  apiKey: string;
  timeoutMs: number;
  maxRetries: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Longest single wait for a rate-limit reset. */
  rateLimitWaitMaxMs?: number;
  signal?: AbortSignal;
  now?: () => number;
  onRetry?: (info: {
    operation: string;
    attempt: number;
    kind: LinearErrorKind;
    delayMs: number;
  }) => void;
}

export interface Page<T> {
  nodes: T[];
  hasNextPage: boolean;
  endCursor: string | null;
}

export interface ListParams {
  after?: string | null;
  /** Only entities with `updatedAt` strictly after this ISO time. */
  updatedAfter?: string | null;
  /** A further filter of the kind's `*Filter` input (a binding's team/project scope). */
  filter?: LinearEntityFilters[LinearEntityKind] | null;
  first?: number;
}

export interface LinearEntities {
  issues: LinearIssue;
  comments: LinearComment;
  projects: LinearProject;
  customers: LinearCustomer;
  users: LinearUser;
}

const NODE_SCHEMAS = {
  issues: linearIssue,
  comments: linearComment,
  projects: linearProject,
  customers: linearCustomer,
  users: linearUser,
} satisfies Record<LinearEntityKind, z.ZodType>;

const DEFAULT_RETRY_BASE_MS = 500;
const DEFAULT_RETRY_MAX_MS = 30_000;
// Resets name when the bucket is full again (up to an hour); a leaky bucket refills enough for
// one more query long before, so a single wait is capped and the retry re-reads the headers.
const DEFAULT_RATE_LIMIT_WAIT_MAX_MS = 60_000;
// The SDK's error types that no retry can mend: the key, the rights, or the document is wrong.
const FINAL_TYPES = new Set<LinearErrorType>([
  LinearErrorType.AuthenticationError,
  LinearErrorType.Forbidden,
  LinearErrorType.InvalidInput,
  LinearErrorType.GraphqlError,
  LinearErrorType.UserError,
  LinearErrorType.FeatureNotAccessible,
  LinearErrorType.UsageLimitExceeded,
]);
const UNREACHABLE =
  'no usable HTTP response (the connection was refused, reset, or not answered in time)';

type Outcome = { status: number | null; kind: LinearErrorKind; detail: string };

export class LinearClient {
  /** Headers of the last answer; null before the first. */
  rateLimit: LinearRateLimit | null = null;
  /** Requests sent (retries included) and complexity points reported by the server. */
  readonly usage = { requests: 0, complexity: 0, rateLimited: 0 };

  private readonly dispatcher: Dispatcher;

  constructor(private readonly options: LinearClientOptions) {
    this.dispatcher = options.http.dispatcher.compose(refuseEncodedBodies);
  }

  /** `organization` and `viewer`: proves the key works and names the workspace it binds to. */
  organization(): Promise<LinearOrganization> {
    return this.request('organization', ORGANIZATION, {}, linearOrganization);
  }

  /** One page of `kind`, oldest `updatedAt` first, archived included. */
  async list<K extends LinearEntityKind>(
    kind: K,
    params: ListParams = {},
  ): Promise<Page<LinearEntities[K]>> {
    const schema = connectionData(kind, NODE_SCHEMAS[kind]);
    const data = await this.request(
      kind,
      ENTITY_DOCUMENTS[kind],
      variables(params, ENTITY_PAGE_SIZE),
      schema,
    );
    return toPage(data[kind] as ConnectionValue<LinearEntities[K]>);
  }

  /** One page of ids only (archived included), for finding hard deletes. */
  async listIds(kind: LinearEntityKind, params: ListParams = {}): Promise<Page<{ id: string }>> {
    const data = await this.request(
      `${kind} ids`,
      idsDocument(kind),
      variables(params, ID_PAGE_SIZE),
      connectionData(kind, linearIdNode),
    );
    return toPage(data[kind] as ConnectionValue<{ id: string }>);
  }

  /** POST one document; retries as described above; `read` checks the `data` shape. */
  async request<S extends z.ZodType>(
    operation: string,
    query: string,
    vars: Record<string, unknown>,
    read: S,
  ): Promise<z.infer<S>> {
    const maxAttempts = this.options.maxRetries + 1;
    let last: Outcome = { status: null, kind: 'network', detail: 'not attempted' };
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      this.throwIfAborted(operation, attempt - 1);
      let waitMs: number | null = null;
      try {
        this.usage.requests++;
        const response = await this.graphql().rawRequest<unknown, Record<string, unknown>>(
          query,
          vars,
        );
        if (response.headers) this.readRateLimit(response.headers);
        const parsed = read.safeParse(response.data);
        if (parsed.success) return parsed.data as z.infer<S>;
        const issue = parsed.error.issues[0];
        last = {
          status: response.status ?? null,
          kind: 'invalid_response',
          detail:
            `the response does not match the ${operation} page: ${issue?.path.join('.') || '(root)'} ${issue?.message ?? ''}`.trim(),
        };
      } catch (error) {
        if (error instanceof LinearError) {
          const headers = error.raw?.response?.headers;
          if (headers) this.readRateLimit(headers);
          const outcome = classify(error);
          if (outcome.kind === 'ratelimited') {
            this.usage.rateLimited++;
            const retryAfter =
              error instanceof RatelimitedLinearError
                ? error.retryAfter
                : numberOrUndefined(headers?.get('retry-after'));
            waitMs = this.rateLimitWait(retryAfter);
          } else if (outcome.final) {
            throw new LinearApiError(
              operation,
              outcome.status,
              attempt,
              outcome.kind,
              outcome.detail,
            );
          }
          last = outcome;
        } else {
          this.throwIfAborted(operation, attempt);
          const blocked = blockedCause(error);
          if (blocked)
            throw new LinearApiError(operation, null, attempt, 'blocked', blocked.message);
          const failure = transportFailure(error);
          if (failure.final)
            throw new LinearApiError(operation, null, attempt, failure.kind, failure.detail);
          last = failure;
        }
      }
      if (attempt === maxAttempts) break;
      const delayMs = waitMs ?? this.backoff(attempt);
      this.options.onRetry?.({ operation, attempt, kind: last.kind, delayMs });
      await sleep(delayMs, undefined, { signal: this.options.signal }).catch(() => undefined);
    }
    throw new LinearApiError(operation, last.status, maxAttempts, last.kind, last.detail);
  }

  /**
   * The SDK's client for one attempt: its options become fetch's RequestInit, so the guarded
   * dispatcher, the attempt's deadline and `redirect: 'manual'` travel with the request.
   */
  private graphql(): LinearGraphQLClient {
    const init: Omit<RequestInit, 'dispatcher'> & { dispatcher: Dispatcher } = {
      headers: {
        authorization: this.options.apiKey,
        accept: 'application/json',
        'accept-encoding': 'identity',
      },
      redirect: 'manual',
      signal: this.attemptSignal(),
      dispatcher: this.dispatcher,
    };
    // Node's RequestInit types `dispatcher` with the undici bundled in Node (undici-types); the
    // guard's is the npm undici's: one interface, two declarations.
    return new LinearGraphQLClient(this.options.url, init as unknown as RequestInit);
  }

  private readRateLimit(headers: Headers) {
    const num = (name: string) => {
      const value = headers.get(name);
      const n = value === null ? NaN : Number(value);
      return Number.isFinite(n) ? n : null;
    };
    const info: LinearRateLimit = {
      requestsLimit: num('x-ratelimit-requests-limit'),
      requestsRemaining: num('x-ratelimit-requests-remaining'),
      requestsReset: num('x-ratelimit-requests-reset'),
      complexity: num('x-complexity'),
      complexityLimit: num('x-ratelimit-complexity-limit'),
      complexityRemaining: num('x-ratelimit-complexity-remaining'),
      complexityReset: num('x-ratelimit-complexity-reset'),
    };
    if (Object.values(info).some((v) => v !== null)) this.rateLimit = info;
    if (info.complexity !== null) this.usage.complexity += info.complexity;
  }

  /** Until the earliest reset of an empty bucket (or Retry-After), capped, plus jitter. */
  private rateLimitWait(retryAfterSeconds: number | undefined): number {
    const cap = this.options.rateLimitWaitMaxMs ?? DEFAULT_RATE_LIMIT_WAIT_MAX_MS;
    const now = (this.options.now ?? Date.now)();
    const candidates: number[] = [];
    if (retryAfterSeconds !== undefined) candidates.push(retryAfterSeconds * 1000);
    const rl = this.rateLimit;
    if (rl?.requestsRemaining === 0 && rl.requestsReset !== null)
      candidates.push(rl.requestsReset - now);
    if (rl?.complexityRemaining !== null && rl?.complexityRemaining !== undefined) {
      if (rl.complexityRemaining <= 0 && rl.complexityReset !== null)
        candidates.push(rl.complexityReset - now);
    }
    const base = candidates.length > 0 ? Math.max(0, ...candidates) : this.backoff(1);
    const jitter = Math.random() * Math.min(1000, cap / 10);
    return Math.round(Math.min(cap, base + jitter));
  }

  private attemptSignal(): AbortSignal {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    return this.options.signal ? AbortSignal.any([this.options.signal, timeout]) : timeout;
  }

  private throwIfAborted(operation: string, attempts: number) {
    if (this.options.signal?.aborted) {
      throw new LinearApiError(operation, null, attempts, 'aborted', 'the sync was aborted');
    }
  }

  /** Full jitter, doubling per attempt. */
  private backoff(attempt: number): number {
    const base = this.options.retryBaseMs ?? DEFAULT_RETRY_BASE_MS;
    const cap = this.options.retryMaxMs ?? DEFAULT_RETRY_MAX_MS;
    return Math.round(Math.random() * Math.min(cap, base * 2 ** (attempt - 1)));
  }
}

interface ConnectionValue<T> {
  nodes: T[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

function toPage<T>(connection: ConnectionValue<T>): Page<T> {
  return {
    nodes: connection.nodes,
    hasNextPage: connection.pageInfo.hasNextPage,
    endCursor: connection.pageInfo.endCursor,
  };
}

function variables(params: ListParams, defaultFirst: number): Record<string, unknown> {
  const parts: Record<string, unknown>[] = [];
  if (params.updatedAfter) parts.push({ updatedAt: { gt: params.updatedAfter } });
  if (params.filter) parts.push(params.filter);
  return {
    first: params.first ?? defaultFirst,
    after: params.after ?? null,
    filter: parts.length === 0 ? null : parts.length === 1 ? parts[0] : { and: parts },
  };
}

function numberOrUndefined(value: string | null | undefined): number | undefined {
  const n = value === null || value === undefined || value === '' ? NaN : Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * What a `LinearError` (the SDK's `parseLinearError` of a non-2xx answer or a GraphQL `errors`
 * array) means for the sync. The SDK types an error by its first GraphQL error's
 * `extensions.type`; without a GraphQL body it guesses from the status (429 rate limited, 403
 * forbidden, any other 4xx "authentication", 5xx internal/network), so a body-less answer is read
 * by its status here instead.
 */
function classify(error: LinearError): Outcome & { final: boolean } {
  const status = error.status ?? null;
  const raw = error.raw?.response;
  const code = (raw?.errors?.[0]?.extensions as { code?: unknown } | undefined)?.code;
  if (error.type === LinearErrorType.Ratelimited || code === 'RATELIMITED' || status === 429) {
    return { status, kind: 'ratelimited', detail: 'rate limited (RATELIMITED)', final: false };
  }
  const first = error.errors?.[0];
  if (!first) {
    if (status === 401 || status === 403)
      return { status, kind: 'auth', detail: 'the key was refused', final: true };
    if (status !== null && status >= 500)
      return { status, kind: 'http', detail: 'the server failed', final: false };
    if (status !== null && (status < 200 || status >= 300))
      return { status, kind: 'http', detail: 'the request was refused', final: true };
    const detail =
      typeof raw?.error === 'string' ? 'the response is not JSON' : 'the response carries no data';
    return { status, kind: 'invalid_response', detail, final: false };
  }
  const detail = `${typeof code === 'string' ? code : error.type}: ${first.message}`;
  if (error.type !== undefined && FINAL_TYPES.has(error.type)) {
    const auth =
      error.type === LinearErrorType.AuthenticationError ||
      error.type === LinearErrorType.Forbidden;
    return { status, kind: auth ? 'auth' : 'graphql', detail, final: true };
  }
  // Internal errors, lock timeouts, and partial failures answered with HTTP 200 (§1): a page
  // with holes is not a page, and the next attempt may be whole.
  const kind = status !== null && status >= 500 ? 'http' : 'graphql';
  return { status, kind, detail, final: false };
}

/** A request that produced no GraphQL answer: refused by the guard's caps, cut, late, or garbled. */
function transportFailure(error: unknown): Outcome & { final: boolean } {
  for (let e = error; e; e = (e as { cause?: unknown }).cause) {
    if (e instanceof EncodedBodyError)
      return { status: null, kind: 'invalid_response', detail: e.message, final: true };
    if ((e as { code?: unknown }).code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE')
      return {
        status: null,
        kind: 'invalid_response',
        detail: 'the response exceeded the size cap',
        final: true,
      };
    if (e === (e as { cause?: unknown }).cause) break;
  }
  if (error instanceof SyntaxError)
    return {
      status: null,
      kind: 'invalid_response',
      detail: 'the response is not JSON',
      final: false,
    };
  const timedOut =
    error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
  return {
    status: null,
    kind: timedOut ? 'timeout' : 'network',
    detail: UNREACHABLE,
    final: false,
  };
}

class EncodedBodyError extends Error {
  constructor(encoding: string) {
    super(`the response came ${encoding}-encoded although identity was asked for; refused`);
    this.name = 'EncodedBodyError';
  }
}

/**
 * Composed onto the guard's dispatcher: an answer whose body is content-encoded is aborted before
 * its body is read. Node's fetch would inflate it past the guard's wire cap (a small gzip body
 * can decode to gigabytes); we ask for identity, so a compliant server never trips this.
 */
const refuseEncodedBodies: Dispatcher.DispatcherComposeInterceptor =
  (dispatch) => (opts, handler) =>
    dispatch(opts, {
      onRequestStart: (controller, context) => handler.onRequestStart?.(controller, context),
      onRequestUpgrade: (controller, statusCode, headers, socket) =>
        handler.onRequestUpgrade?.(controller, statusCode, headers, socket),
      onResponseStart(controller, statusCode, headers, statusMessage) {
        const encoding = headers['content-encoding'];
        const value = (Array.isArray(encoding) ? encoding.join(',') : (encoding ?? '')).trim();
        if (value !== '' && value.toLowerCase() !== 'identity') {
          controller.abort(new EncodedBodyError(value));
          return;
        }
        handler.onResponseStart?.(controller, statusCode, headers, statusMessage);
      },
      onResponseData: (controller, chunk) => handler.onResponseData?.(controller, chunk),
      onResponseEnd: (controller, trailers) => handler.onResponseEnd?.(controller, trailers),
      onResponseError: (controller, error) => handler.onResponseError?.(controller, error),
    });
