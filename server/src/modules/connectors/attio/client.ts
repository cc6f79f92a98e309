import { setTimeout as sleep } from 'node:timers/promises';
import type { z } from 'zod';
import { blockedCause, type GuardedFetch } from '../../../lib/net/guarded-http.js';
import {
  attioList,
  attioListEntry,
  attioMember,
  attioNote,
  attioRecord,
  attioSelf,
  attioTask,
  listOf,
  oneOf,
  type AttioList,
  type AttioListEntry,
  type AttioMember,
  type AttioNote,
  type AttioRecord,
  type AttioSelf,
  type AttioTask,
} from './payloads.js';

/**
 * A thin client for the Attio REST v2 endpoints the connector reads (facts:
 * shared/reference/attio/API-NOTES.md, mirrored by tools/attio-sim). Hand-typed rather than
 * generated: the document is 35,000 lines for a dozen fields on seven endpoints, and the zod
 * shapes in payloads.ts are checked against it by test/connectors/attio/contract.test.ts.
 * Requests go through the guarded fetch (lib/net/guarded-http.ts), because the base URL is user
 * input. Mirrors the Linear client (connectors/linear/client.ts):
 *
 * - 429: Attio's `Retry-After` is an HTTP date (API-NOTES §2), not seconds; wait until then,
 *   capped and jittered, and try again, a bounded number of times.
 * - 5xx, network errors, timeouts, truncated or non-JSON bodies, and pages that do not match the
 *   document's shape are retried with backoff; after the last attempt the error names what was
 *   wrong.
 * - 401/403 and other 4xx are final at once, with Attio's own `code` and `message`.
 */

export type AttioErrorKind =
  | 'auth'
  | 'request'
  | 'not_found'
  | 'ratelimited'
  | 'http'
  | 'network'
  | 'timeout'
  | 'invalid_response'
  | 'aborted'
  | 'blocked';

export class AttioApiError extends Error {
  constructor(
    readonly operation: string,
    readonly status: number | null,
    readonly attempts: number,
    readonly kind: AttioErrorKind,
    detail: string,
  ) {
    super(
      `Attio ${operation} failed after ${attempts} attempt${attempts === 1 ? '' : 's'}` +
        `${status === null ? '' : ` (HTTP ${status})`}: ${detail}`,
    );
    this.name = 'AttioApiError';
  }
}

export interface AttioClientOptions {
  fetch: GuardedFetch;
  /** The API base without `/v2`, e.g. https://api.attio.com. */
  baseUrl: string;
  /** An access token (a workspace API key is one), sent as `Authorization: Bearer`. */
  token: string;
  timeoutMs: number;
  maxRetries: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Longest single wait for a 429's Retry-After. */
  rateLimitWaitMaxMs?: number;
  signal?: AbortSignal;
  now?: () => number;
  onRetry?: (info: {
    operation: string;
    attempt: number;
    kind: AttioErrorKind;
    delayMs: number;
  }) => void;
}

/** The standard objects the connector reads. */
export type AttioObject = 'people' | 'companies' | 'deals';

export interface PageParams {
  limit: number;
  offset: number;
}

/** The most notes one page may hold; the default silently returns 10 (openapi.yaml). */
export const NOTES_PAGE_SIZE = 50;
/** Tasks and records default to 500 a page (openapi.yaml). */
export const TASKS_PAGE_SIZE = 500;
export const RECORDS_PAGE_SIZE = 500;
/** List entries default to 500 a page too (openapi.yaml, POST /v2/lists/{list}/entries/query). */
export const LIST_ENTRIES_PAGE_SIZE = 500;

const DEFAULT_RETRY_BASE_MS = 500;
const DEFAULT_RETRY_MAX_MS = 30_000;
const DEFAULT_RATE_LIMIT_WAIT_MAX_MS = 60_000;
const UNREACHABLE =
  'no usable HTTP response (the connection was refused, reset, or not answered in time)';

interface RequestSpec<S extends z.ZodType> {
  operation: string;
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  read: S;
  /** A 404 answers null instead of failing (single-item reads). */
  notFoundIsNull?: boolean;
}

export class AttioClient {
  /** Requests sent (retries included) and 429s met. */
  readonly usage = { requests: 0, rateLimited: 0 };

  constructor(private readonly options: AttioClientOptions) {}

  /** `GET /v2/self`: the token's workspace, scopes, and whether it is active. */
  self(): Promise<AttioSelf> {
    return this.request({ operation: 'self', method: 'GET', path: '/v2/self', read: attioSelf });
  }

  /** One page of an object's records (`POST …/records/query`), creation order. */
  async queryRecords(
    object: AttioObject,
    page: PageParams,
    filter?: Record<string, unknown>,
  ): Promise<AttioRecord[]> {
    const body = await this.request({
      operation: `${object} query`,
      method: 'POST',
      path: `/v2/objects/${object}/records/query`,
      body: { ...(filter ? { filter } : {}), limit: page.limit, offset: page.offset },
      read: listOf(attioRecord),
    });
    return body.data;
  }

