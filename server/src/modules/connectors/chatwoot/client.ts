import { setTimeout as sleep } from 'node:timers/promises';
import { blockedCause, type GuardedFetch } from '../../../lib/net/guarded-http.js';

/**
 * A typed client for the Chatwoot Application API, limited to what ingestion needs. Every fact it
 * relies on is in docs/chatwoot.md; the section is named where it matters.
 */

import {
  readContactPage,
  readConversationPage,
  readMessagePage,
  readProfile,
  type ChatwootContact,
  type ChatwootConversation,
  type ChatwootMessage,
  type PayloadProblem,
} from './payloads.js';

type Json = Record<string, unknown>;
type Reader<T> = (raw: unknown) => { ok: true; value: T } | { ok: false; problem: PayloadProblem };

export type { ChatwootContact, ChatwootConversation, ChatwootMessage };

export interface ConversationPage {
  meta: { all_count?: number } & Json;
  payload: ChatwootConversation[];
}

export interface MessagePage {
  meta: Json;
  payload: ChatwootMessage[];
}

export interface ContactPage {
  meta: { count?: number; current_page?: number | string };
  payload: ChatwootContact[];
}

export interface ChatwootProfile extends Json {
  id: number;
  accounts?: { id: number; name?: string | null; role?: string | null }[];
}

/** Page sizes the server fixes (§3, §4, §6); the responses carry no page count. */
export const CONVERSATIONS_PAGE_SIZE = 25;
export const MESSAGES_RANGE_PAGE_SIZE = 1000;
export const CONTACTS_PAGE_SIZE = 15;

export type ChatwootErrorKind =
  'http' | 'network' | 'timeout' | 'invalid_response' | 'aborted' | 'blocked';

/**
 * Thrown when the client gives up; names the endpoint, the last status and how many attempts ran.
 * The message is shown to users (test-connection answer, a sync's recorded error), so it never
 * carries the upstream's body, and every connection failure reads the same: which of refused,
 * reset or silent a port was would make the connection test a port scanner.
 */
export class ChatwootApiError extends Error {
  constructor(
    readonly endpoint: string,
    readonly status: number | null,
    readonly attempts: number,
    readonly kind: ChatwootErrorKind,
    detail: string,
  ) {
    super(
      `Chatwoot ${endpoint} failed after ${attempts} attempt${attempts === 1 ? '' : 's'}` +
        `${status === null ? '' : ` (HTTP ${status})`}: ${detail}`,
    );
    this.name = 'ChatwootApiError';
  }
}

export interface ChatwootClientOptions {
  /** The guarded fetch (lib/net/guarded-http.ts): `baseUrl` is user input. */
  fetch: GuardedFetch;
  baseUrl: string;
  accountId: number;
  apiToken: string;
  timeoutMs: number;
  maxRetries: number;
  concurrency: number;
  /** First backoff step; doubled per attempt with full jitter, capped at `retryMaxMs`. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  signal?: AbortSignal;
  onRetry?: (info: {
    endpoint: string;
    attempt: number;
    status: number | null;
    delayMs: number;
  }) => void;
}

// 500 ms doubling to a 30 s cap: five retries span about a minute, longer than a typical
// rack-attack window and short enough that a dead server fails the run within minutes.
const DEFAULT_RETRY_BASE_MS = 500;
const DEFAULT_RETRY_MAX_MS = 30_000;
// A hostile or confused server must not park a sync for hours with a huge Retry-After.
const RETRY_AFTER_CAP_MS = 120_000;
// One phrase for refused, reset, timed out and not-HTTP alike (see ChatwootApiError).
const UNREACHABLE =
  'no usable HTTP response (the connection was refused, reset, or not answered in time)';

export class ChatwootClient {
  private readonly root: string;
  private readonly limiter: AdaptiveLimiter;

  constructor(private readonly options: ChatwootClientOptions) {
    this.root = options.baseUrl.replace(/\/+$/, '');
    this.limiter = new AdaptiveLimiter(options.concurrency);
  }

  /** `GET /api/v1/profile`: proves the token works and lists the accounts it may read. */
  profile(): Promise<ChatwootProfile> {
    return this.getJson('/api/v1/profile', {}, readProfile);
  }

