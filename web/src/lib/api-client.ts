/**
 * The one browser-side client of the Cairn API. It sends the session cookie, adds the CSRF header
 * on every mutation, and turns error envelopes into an ApiError that keeps the stable code (which
 * the pages turn into words of the user's language, src/lib/error-text.ts), the server's English
 * message and the request id shown to the user for support.
 */
import type {
  AskAnswer,
  AskFeedback,
  AskFeedbackBody,
  AskRecentItem,
  AuditEvent,
  AuditVerify,
  Completeness,
  Contact,
  ContactPolicy,
  CreateTokenBody,
  CreateUserBody,
  MemberList,
  Member,
  ProjectRole,
  SessionInfo,
  Token,
  User,
  UserWithLink,
  WorkspaceRole,
  Conversation,
  Health,
  JobRun,
  JobsStatus,
  Me,
  Message,
  Organization,
  OutboundAttempt,
  OutboundAuditEntry,
  OutboundMessage,
  PersonDetail,
  PersonSummary,
  PortfolioBody,
  Signal,
  SignalSettingsBody,
  Preflight,
  Project,
  ScheduledJob,
  SearchFilters,
  SearchSource,
  LinearCompleteness,
  LinearTestConnection,
  AttioCompleteness,
  AttioTestConnection,
  SearchResult,
  Source,
  TestConnection,
  UpdateMeBody,
  WorkerRun,
  RenameProjectBody,
} from './api-types';
// Request bodies, as the server's route schemas validate them.
import type {
  DigestSettings,
  UpdateDigestSettingsBody,
  CreateDraftBody,
  CreateProjectBody,
  CreateSourceBody,
  EditDraftBody,
  LoginBody,
  PatchScheduledJobBody,
  PatchSignalSettingsBody,
  ResolvedEvidence,
  SearchBody,
  SetPolicyBody,
} from '@cairn/contract';

