import type { Locale } from '@cairn/contract';
import type { ColumnType, Generated } from 'kysely';

/** Kysely's view of the tables in db/migrations. Keep in step with the SQL. */

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type Json<T = unknown> = ColumnType<T, string | T | undefined, string | T>;
type Scoped = { project_id: string; account_scope_id: string };

export interface AccountScopesTable {
  id: Generated<string>;
  scope_key: string;
  name: string;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface ProjectsTable {
  id: Generated<string>;
  account_scope_id: string;
  name: string;
  /** The detectors' settings over their defaults (detectors/settings.ts). */
  signal_settings: Json<Record<string, unknown>>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export type WorkspaceRole = 'owner' | 'member';
export type ProjectRole = 'manager' | 'contributor' | 'viewer';

export interface AppUsersTable {
  id: Generated<string>;
  username: string;
  password_hash: string;
  /** The chosen interface language; null follows the browser. */
  locale: ColumnType<Locale | null, Locale | null | undefined, Locale | null>;
  role: ColumnType<WorkspaceRole, WorkspaceRole | undefined, WorkspaceRole>;
  active: ColumnType<boolean, boolean | undefined, boolean>;
  email: string | null;
  deactivated_at: Date | null;
  /** The daily signals digest by email (migration 0027); the one-click unsubscribe clears it. */
  digest_email: ColumnType<boolean, boolean | undefined, boolean>;
  /** The digest webhook (signals/digest-webhook.ts); the secret is encrypted (lib/secrets.ts). */
  digest_webhook_url: string | null;
  digest_webhook_secret: string | null;
  digest_webhook_set_at: Date | string | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface ProjectMembersTable {
  project_id: string;
  user_id: string;
  role: ProjectRole;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface InvitationsTable {
  id: Generated<string>;
  user_id: string;
  token_hash: string;
  purpose: 'invite' | 'reset';
  created_by: string | null;
  expires_at: Date | string;
  used_at: Date | null;
  created_at: CreatedAt;
}

export interface ApiTokensTable {
  id: Generated<string>;
  user_id: string;
  name: string;
  prefix: string;
  secret_hash: string;
  permission: 'read' | 'draft';
  /** null: every project the user can see. */
  project_ids: string[] | null;
  expires_at: Date | string;
  revoked_at: Date | null;
  last_used_at: Date | null;
  last_used_ip: string | null;
  last_used_user_agent: string | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface SessionsTable {
  session_id: string;
  /** Listed and revoked by this id; session_id (the cookie's hash) never leaves the server. */
  public_id: Generated<string>;
  ip: string | null;
  user_agent: string | null;
  user_id: string;
  active_project_id: string | null;
  csrf_token: string;
  created_at: CreatedAt;
  last_seen_at: Timestamp;
  expires_at: Date | string;
  updated_at: Timestamp;
}

export interface LoginAttemptsTable {
  id: Generated<number>;
  attempt_key: string;
  attempted_at: Timestamp;
  /** Lower-cased; null on rows from before migration 0013. */
  username: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface ProjectSourcesTable extends Scoped {
  id: Generated<string>;
  source_kind: 'chatwoot_account' | 'linear_workspace' | 'attio_workspace';
  external_id: string;
  base_url: string;
  /** Chatwoot's account number; null for other kinds (migration 0028). */
  account_id: number | null;
  api_token_enc: string;
  webhook_secret_enc: string | null;
  webhook_url_token_hash: string | null;
  last_webhook_error: ColumnType<string | null, string | null | undefined, string | null>;
  last_webhook_error_at: ColumnType<
    Date | null,
    Date | string | null | undefined,
    Date | string | null
  >;
  settings: Json<Record<string, unknown>>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface CwContactsTable extends Scoped {
  id: string;
  account_id: number;
  contact_id: number;
  name: string | null;
  email: string | null;
  phone: string | null;
  identifier: string | null;
  custom_attributes: Json<Record<string, unknown>>;
  data: Json<Record<string, unknown>>;
  source_created_at: Date | string | null;
  /** Where the contact was first seen (migration 0003). */
  seen_via: Generated<'contacts_list' | 'conversation' | 'webhook'>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface CwConversationsTable extends Scoped {
  id: string;
  account_id: number;
  conversation_id: number;
  inbox_id: number | null;
  status: string | null;
  assignee_id: number | null;
  contact_global_id: string | null;
  data: Json<Record<string, unknown>>;
  last_activity_at: Date | string | null;
  source_created_at: Date | string | null;
  source_updated_at: Date | string | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface CwMessagesTable extends Scoped {
  id: string;
  account_id: number;
  message_id: number;
  conversation_global_id: string;
  contact_global_id: string | null;
  sender_type: string | null;
  sender_id: number | null;
  private: boolean;
  message_type: number;
  content_type: string | null;
  content: string | null;
  data: Json<Record<string, unknown>>;
  source_created_at: Date | string | null;
  source_updated_at: Date | string | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export type EmbeddingStatus = 'pending' | 'processing' | 'ready' | 'failed';

export interface RagChunksTable extends Scoped {
  id: Generated<string>;
  message_global_id: string;
  conversation_global_id: string;
  /** Generated from the id's prefix (0025_linear.sql, extended by 0029_attio.sql). */
  source_kind: ColumnType<'chatwoot' | 'linear' | 'attio', never, never>;
  /** The Chatwoot message a chunk belongs to; null for Linear and Attio chunks (generated). */
  cw_message_ref: ColumnType<string | null, never, never>;
  chunk_index: number;
  text: string;
  text_hash: string;
  embedding: string | null;
  embedding_status: Generated<EmbeddingStatus>;
  embedding_model: string | null;
  embedding_attempts: Generated<number>;
  embedding_error: string | null;
  processing_started_at: Date | string | null;
  last_embedded_at: Date | string | null;
  search_tsv: ColumnType<string, never, never>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface SyncWatermarksTable extends Scoped {
  source: string;
  cursor_ts: Date | string | null;
  cursor_id: string | null;
  meta: Json<Record<string, unknown>>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export type RunStatus = 'queued' | 'running' | 'ok' | 'failed';

export interface JobRunsTable extends Scoped {
  id: Generated<string>;
  job_name: string;
  status: Generated<RunStatus>;
  trigger: Generated<'manual' | 'schedule' | 'system'>;
  phase: string | null;
  processed: Generated<number>;
  total: number | null;
  counts: Json<Record<string, number>>;
  error: string | null;
  meta: Json<Record<string, unknown>>;
  worker_id: string | null;
  heartbeat_at: Date | string | null;
  started_at: Date | string | null;
  finished_at: Date | string | null;
  /** Deliveries so far (migration 0005); above 1 after a crash or hand-back. */
  attempt: Generated<number>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export type JobType =
  | 'chatwoot_sync'
  | 'embeddings_run'
  | 'outbound_process'
  | 'signals_run'
  | 'linear_sync'
  | 'attio_sync';

export interface ScheduledJobsTable extends Scoped {
  id: Generated<string>;
  job_type: JobType;
  cadence_seconds: number;
  next_run_at: Timestamp;
  enabled: Generated<boolean>;
  last_status: RunStatus | 'skipped' | null;
  last_error: string | null;
  last_run_at: Date | string | null;
  consecutive_failures: Generated<number>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface WorkerRunsTable extends Scoped {
  id: Generated<string>;
  worker_id: string;
  trigger: Generated<'timer' | 'manual'>;
  due: Json<unknown[]>;
  enqueued: Json<unknown[]>;
  skipped: Json<unknown[]>;
  started_at: Timestamp;
  finished_at: Date | string | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export type OutboundStatus =
  'draft' | 'approved' | 'sent' | 'failed' | 'blocked_opt_out' | 'cancelled';

export interface EvidenceRef {
  source:
    | 'cw_messages'
    | 'cw_conversations'
    | 'rag_chunks'
    | 'lin_issues'
    | 'lin_comments'
    | 'att_notes'
    | 'att_tasks'
    | 'external';
  ref: string;
  snippet?: string;
  meta?: Record<string, unknown>;
}

export interface OutboundMessagesTable extends Scoped {
  id: Generated<string>;
  channel: 'chatwoot' | 'email';
  recipient_ref: string;
  contact_global_id: string | null;
  conversation_global_id: string | null;
  payload: Json<{ content: string; subject?: string }>;
  status: Generated<OutboundStatus>;
  block_reason: string | null;
  idempotency_key: string;
  dedupe_key: string | null;
  max_retries: Generated<number>;
  retry_count: Generated<number>;
  next_attempt_at: Date | string | null;
  last_error: string | null;
  evidence_refs: Json<EvidenceRef[]>;
  created_by: string | null;
  approved_by: string | null;
  approved_at: Date | string | null;
  sent_at: Date | string | null;
  cancelled_at: Date | string | null;
  provider_message_id: string | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface OutboundAttemptsTable extends Scoped {
  id: Generated<string>;
  outbound_message_id: string;
  attempt_no: number;
  status: Generated<'reserved' | 'succeeded' | 'failed'>;
  provider_handle: string | null;
  request_summary: Json<Record<string, unknown>>;
  provider_response: Json<Record<string, unknown>> | null;
  error: string | null;
  duration_ms: number | null;
  /** Until when a `reserved` attempt is presumed alive (migration 0006); null once finished. */
  lease_until: Date | string | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface ContactChannelPoliciesTable extends Scoped {
  id: Generated<string>;
  contact_global_id: string;
  channel: 'chatwoot' | 'email';
  opted_out: Generated<boolean>;
  opted_out_at: Date | string | null;
  stop_on_reply: Generated<boolean>;
  max_per_window: number | null;
  window_hours: number | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface AuditEventsTable {
  id: Generated<number>;
  project_id: string | null;
  account_scope_id: string | null;
  actor: string;
  action: string;
  entity_type: string;
  entity_id: string | null;
  status: Generated<string>;
  payload: Json<Record<string, unknown>>;
  evidence_refs: Json<EvidenceRef[]>;
  request_id: string | null;
  prev_hash: string | null;
  hash: string | null;
  created_at: CreatedAt;
}

export interface EvidenceItemsTable extends Scoped {
  id: Generated<string>;
  /** The check of db/migrations/0001_initial_schema.sql: message evidence and the audit trail. */
  source: 'cw_messages' | 'cw_conversations' | 'rag_chunks' | 'audit_events' | 'external';
  ref: string;
  snippet: string | null;
  search_text: string;
  search_tsv: ColumnType<string | null, never, never>;
  meta: Json<Record<string, unknown>>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export type PeopleSourceKind = 'chatwoot_account' | 'linear_workspace' | 'attio_workspace';

export interface OrganizationsTable extends Scoped {
  id: Generated<string>;
  name: string | null;
  domains: string[];
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export type SignalStatus = 'open' | 'snoozed' | 'resolved' | 'dismissed';

/** migrations/0020_signals.sql; the JSON columns hold the detectors' shapes (detectors/types.ts). */
export interface SignalsTable extends Scoped {
  id: Generated<string>;
  kind: string;
  severity: 'info' | 'warning' | 'critical';
  status: Generated<SignalStatus>;
  snoozed_until: Date | string | null;
  title: string;
  detail: Generated<string>;
  due_at: Date | string | null;
  subject: Json<Record<string, string>>;
  subject_key: string;
  evidence_refs: Json<EvidenceRef[]>;
  attributes: Json<Record<string, string | number | boolean | null>>;
  detector: string;
  detector_version: string;
  fingerprint: string;
  first_seen_at: Timestamp;
  last_seen_at: Timestamp;
  resolved_at: Date | string | null;
  resolution: string | null;
  resolved_by: string | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface PeopleTable extends Scoped {
  id: Generated<string>;
  name: string | null;
  /** Normalised and sorted. */
  emails: string[];
  phones: string[];
  organization_id: string | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

interface LinkColumns extends Scoped {
  id: Generated<string>;
  source_kind: PeopleSourceKind;
  entity: string;
  external_id: string;
  value: string | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface PersonLinksTable extends LinkColumns {
  person_id: string;
  matched_on: 'email' | 'phone' | 'manual' | null;
}

export interface OrganizationLinksTable extends LinkColumns {
  organization_id: string;
  matched_on: 'domain' | 'manual' | null;
}

export interface PersonDecisionsTable extends Scoped {
  id: Generated<string>;
  kind: 'merge' | 'apart';
  a_source_kind: PeopleSourceKind;
  a_entity: string;
  a_external_id: string;
  b_source_kind: PeopleSourceKind;
  b_entity: string;
  b_external_id: string;
  created_by: string | null;
  created_at: CreatedAt;
}

/** One daily digest per user and day (signals/digest.ts). */
export interface SignalDigestsTable {
  user_id: string;
  day: string;
  channel: ColumnType<'email' | 'webhook', 'email' | 'webhook' | undefined, 'email' | 'webhook'>;
  state: 'sending' | 'sent' | 'unknown' | 'failed';
  message_id: string;
  signal_count: number;
  claimed_by: string;
  claimed_at: Timestamp;
  sent_at: Date | string | null;
  attempts: Generated<number>;
  last_error: string | null;
}

/** One-click unsubscribe links of digest emails (migration 0027); only the hash is stored. */
export interface DigestUnsubscribeTokensTable {
  token_hash: string;
  user_id: string;
  created_at: CreatedAt;
  used_at: Date | string | null;
}

/** The last message each conversation was sent to the `llm` detector at (migration 0027). */
export interface SignalLlmChecksTable extends Scoped {
  conversation_id: string;
  last_message_at: Date | string;
  checked_at: Generated<Date>;
}

/** Columns every lin_* table shares (db/migrations/0025_linear.sql). */
interface LinearRow extends Scoped {
  id: string;
  organization_id: string;
  source_updated_at: Date | string;
  archived_at: Date | string | null;
  data: Json<Record<string, unknown>>;
  content_hash: string;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface LinUsersTable extends LinearRow {
  name: string;
  email: string;
}

export interface LinCustomersTable extends LinearRow {
  name: string;
  domains: string[];
  url: string;
}

export interface LinProjectsTable extends LinearRow {
  name: string;
  url: string;
}

export interface LinIssuesTable extends LinearRow {
  identifier: string;
  title: string;
  description: string | null;
  url: string;
  state_type: string;
  priority: number;
  due_date: string | null;
  assignee_id: string | null;
  linear_project_id: string | null;
  source_created_at: Date | string;
}

export interface LinCommentsTable extends LinearRow {
  issue_id: string | null;
  body: string;
  url: string;
  user_id: string | null;
  source_created_at: Date | string;
}

/** Columns every att_* table shares (db/migrations/0029_attio.sql). */
interface AttioRow extends Scoped {
  id: string;
  workspace_id: string;
  source_created_at: Date | string;
  data: Json<Record<string, unknown>>;
  content_hash: string;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface AttMembersTable extends AttioRow {
  first_name: string;
  last_name: string;
  email: string;
  access_level: string;
}

/** An Attio record of a standard object. */
interface AttioRecordRow extends AttioRow {
  object_id: string;
  name: string | null;
  web_url: string;
}

export interface AttCompaniesTable extends AttioRecordRow {
  domains: string[];
}

export interface AttPeopleTable extends AttioRecordRow {
  emails: string[];
  phones: string[];
  company_id: string | null;
  job_title: string | null;
}

export interface AttDealsTable extends AttioRecordRow {
  stage: string | null;
  /** numeric: read back as a string. */
  value: string | number | null;
  currency: string | null;
  owner_member_id: string | null;
  company_id: string | null;
  people_ids: string[];
}

export interface AttNotesTable extends AttioRow {
  parent_object: string;
  parent_record_id: string;
  title: string;
  content_plaintext: string;
  content_markdown: string;
}

export interface AttTasksTable extends AttioRow {
  content_plaintext: string;
  deadline_at: Date | string | null;
  is_completed: boolean;
  linked_record_ids: string[];
  assignee_ids: string[];
}

export interface DB {
  account_scopes: AccountScopesTable;
  projects: ProjectsTable;
  app_users: AppUsersTable;
  sessions: SessionsTable;
  project_members: ProjectMembersTable;
  invitations: InvitationsTable;
  api_tokens: ApiTokensTable;
  login_attempts: LoginAttemptsTable;
  project_sources: ProjectSourcesTable;
  cw_contacts: CwContactsTable;
  cw_conversations: CwConversationsTable;
  cw_messages: CwMessagesTable;
  rag_chunks: RagChunksTable;
  lin_users: LinUsersTable;
  lin_customers: LinCustomersTable;
  lin_projects: LinProjectsTable;
  lin_issues: LinIssuesTable;
  lin_comments: LinCommentsTable;
  att_members: AttMembersTable;
  att_companies: AttCompaniesTable;
  att_people: AttPeopleTable;
  att_deals: AttDealsTable;
  att_notes: AttNotesTable;
  att_tasks: AttTasksTable;
  sync_watermarks: SyncWatermarksTable;
  job_runs: JobRunsTable;
  scheduled_jobs: ScheduledJobsTable;
  worker_runs: WorkerRunsTable;
  outbound_messages: OutboundMessagesTable;
  outbound_attempts: OutboundAttemptsTable;
  contact_channel_policies: ContactChannelPoliciesTable;
  audit_events: AuditEventsTable;
  evidence_items: EvidenceItemsTable;
  organizations: OrganizationsTable;
  people: PeopleTable;
  person_links: PersonLinksTable;
  organization_links: OrganizationLinksTable;
  person_decisions: PersonDecisionsTable;
  signals: SignalsTable;
  signal_digests: SignalDigestsTable;
  digest_unsubscribe_tokens: DigestUnsubscribeTokensTable;
  signal_llm_checks: SignalLlmChecksTable;
}