  /** One page of conversations, every status, newest activity first unless told otherwise (§3). */
  async listConversations(params: { page: number; sortBy?: string }): Promise<ConversationPage> {
    const { data } = await this.getJson(
      this.accountPath('/conversations'),
      {
        status: 'all',
        assignee_type: 'all',
        sort_by: params.sortBy ?? 'last_activity_at_desc',
        page: String(params.page),
      },
      readConversationPage,
    );
    return { meta: data.meta ?? {}, payload: data.payload };
  }

  /**
   * Every conversation whose `updated_at` is within the last `seconds`, unpaged (§3). A message
   * edit touches the conversation, so this finds changes that activity order does not.
   */
  async listConversationsUpdatedWithin(seconds: number): Promise<ChatwootConversation[]> {
    const { data } = await this.getJson(
      this.accountPath('/conversations'),
      { status: 'all', assignee_type: 'all', updated_within: String(Math.ceil(seconds)) },
      readConversationPage,
    );
    return data.payload;
  }

  /** Up to 20 messages older than `before` (or the newest 20), oldest first (§4). */
  async listMessages(
    conversationId: number,
    params: { before?: number } = {},
  ): Promise<MessagePage> {
    const query: Record<string, string> = {};
    if (params.before !== undefined) query.before = String(params.before);
    const page = await this.getJson(
      this.accountPath(`/conversations/${conversationId}/messages`),
      query,
      readMessagePage,
    );
    return { meta: page.meta ?? {}, payload: page.payload };
  }

  /**
   * Up to 1,000 messages with `fromId <= id < beforeId`, oldest first: both cursors at once, where
   * `after` is inclusive (§4). Fifty times the `before` page, so a backfill is mostly one request
   * per conversation.
   */
  async listMessagesBetween(
    conversationId: number,
    fromId: number,
    beforeId: number,
  ): Promise<MessagePage> {
    const page = await this.getJson(
      this.accountPath(`/conversations/${conversationId}/messages`),
      { after: String(fromId), before: String(beforeId) },
      readMessagePage,
    );
    return { meta: page.meta ?? {}, payload: page.payload };
  }

  /** One page of the contacts list; always sorted, because the server adds no ORDER BY otherwise (§6). */
  async listContacts(params: { page: number }): Promise<ContactPage> {
    const page = await this.getJson(
      this.accountPath('/contacts'),
      { sort: 'created_at', page: String(params.page), include_contact_inboxes: 'false' },
      readContactPage,
    );
    return { meta: page.meta ?? {}, payload: page.payload };
  }

  private accountPath(path: string) {
    return `/api/v1/accounts/${this.options.accountId}${path}`;
  }

