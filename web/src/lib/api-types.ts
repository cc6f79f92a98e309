/**
 * Response shapes the UI relies on. Until each server module publishes its TypeBox schemas in
 * @cairn/contract these are local, minimal and tolerant (optional where the issue leaves room);
 * switch a type to `Static<typeof XSchema>` from '@cairn/contract' when that module lands.
 */

import type { Me as ContractMe, Project, Source } from '@cairn/contract';

export type { Project, Source };
export type Me = ContractMe & { demo?: boolean };

export interface Health {
  status?: string;
  demo?: boolean;
  version?: string;
}

export interface CompletenessRow {
  conversation_global_id: string;
  conversation_id?: number | string;
  source_message_count?: number | null;
  stored_message_count?: number | null;
  source_newest_message_id?: number | string | null;
  stored_newest_message_id?: number | string | null;
  source_newest_at?: string | null;
  stored_newest_at?: string | null;
  complete?: boolean;
  checked_at?: string | null;
}

export interface Completeness {
  percent?: number | null;
  conversations_total?: number;
  conversations_complete?: number;
  conversations: CompletenessRow[];
}

export type JobName = 'chatwoot_sync' | 'embeddings_run' | 'outbound_process' | string;

export interface JobRun {
  id: string;
  job_name: JobName;
  status: 'queued' | 'running' | 'ok' | 'failed' | string;
  started_at?: string | null;
  finished_at?: string | null;
  error?: string | null;
  counts?: Record<string, number> | null;
  meta?: Record<string, unknown> | null;
  progress?: { processed?: number; total?: number | null; phase?: string | null } | null;
}

export interface ScheduledJob {
  id: string;
  job_type: JobName;
  cadence_seconds: number;
  enabled: boolean;
  next_run_at: string | null;
  last_run_at?: string | null;
  last_status?: string | null;
  last_error?: string | null;
}

export interface JobsStatus {
  latest_runs?: Record<string, JobRun | null> | JobRun[];
  rag_counts?: Record<string, number>;
  entity_counts?: Record<string, number>;
  counts?: Record<string, number>;
  storage?: {
    database_bytes?: number;
    budget_bytes?: number;
    budget_gb?: number;
    usage_percent?: number;
    largest_tables?: { name?: string; table?: string; bytes: number }[];
  };
  watermarks?: { source: string; cursor_ts?: string | null; cursor_id?: string | null }[];
}

export interface SearchFilters {
  from?: string;
  to?: string;
  conversation_global_id?: string;
  contact_global_id?: string;
  sender_type?: string;
}

export interface SearchHit {
  chunk_id: string;
  message_global_id: string;
  conversation_global_id: string;
  contact_global_id?: string | null;
  contact_name?: string | null;
  sender_type?: string | null;
  message_created_at?: string | null;
  created_at?: string | null;
  snippet: string;
  text?: string;
  scores?: { vector?: number | null; text?: number | null; fused?: number | null };
  score?: number;
  vector_score?: number | null;
  text_score?: number | null;
  fused_score?: number | null;
  deep_link?: string | null;
  link?: string | null;
}

export interface Contact {
  id: string;
  contact_id?: number | string;
  name?: string | null;
  email?: string | null;
  phone_number?: string | null;
  phone?: string | null;
  identifier?: string | null;
  updated_at?: string | null;
  created_at?: string | null;
}

export interface Conversation {
  id: string;
  conversation_id?: number | string;
  status?: string | null;
  inbox_id?: number | string | null;
  assignee_id?: number | string | null;
  contact_global_id?: string | null;
  contact_name?: string | null;
  last_activity_at?: string | null;
  updated_at?: string | null;
  created_at?: string | null;
  messages_count?: number;
  deep_link?: string | null;
}

export interface Message {
  id: string;
  message_id?: number | string;
  conversation_global_id: string;
  contact_global_id?: string | null;
  sender_type?: string | null;
  sender_name?: string | null;
  sender_id?: number | string | null;
  private?: boolean;
  message_type?: number | string | null;
  content?: string | null;
  created_at?: string | null;
}

export interface EvidenceRef {
  source: 'cw_messages' | 'cw_conversations' | 'rag_chunks' | 'external' | string;
  ref: string;
  snippet?: string;
  meta?: Record<string, unknown>;
}

export type OutboundStatus =
  'draft' | 'approved' | 'sent' | 'failed' | 'blocked_opt_out' | 'cancelled' | string;

export interface OutboundMessage {
  id: string;
  channel: 'chatwoot' | 'email' | string;
  recipient_ref: string;
  contact_global_id?: string | null;
  status: OutboundStatus;
  payload: { content: string; subject?: string | null };
  idempotency_key?: string;
  dedupe_key?: string | null;
  max_retries?: number;
  retry_count?: number;
  evidence_refs?: EvidenceRef[];
  block_reason?: string | null;
  last_error?: string | null;
  created_by?: string | null;
  approved_by?: string | null;
  approved_at?: string | null;
  sent_at?: string | null;
  next_attempt_at?: string | null;
  created_at: string;
  updated_at?: string | null;
}

export interface OutboundAttempt {
  id: string;
  attempt_no?: number;
  status: string;
  request_summary?: unknown;
  provider_response?: unknown;
  error?: string | null;
  duration_ms?: number | null;
  created_at?: string | null;
}

export interface PreflightCheck {
  check?: string;
  name?: string;
  ok?: boolean;
  passed?: boolean;
  decision?: string;
  reason?: string | null;
  message?: string | null;
  detail?: string | null;
  evidence?: EvidenceRef[] | EvidenceRef | null;
}

export interface Preflight {
  can_send?: boolean;
  allowed?: boolean;
  checks?: PreflightCheck[];
  decisions?: PreflightCheck[];
}

export interface ContactPolicy {
  id?: string;
  contact_global_id: string;
  channel: string;
  opted_out: boolean;
  stop_on_reply: boolean;
  max_per_window?: number | null;
  window_hours?: number | null;
  updated_at?: string | null;
}

export interface AuditEvent {
  id: string;
  action: string;
  entity_type?: string | null;
  entity_id?: string | null;
  status?: string | null;
  payload?: unknown;
  evidence_refs?: EvidenceRef[];
  request_id?: string | null;
  actor?: string | null;
  actor_username?: string | null;
  created_at: string;
  hash?: string | null;
  prev_hash?: string | null;
}

export interface AuditVerify {
  valid?: boolean;
  ok_chain?: boolean;
  checked?: number;
  events_checked?: number;
  first_broken?: { id: string; reason?: string } | string | null;
  first_broken_id?: string | null;
}

export interface Page<T> {
  items: T[];
  next_cursor?: string | null;
}