  /** One record, or null when Attio answers 404 (deleted). */
  async getRecord(object: AttioObject, recordId: string): Promise<AttioRecord | null> {
    const body = await this.request({
      operation: `${object} record`,
      method: 'GET',
      path: `/v2/objects/${object}/records/${encodeURIComponent(recordId)}`,
      read: oneOf(attioRecord),
      notFoundIsNull: true,
    });
    return body?.data ?? null;
  }

  /** One page of notes, optionally of one parent record. */
  async listNotes(
    page: PageParams,
    parent?: { object: string; recordId: string },
  ): Promise<AttioNote[]> {
    const body = await this.request({
      operation: 'notes',
      method: 'GET',
      path: '/v2/notes',
      query: {
        limit: Math.min(page.limit, NOTES_PAGE_SIZE),
        offset: page.offset,
        parent_object: parent?.object,
        parent_record_id: parent?.recordId,
      },
      read: listOf(attioNote),
    });
    return body.data;
  }

  async getNote(noteId: string): Promise<AttioNote | null> {
    const body = await this.request({
      operation: 'note',
      method: 'GET',
      path: `/v2/notes/${encodeURIComponent(noteId)}`,
      read: oneOf(attioNote),
      notFoundIsNull: true,
    });
    return body?.data ?? null;
  }

  /** One page of tasks, oldest first, optionally of one linked record. */
  async listTasks(
    page: PageParams,
    linked?: { object: string; recordId: string },
  ): Promise<AttioTask[]> {
    const body = await this.request({
      operation: 'tasks',
      method: 'GET',
      path: '/v2/tasks',
      query: {
        limit: page.limit,
        offset: page.offset,
        sort: 'created_at:asc',
        linked_object: linked?.object,
        linked_record_id: linked?.recordId,
      },
      read: listOf(attioTask),
    });
    return body.data;
  }

  async getTask(taskId: string): Promise<AttioTask | null> {
    const body = await this.request({
      operation: 'task',
      method: 'GET',
      path: `/v2/tasks/${encodeURIComponent(taskId)}`,
      read: oneOf(attioTask),
      notFoundIsNull: true,
    });
    return body?.data ?? null;
  }

  /** Every workspace member (the endpoint is not paged). */
  async listMembers(): Promise<AttioMember[]> {
    const body = await this.request({
      operation: 'workspace members',
      method: 'GET',
      path: '/v2/workspace_members',
      read: listOf(attioMember),
    });
    return body.data;
  }

  async getMember(memberId: string): Promise<AttioMember | null> {
    const body = await this.request({
      operation: 'workspace member',
      method: 'GET',
      path: `/v2/workspace_members/${encodeURIComponent(memberId)}`,
      read: oneOf(attioMember),
      notFoundIsNull: true,
    });
    return body?.data ?? null;
  }

  /** A list by UUID or api_slug, or null when Attio answers 404 (no such list). */
  async getList(list: string): Promise<AttioList | null> {
    const body = await this.request({
      operation: 'list',
      method: 'GET',
      path: `/v2/lists/${encodeURIComponent(list)}`,
      read: oneOf(attioList),
      notFoundIsNull: true,
    });
    return body?.data ?? null;
  }

  /** One page of a list's entries (`POST /v2/lists/{list}/entries/query`, 500 by default). */
  async queryListEntries(list: string, page: PageParams): Promise<AttioListEntry[]> {
    const body = await this.request({
      operation: 'list entries',
      method: 'POST',
      path: `/v2/lists/${encodeURIComponent(list)}/entries/query`,
      body: { limit: page.limit, offset: page.offset },
      read: listOf(attioListEntry),
    });
    return body.data;
  }