export const API_BASE_URL = (process.env.NEXT_PUBLIC_API_BASE_URL ?? '/api').replace(/\/+$/, '');
export const CSRF_COOKIE_NAME = 'csrf_token';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId: string | null,
    readonly details?: unknown,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function readCookie(name: string): string | null {
  if (typeof document === 'undefined') return null;
  for (const part of document.cookie.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return null;
}

type Query = Record<string, string | number | boolean | null | undefined>;

function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

function retryAfterSeconds(response: Response): number | undefined {
  const header = response.headers.get('retry-after');
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

export async function toApiError(response: Response): Promise<ApiError> {
  const requestId = response.headers.get('x-request-id');
  let body: { error?: string; message?: string; request_id?: string; details?: unknown } = {};
  try {
    body = (await response.json()) as typeof body;
  } catch {
    // A non-JSON error (e.g. a proxy's HTML page) is summarised by its status below.
  }
  const code = body.error ?? `http_${response.status}`;
  const message = body.message ?? `The request failed (HTTP ${response.status}).`;
  return new ApiError(
    response.status,
    code,
    message,
    body.request_id ?? requestId,
    body.details,
    retryAfterSeconds(response),
  );
}

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

export async function apiRequest<T>(
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
  path: string,
  options: RequestOptions = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (method !== 'GET') {
    // The API rejects every mutation whose header does not match the session's CSRF cookie.
    const csrf = readCookie(CSRF_COOKIE_NAME);
    if (csrf) headers['x-csrf-token'] = csrf;
  }
  let body: string | undefined;
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  } else if (method !== 'GET' && method !== 'DELETE') {
    // The API accepts only JSON bodies, so even a bodiless POST says it carries JSON.
    headers['content-type'] = 'application/json';
    body = '{}';
  }
  let response: Response;
  try {
    response = await fetch(`${API_BASE_URL}${withQuery(path, options.query)}`, {
      method,
      headers,
      body,
      credentials: 'include',
      signal: options.signal,
      cache: 'no-store',
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'network_error', 'Could not reach Cairn.', null);
  }
  if (!response.ok) throw await toApiError(response);
  if (response.status === 204) return {} as T;
  return (await response.json()) as T;
}

const get = <T>(path: string, query?: Query, signal?: AbortSignal) =>
  apiRequest<T>('GET', path, { query, signal });
const post = <T>(path: string, body?: unknown, headers?: Record<string, string>) =>
  apiRequest<T>('POST', path, { body, headers });
const patch = <T>(path: string, body: unknown) => apiRequest<T>('PATCH', path, { body });
const del = <T>(path: string) => apiRequest<T>('DELETE', path);
const put = <T>(path: string, body: unknown) => apiRequest<T>('PUT', path, { body });

const enc = encodeURIComponent;

export interface Envelope {
  ok: true;
  request_id: string;
}
type Body<T> = Envelope & T;

type Paged<K extends string, T> = Body<{ [key in K]: T[] } & { next_cursor: string | null }>;
type Enqueued = Body<{ run: JobRun; created: boolean }>;

export const api = {
  health: () => get<Health>('/health'),
  auth: {
    me: () => get<Body<Me>>('/auth/me'),
    login: (username: string, password: string) =>
      post<Body<{ username: string; active_project_id: string | null }>>('/auth/login', {
        username,
        password,
      } satisfies LoginBody),
    logout: () => post<Envelope>('/auth/logout'),
    updateMe: (input: UpdateMeBody) => patch<Body<Me>>('/auth/me', input),
    changePassword: (input: { current_password: string; new_password: string }) =>
      post<Body<{ revoked: number }>>('/auth/password', input),
  },
  /** The signed-in user's own sessions (Settings → Profile). */
  sessions: {
    list: () => get<Body<{ sessions: SessionInfo[] }>>('/auth/sessions'),
    revoke: (id: string) => del<Body<{ revoked: number }>>(`/auth/sessions/${enc(id)}`),
    revokeOthers: () => post<Body<{ revoked: number }>>('/auth/sessions/revoke-others'),
  },
  /** The signed-in user's personal API tokens; a secret is in the create answer only. */
  tokens: {
    list: () => get<Body<{ tokens: Token[] }>>('/auth/tokens'),
    create: (input: CreateTokenBody) =>
      post<Body<{ token: Token; secret: string }>>('/auth/tokens', input),
    revoke: (id: string) => del<Body<{ deleted: true }>>(`/auth/tokens/${enc(id)}`),
  },
  /** The signed-in user's daily digest: email on or off, webhook (its secret in the set answer only). */
  digest: {
    get: () => get<Body<{ digest: DigestSettings }>>('/auth/me/digest'),
    update: (input: UpdateDigestSettingsBody) =>
      patch<Body<{ digest: DigestSettings; webhook_secret?: string }>>('/auth/me/digest', input),
  },
  /** Users and their one-time links (owners). */
  users: {
    list: () => get<Body<{ users: User[] }>>('/users'),
    invite: (input: CreateUserBody) => post<UserWithLink>('/users', input),
    update: (id: string, input: { role?: WorkspaceRole; active?: boolean }) =>
      patch<Body<{ user: User }>>(`/users/${enc(id)}`, input),
    reset: (id: string) => post<UserWithLink>(`/users/${enc(id)}/reset`),
  },
  /** A one-time link's public page: who it is for, and setting the password. */
  invitations: {
    get: (token: string) =>
      get<Body<{ username: string; purpose: 'invite' | 'reset'; expires_at: string }>>(
        `/invitations/${enc(token)}`,
      ),
    accept: (token: string, password: string) =>
      post<Body<{ username: string }>>(`/invitations/${enc(token)}/accept`, { password }),
  },
  /** A project's members (its managers, and owners). */
  members: {
    list: (projectId: string) => get<MemberList>(`/projects/${enc(projectId)}/members`),
    set: (projectId: string, userId: string, role: ProjectRole) =>
      put<Body<{ member: Member }>>(`/projects/${enc(projectId)}/members/${enc(userId)}`, {
        role,
      }),
    remove: (projectId: string, userId: string) =>
      del<Body<{ deleted: true }>>(`/projects/${enc(projectId)}/members/${enc(userId)}`),
  },
  projects: {
    list: () => get<Body<{ projects: Project[]; active_project_id: string | null }>>('/projects'),
    create: (name: string) =>
      post<Body<{ project: Project }>>('/projects', { name } satisfies CreateProjectBody),
    select: (id: string) => post<Body<{ project: Project }>>(`/projects/${enc(id)}/select`),
    rename: (id: string, name: string) =>
      patch<Body<{ project: Project }>>(`/projects/${enc(id)}`, {
        name,
      } satisfies RenameProjectBody),
  },
  sources: {
    list: () => get<Body<{ sources: Source[] }>>('/sources'),
    bind: (input: Omit<CreateSourceBody, 'source_kind'>) =>
      post<Body<{ source: Source; webhook_url_token?: string }>>('/sources', {
        source_kind: 'chatwoot_account',
        ...input,
      } satisfies CreateSourceBody),
    bindLinear: (input: {
      api_key: string;
      base_url?: string;
      team_ids?: string[];
      project_ids?: string[];
      webhook_secret?: string;
    }) =>
      post<Body<{ source: Source }>>('/sources', {
        source_kind: 'linear_workspace',
        ...input,
      } satisfies CreateSourceBody),
    testLinear: (id: string) => post<LinearTestConnection>(`/sources/${enc(id)}/test`),
    linearCompleteness: (id: string) => get<LinearCompleteness>(`/sources/${enc(id)}/completeness`),
    bindAttio: (input: {
      api_token: string;
      base_url?: string;
      company_record_ids?: string[];
      list?: string;
      webhook_secret?: string;
    }) =>
      post<Body<{ source: Source }>>('/sources', {
        source_kind: 'attio_workspace',
        ...input,
      } satisfies CreateSourceBody),
    testAttio: (id: string) => post<AttioTestConnection>(`/sources/${enc(id)}/test`),
    attioCompleteness: (id: string) => get<AttioCompleteness>(`/sources/${enc(id)}/completeness`),
    remove: (id: string) => del<Envelope>(`/sources/${enc(id)}`),
    test: (id: string) => post<TestConnection>(`/sources/${enc(id)}/test`),
    completeness: (id: string) => get<Completeness>(`/sources/${enc(id)}/completeness`),
  },
  jobs: {
    status: () => get<JobsStatus>('/jobs/status'),
    runSync: () => post<Enqueued>('/jobs/chatwoot/sync'),
    runLinearSync: () => post<Enqueued>('/jobs/linear/sync'),
    runAttioSync: () => post<Enqueued>('/jobs/attio/sync'),
    runEmbeddings: () => post<Enqueued>('/jobs/embeddings/run'),
    runs: (query: { job?: string; status?: string; limit?: number; cursor?: string }) =>
      get<Paged<'runs', JobRun>>('/jobs/runs', query),
    run: (id: string) => get<Body<{ run: JobRun }>>(`/jobs/runs/${enc(id)}`),
    scheduler: () => get<Body<{ jobs: ScheduledJob[] }>>('/jobs/scheduler'),
    updateSchedule: (id: string, input: PatchScheduledJobBody) =>
      patch<Body<{ job: ScheduledJob }>>(`/jobs/scheduler/${enc(id)}`, input),
    tick: () => post<Body<{ worker_run: WorkerRun }>>('/jobs/scheduler/tick'),
    eventsUrl: () => `${API_BASE_URL}/jobs/events`,
  },
  ask: {
    recent: (limit = 10) => get<Body<{ items: AskRecentItem[] }>>('/ask/recent', { limit }),
    get: (id: string) => get<Body<{ answer: AskAnswer }>>(`/ask/${enc(id)}`),
    feedback: (id: string, input: AskFeedbackBody) =>
      post<Body<{ feedback: AskFeedback }>>(`/ask/${enc(id)}/feedback`, input),
  },
  signals: {
    list: (query: { status?: string; kind?: string; limit?: number; cursor?: string }) =>
      get<Paged<'signals', Signal>>('/signals', query),
    resolve: (id: string, reason?: string) =>
      post<Body<{ signal: Signal }>>(`/signals/${enc(id)}/resolve`, { reason }),
    dismiss: (id: string, reason?: string) =>
      post<Body<{ signal: Signal }>>(`/signals/${enc(id)}/dismiss`, { reason }),
    draft: (id: string, input: { content: string; idempotency_key: string }) =>
      post<Body<{ message: OutboundMessage }>>(`/signals/${enc(id)}/draft`, input),
    snooze: (id: string, until: string) =>
      post<Body<{ signal: Signal }>>(`/signals/${enc(id)}/snooze`, { until }),
    /** Every project the caller can see, at a glance (GET /portfolio). */
    portfolio: () => get<Body<PortfolioBody>>('/portfolio'),
    settings: (projectId: string) =>
      get<Body<SignalSettingsBody>>(`/projects/${enc(projectId)}/signal-settings`),
    updateSettings: (projectId: string, input: PatchSignalSettingsBody) =>
      patch<Body<SignalSettingsBody>>(`/projects/${enc(projectId)}/signal-settings`, input),
  },
  search: (query: string, topK: number, filters: SearchFilters, source?: SearchSource) =>
    post<SearchResult>('/search', { query, topK, filters, source } satisfies SearchBody),
  contacts: (query: { q?: string; limit?: number; cursor?: string }) =>
    get<Paged<'contacts', Contact>>('/contacts', query),
  conversations: (query: {
    limit?: number;
    cursor?: string;
    status?: string;
    contact_global_id?: string;
  }) => get<Paged<'conversations', Conversation>>('/conversations', query),
  conversation: (id: string) =>
    get<Body<{ conversation: Conversation }>>(`/conversations/${enc(id)}`),
  messages: (query: { conversation_global_id?: string; limit?: number; cursor?: string }) =>
    get<Paged<'messages', Message>>('/messages', query),
  people: {
    list: (query: {
      email?: string;
      q?: string;
      contact_global_id?: string;
      limit?: number;
      cursor?: string;
    }) => get<Paged<'people', PersonSummary>>('/people', query),
    get: (id: string) => get<Body<{ person: PersonDetail }>>(`/people/${enc(id)}`),
    organization: (id: string) =>
      get<Body<{ organization: Organization }>>(`/organizations/${enc(id)}`),
  },
  outbound: {
    list: (query: { status?: string; limit?: number; cursor?: string }) =>
      get<Paged<'items', OutboundMessage>>('/outbound', query),
    get: (id: string) =>
      get<
        Body<{
          message: OutboundMessage;
          attempts: OutboundAttempt[];
          audit: OutboundAuditEntry[];
          evidence: ResolvedEvidence[];
        }>
      >(`/outbound/${enc(id)}`),
    draft: (input: CreateDraftBody) =>
      post<Body<{ message: OutboundMessage }>>('/outbound/draft', input),
    edit: (id: string, input: EditDraftBody) =>
      patch<Body<{ message: OutboundMessage }>>(`/outbound/${enc(id)}`, input),
    approve: (id: string) =>
      post<Body<{ message: OutboundMessage }>>(`/outbound/${enc(id)}/approve`),
    cancel: (id: string) => post<Body<{ message: OutboundMessage }>>(`/outbound/${enc(id)}/cancel`),
    retry: (id: string) => post<Body<{ message: OutboundMessage }>>(`/outbound/${enc(id)}/retry`),
    send: (id: string) =>
      post<Body<{ result: string; message: OutboundMessage }>>(`/outbound/${enc(id)}/send`),
    preflight: (id: string) => get<Preflight>(`/outbound/${enc(id)}/preflight`),
    policies: () => get<Body<{ policies: ContactPolicy[] }>>('/outbound/policies'),
    setPolicy: (input: SetPolicyBody) =>
      post<Body<{ policy: ContactPolicy }>>('/outbound/opt-out', input),
  },
  audit: {
    list: (query: { action?: string; entity_id?: string; limit?: number; offset?: number }) =>
      get<Body<{ events: AuditEvent[]; total: number }>>('/audit', query),
    verify: () => get<AuditVerify>('/audit/verify'),
  },
};
