import { setTimeout as sleep } from 'node:timers/promises';
import type { z } from 'zod';
import { blockedCause, type GuardedFetch } from '../../../lib/net/guarded-http.js';
import {
  ENTITY_DOCUMENTS,
  ENTITY_PAGE_SIZE,
  ID_PAGE_SIZE,
  idsDocument,
  ORGANIZATION,
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
 * A thin client for Linear's GraphQL API (facts: shared/reference/linear/API-NOTES.md, mirrored
 * by tools/linear-sim). It POSTs documents we write (documents.ts) through the guarded fetch
 * (lib/net/guarded-http.ts), because the endpoint is user input. `@linear/sdk`'s `rawRequest`
 * calls `globalThis.fetch` and cannot be given another fetch, so it would bypass the guard's
 * body cap and timeouts; the wire format is plain JSON and this file is all a connector needs.
 *
 * Failure handling (API-NOTES §1, §4):
 * - `RATELIMITED` arrives with HTTP 400 or 429 (and `extensions.code`): wait until the reset
 *   header (or `Retry-After`), capped and jittered, and try again, a bounded number of times.
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
  fetch: GuardedFetch;
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
  filter?: Record<string, unknown> | null;
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
const FINAL_CODES = new Set([
  'AUTHENTICATION_ERROR',
  'FORBIDDEN',
  'GRAPHQL_VALIDATION_FAILED',
  'INVALID_INPUT',
  'INPUT_ERROR',
  'BAD_USER_INPUT',
]);
const UNREACHABLE =
  'no usable HTTP response (the connection was refused, reset, or not answered in time)';

interface GraphqlError {
  message?: string;
  extensions?: { code?: string; userPresentableMessage?: string };
}

export class LinearClient {
  /** Headers of the last answer; null before the first. */
  rateLimit: LinearRateLimit | null = null;
  /** Requests sent (retries included) and complexity points reported by the server. */
  readonly usage = { requests: 0, complexity: 0, rateLimited: 0 };

  constructor(private readonly options: LinearClientOptions) {}

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
    let last: { status: number | null; kind: LinearErrorKind; detail: string } = {
      status: null,
      kind: 'network',
      detail: 'not attempted',
    };
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      this.throwIfAborted(operation, attempt - 1);
      let waitMs: number | null = null;
      try {
        this.usage.requests++;
        const response = await this.options.fetch(this.options.url, {
          method: 'POST',
          headers: {
            authorization: this.options.apiKey,
            'content-type': 'application/json',
            accept: 'application/json',
          },
          body: JSON.stringify({ query, variables: vars }),
          signal: this.attemptSignal(),
        });
        this.readRateLimit(response.headers);
        const text = await response.text();
        const body = parseJson(text) as { data?: unknown; errors?: GraphqlError[] } | undefined;
        const errors = Array.isArray(body?.errors) ? body.errors : [];
        const code = errors[0]?.extensions?.code;
        if (code === 'RATELIMITED' || response.status === 429) {
          this.usage.rateLimited++;
          last = {
            status: response.status,
            kind: 'ratelimited',
            detail: 'rate limited (RATELIMITED)',
          };
          waitMs = this.rateLimitWait(response.headers);
        } else if (code && FINAL_CODES.has(code)) {
          const message =
            errors[0]?.extensions?.userPresentableMessage ?? errors[0]?.message ?? code;
          const kind = code === 'AUTHENTICATION_ERROR' || code === 'FORBIDDEN' ? 'auth' : 'graphql';
          throw new LinearApiError(
            operation,
            response.status,
            attempt,
            kind,
            `${code}: ${message}`,
          );
        } else if (response.status >= 500) {
          last = { status: response.status, kind: 'http', detail: 'the server failed' };
        } else if (!response.ok) {
          throw new LinearApiError(
            operation,
            response.status,
            attempt,
            'http',
            'the request was refused',
          );
        } else if (body === undefined) {
          last = {
            status: response.status,
            kind: 'invalid_response',
            detail: 'the response is not JSON',
          };
        } else if (errors.length > 0) {
          // Partial failures come back with HTTP 200 (§1): a page with holes is not a page.
          last = {
            status: response.status,
            kind: 'graphql',
            detail: `${code ?? 'error'}: ${errors[0]?.message ?? 'unknown GraphQL error'}`,
          };
        } else {
          const parsed = read.safeParse(body.data);
          if (parsed.success) return parsed.data as z.infer<S>;
          const issue = parsed.error.issues[0];
          last = {
            status: response.status,
            kind: 'invalid_response',
            detail:
              `the response does not match the ${operation} page: ${issue?.path.join('.') || '(root)'} ${issue?.message ?? ''}`.trim(),
          };
        }
      } catch (error) {
        if (error instanceof LinearApiError) throw error;
        this.throwIfAborted(operation, attempt);
        const blocked = blockedCause(error);
        if (blocked) throw new LinearApiError(operation, null, attempt, 'blocked', blocked.message);
        const timedOut =
          error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
        last = { status: null, kind: timedOut ? 'timeout' : 'network', detail: UNREACHABLE };
      }
      if (attempt === maxAttempts) break;
      const delayMs = waitMs ?? this.backoff(attempt);
      this.options.onRetry?.({ operation, attempt, kind: last.kind, delayMs });
      await sleep(delayMs, undefined, { signal: this.options.signal }).catch(() => undefined);
    }
    throw new LinearApiError(operation, last.status, maxAttempts, last.kind, last.detail);
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
  private rateLimitWait(headers: Headers): number {
    const cap = this.options.rateLimitWaitMaxMs ?? DEFAULT_RATE_LIMIT_WAIT_MAX_MS;
    const now = (this.options.now ?? Date.now)();
    const candidates: number[] = [];
    const retryAfter = Number(headers.get('retry-after'));
    if (headers.get('retry-after') !== null && Number.isFinite(retryAfter)) {
      candidates.push(retryAfter * 1000);
    }
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

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