  /**
   * GET with a per-attempt timeout and retries on 429, 5xx, network errors, timeouts and bodies
   * that are not the JSON shape asked for (a truncated page is a transient upstream fault). The
   * body is read through the same payload schemas as webhooks (payloads.ts).
   */
  private async getJson<T>(
    path: string,
    query: Record<string, string>,
    read: Reader<T>,
  ): Promise<T> {
    const search = new URLSearchParams(query).toString();
    const endpoint = `GET ${path}${search ? `?${search}` : ''}`;
    const url = `${this.root}${path}${search ? `?${search}` : ''}`;
    const maxAttempts = this.options.maxRetries + 1;
    let last: { status: number | null; kind: ChatwootErrorKind; detail: string } = {
      status: null,
      kind: 'network',
      detail: 'not attempted',
    };

    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      this.throwIfAborted(endpoint, attempt - 1);
      let retryAfterMs: number | null = null;
      const release = await this.limiter.acquire();
      try {
        const response = await this.options.fetch(url, {
          headers: { api_access_token: this.options.apiToken, accept: 'application/json' },
          signal: this.attemptSignal(),
        });
        const text = await response.text();
        if (response.ok) {
          const body = parseJson(text);
          const result = body === undefined ? null : read(body);
          if (result?.ok) {
            this.limiter.succeeded();
            return result.value;
          }
          // The field and rule that failed, never the body: it may hold anything.
          last = {
            status: response.status,
            kind: 'invalid_response',
            detail: result
              ? `the response does not match this endpoint's shape: ${result.problem.field} ${result.problem.message}`
              : 'the response is not JSON',
          };
        } else {
          last = { status: response.status, kind: 'http', detail: httpDetail(response.status) };
          if (response.status === 429) this.limiter.throttled();
          if (!isRetryableStatus(response.status)) {
            throw new ChatwootApiError(endpoint, response.status, attempt, 'http', last.detail);
          }
          retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
        }
      } catch (error) {
        if (error instanceof ChatwootApiError) throw error;
        this.throwIfAborted(endpoint, attempt);
        // A refused host stays refused: retrying would only repeat the answer.
        const blocked = blockedCause(error);
        if (blocked)
          throw new ChatwootApiError(endpoint, null, attempt, 'blocked', blocked.message);
        const timedOut =
          error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
        last = { status: null, kind: timedOut ? 'timeout' : 'network', detail: UNREACHABLE };
      } finally {
        release();
      }
      if (attempt === maxAttempts) break;
      const delayMs = retryAfterMs ?? this.backoff(attempt);
      this.options.onRetry?.({ endpoint, attempt, status: last.status, delayMs });
      await sleep(delayMs, undefined, { signal: this.options.signal }).catch(() => undefined);
    }
    throw new ChatwootApiError(endpoint, last.status, maxAttempts, last.kind, last.detail);
  }

  private attemptSignal(): AbortSignal {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    return this.options.signal ? AbortSignal.any([this.options.signal, timeout]) : timeout;
  }

  private throwIfAborted(endpoint: string, attempts: number) {
    if (this.options.signal?.aborted) {
      throw new ChatwootApiError(endpoint, null, attempts, 'aborted', 'the sync was aborted');
    }
  }

  /** Full jitter (AWS architecture blog): spreads retries of concurrent requests apart. */
  private backoff(attempt: number): number {
    const base = this.options.retryBaseMs ?? DEFAULT_RETRY_BASE_MS;
    const cap = this.options.retryMaxMs ?? DEFAULT_RETRY_MAX_MS;
    return Math.round(Math.random() * Math.min(cap, base * 2 ** (attempt - 1)));
  }
}

/**
 * Bounds in-flight requests. A 429 halves the bound (never below 1) and successes grow it back
 * one step at a time: real Chatwoot throttles per IP with no Retry-After, so backing off in
 * concurrency as well as in time is what gets a sync through a rate limit.
 */
class AdaptiveLimiter {
  private limit: number;
  private active = 0;
  private successes = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly max: number) {
    this.limit = max;
  }

  async acquire(): Promise<() => void> {
    // A woken waiter's slot was already counted by wake(), so the count is taken exactly once.
    if (this.active < this.limit) this.active++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.wake();
    };
  }

  throttled() {
    this.limit = Math.max(1, Math.floor(this.limit / 2));
    this.successes = 0;
  }

  succeeded() {
    if (this.limit >= this.max) return;
    // Grow back after a run of successes as long as the current bound.
    if (++this.successes >= this.limit) {
      this.limit++;
      this.successes = 0;
      this.wake();
    }
  }

  private wake() {
    while (this.active < this.limit && this.waiting.length > 0) {
      this.active++;
      this.waiting.shift()!();
    }
  }
}

function isRetryableStatus(status: number) {
  return status === 429 || status === 408 || status >= 500;
}

/** RFC 9110 §10.2.3: delta-seconds or an HTTP-date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Math.min(Number(trimmed) * 1000, RETRY_AFTER_CAP_MS);
  const at = Date.parse(trimmed);
  if (!Number.isFinite(at)) return null;
  return Math.min(Math.max(0, at - now), RETRY_AFTER_CAP_MS);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function httpDetail(status: number) {
  if (status === 401) return 'the API token was rejected';
  if (status === 404) return 'not found (check the base URL and account id)';
  if (status === 429) return 'rate limited';
  return status >= 500 ? 'the server failed' : 'the request was refused';
}