  /** One request with the retries described above; `read` checks the body's shape. */
  request<S extends z.ZodType>(
    spec: RequestSpec<S> & { notFoundIsNull: true },
  ): Promise<z.infer<S> | null>;
  request<S extends z.ZodType>(spec: RequestSpec<S>): Promise<z.infer<S>>;
  async request<S extends z.ZodType>(spec: RequestSpec<S>): Promise<z.infer<S> | null> {
    const { operation } = spec;
    const url = this.url(spec.path, spec.query);
    const maxAttempts = this.options.maxRetries + 1;
    let last: { status: number | null; kind: AttioErrorKind; detail: string } = {
      status: null,
      kind: 'network',
      detail: 'not attempted',
    };
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      this.throwIfAborted(operation, attempt - 1);
      let waitMs: number | null = null;
      try {
        this.usage.requests++;
        const response = await this.options.fetch(url, {
          method: spec.method,
          headers: {
            authorization: `Bearer ${this.options.token}`,
            accept: 'application/json',
            ...(spec.body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
          signal: this.attemptSignal(),
        });
        const text = await response.text();
        const body = parseJson(text);
        if (response.status === 429) {
          this.usage.rateLimited++;
          last = {
            status: 429,
            kind: 'ratelimited',
            detail: `rate limited (${attioCode(body) ?? 'rate_limit_exceeded'})`,
          };
          waitMs = this.retryAfterWait(response.headers.get('retry-after'));
        } else if (response.status >= 500) {
          last = { status: response.status, kind: 'http', detail: 'the server failed' };
          const retryAfter = response.headers.get('retry-after');
          if (retryAfter !== null) waitMs = this.retryAfterWait(retryAfter);
        } else if (response.status === 404 && spec.notFoundIsNull) {
          return null;
        } else if (!response.ok) {
          const kind =
            response.status === 401 || response.status === 403
              ? 'auth'
              : response.status === 404
                ? 'not_found'
                : 'request';
          throw new AttioApiError(operation, response.status, attempt, kind, describeError(body));
        } else if (body === undefined) {
          last = {
            status: response.status,
            kind: 'invalid_response',
            detail: 'the response is not JSON',
          };
        } else {
          const parsed = spec.read.safeParse(body);
          if (parsed.success) return parsed.data as z.infer<S>;
          const issue = parsed.error.issues[0];
          last = {
            status: response.status,
            kind: 'invalid_response',
            detail:
              `the response does not match the ${operation} schema: ${issue?.path.join('.') || '(root)'} ${issue?.message ?? ''}`.trim(),
          };
        }
      } catch (error) {
        if (error instanceof AttioApiError) throw error;
        this.throwIfAborted(operation, attempt);
        const blocked = blockedCause(error);
        if (blocked) throw new AttioApiError(operation, null, attempt, 'blocked', blocked.message);
        const timedOut =
          error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
        last = { status: null, kind: timedOut ? 'timeout' : 'network', detail: UNREACHABLE };
      }
      if (attempt === maxAttempts) break;
      const delayMs = waitMs ?? this.backoff(attempt);
      this.options.onRetry?.({ operation, attempt, kind: last.kind, delayMs });
      await sleep(delayMs, undefined, { signal: this.options.signal }).catch(() => undefined);
    }
    throw new AttioApiError(operation, last.status, maxAttempts, last.kind, last.detail);
  }

  private url(path: string, query?: Record<string, string | number | undefined>): string {
    const url = new URL(path, `${this.options.baseUrl.replace(/\/+$/, '')}/`);
    for (const [key, value] of Object.entries(query ?? {}))
      if (value !== undefined) url.searchParams.set(key, String(value));
    return url.toString();
  }

  /**
   * Until the instant `Retry-After` names, capped, plus jitter. Attio sends an HTTP date; a
   * number of seconds (RFC 9110 allows both) is honoured too. Missing or unreadable: backoff.
   */
  retryAfterWait(header: string | null): number {
    const cap = this.options.rateLimitWaitMaxMs ?? DEFAULT_RATE_LIMIT_WAIT_MAX_MS;
    const now = (this.options.now ?? Date.now)();
    let base: number | null = null;
    if (header !== null && header.trim() !== '') {
      const value = header.trim();
      if (/^\d+$/.test(value)) base = Number(value) * 1000;
      else {
        const at = Date.parse(value);
        if (Number.isFinite(at)) base = Math.max(0, at - now);
      }
    }
    if (base === null) base = this.backoff(1);
    // An HTTP date has whole seconds: the limit may lift anywhere within the named second.
    const jitter = Math.random() * Math.min(250, cap / 10);
    return Math.round(Math.min(cap, base + jitter));
  }

  private attemptSignal(): AbortSignal {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    return this.options.signal ? AbortSignal.any([this.options.signal, timeout]) : timeout;
  }

  private throwIfAborted(operation: string, attempts: number) {
    if (this.options.signal?.aborted) {
      throw new AttioApiError(operation, null, attempts, 'aborted', 'the sync was aborted');
    }
  }

  /** Full jitter, doubling per attempt. */
  private backoff(attempt: number): number {
    const base = this.options.retryBaseMs ?? DEFAULT_RETRY_BASE_MS;
    const cap = this.options.retryMaxMs ?? DEFAULT_RETRY_MAX_MS;
    return Math.round(Math.random() * Math.min(cap, base * 2 ** (attempt - 1)));
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function attioCode(body: unknown): string | null {
  const code = (body as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : null;
}

/** Attio's error envelope `{status_code, type, code, message}` in one line. */
function describeError(body: unknown): string {
  const b = body as { code?: unknown; message?: unknown } | undefined;
  const code = typeof b?.code === 'string' ? b.code : 'error';
  const message = typeof b?.message === 'string' ? b.message : 'the request was refused';
  return `${code}: ${message}`;
}
