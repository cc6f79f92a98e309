-- Cairn's whole seed schema (../shared/seed/architecture.md, DESIGN.md §4).
-- ${EMBEDDING_DIM} is substituted by the migrator from EMBEDDING_DIM; see docs/operations.md for
-- changing it on an existing database.

create or replace function set_updated_at() returns trigger
language plpgsql as $$
begin
  new.updated_at := now();
  return new;
end
$$;

-- Rejects a row whose account scope is not its project's. Looked up in the table's own schema so
-- the function is independent of search_path; runs for the app role, which may read `projects`.
create or replace function enforce_project_scope_match() returns trigger
language plpgsql as $$
declare
  matches boolean;
begin
  if new.project_id is null and new.account_scope_id is null then
    return new;
  end if;
  execute format('select exists (select 1 from %I.projects where id = $1 and account_scope_id = $2)',
                 tg_table_schema)
    into matches using new.project_id, new.account_scope_id;
  if not matches then
    raise exception 'scope mismatch on %: account_scope_id % is not the scope of project %',
      tg_table_name, new.account_scope_id, new.project_id
      using errcode = 'check_violation', table = tg_table_name;
  end if;
  return new;
end
$$;

create table account_scopes (
  id uuid primary key default gen_random_uuid(),
  scope_key text not null unique check (length(scope_key) between 1 and 120),
  name text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table projects (
  id uuid primary key default gen_random_uuid(),
  account_scope_id uuid not null references account_scopes (id),
  name text not null check (length(name) between 2 and 160),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (id, account_scope_id)
);

create table app_users (
  id uuid primary key default gen_random_uuid(),
  username text not null check (length(username) between 1 and 120),
  password_hash text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index app_users_username_key on app_users (lower(username));

-- session_id is the SHA-256 of the cookie value: a database dump yields no live cookie.
create table sessions (
  session_id text primary key check (session_id ~ '^[0-9a-f]{64}$'),
  user_id uuid not null references app_users (id) on delete cascade,
  active_project_id uuid references projects (id) on delete set null,
  csrf_token text not null,
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  expires_at timestamptz not null,
  updated_at timestamptz not null default now()
);
create index sessions_user_id_idx on sessions (user_id);
create index sessions_expires_at_idx on sessions (expires_at);

-- Failed logins per (ip, username), kept in Postgres so the limit holds across processes.
create table login_attempts (
  id bigint generated always as identity primary key,
  attempt_key text not null,
  attempted_at timestamptz not null default now()
);
create index login_attempts_key_time_idx on login_attempts (attempt_key, attempted_at);

create table project_sources (
  id uuid primary key default gen_random_uuid(),
  project_id uuid not null references projects (id) on delete cascade,
  account_scope_id uuid not null references account_scopes (id),
  source_kind text not null check (source_kind in ('chatwoot_account')),
  external_id text not null,
  base_url text not null,
  account_id integer not null check (account_id > 0),
  api_token_enc text not null,
  webhook_secret_enc text,
  webhook_url_token_hash text,
  settings jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (source_kind, external_id),
  unique (project_id, source_kind),
  unique (project_id, id)
);

create table cw_contacts (
  id text primary key check (id like 'cwc:%'),
  project_id uuid not null references projects (id) on delete cascade,
  account_scope_id uuid not null references account_scopes (id),
  account_id integer not null,
  contact_id bigint not null,
  name text,
  email text,
  phone text,
  identifier text,
  custom_attributes jsonb not null default '{}'::jsonb,
  data jsonb not null default '{}'::jsonb,
  source_created_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (project_id, id)
);
create index cw_contacts_project_name_idx on cw_contacts (project_id, lower(name));

create table cw_conversations (
  id text primary key check (id like 'cw:%'),
  project_id uuid not null references projects (id) on delete cascade,
  account_scope_id uuid not null references account_scopes (id),
  account_id integer not null,
  conversation_id bigint not null,
  inbox_id bigint,
  status text,
  assignee_id bigint,
  contact_global_id text,
  data jsonb not null default '{}'::jsonb,
  last_activity_at timestamptz,
  source_created_at timestamptz,
  source_updated_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (project_id, id)
);
create index cw_conversations_project_activity_idx
  on cw_conversations (project_id, last_activity_at desc, id desc);
create index cw_conversations_project_contact_idx on cw_conversations (project_id, contact_global_id);

create table cw_messages (
  id text primary key check (id like 'cwmsg:%'),
  project_id uuid not null references projects (id) on delete cascade,
  account_scope_id uuid not null references account_scopes (id),
  account_id integer not null,
  message_id bigint not null,
  conversation_global_id text not null,
  contact_global_id text,
  sender_type text,
  sender_id bigint,
  private boolean not null default false,
  message_type smallint not null,
  content_type text,
  content text,
  data jsonb not null default '{}'::jsonb,
  source_created_at timestamptz,
  source_updated_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (project_id, id),
  -- Composite: foreign-key checks bypass row-level security, so the key carries the project.
  foreign key (project_id, conversation_global_id)
    references cw_conversations (project_id, id) on delete cascade
);
create index cw_messages_conversation_idx on cw_messages (project_id, conversation_global_id, message_id);
create index cw_messages_project_created_idx on cw_messages (project_id, source_created_at desc);
create index cw_messages_contact_idx on cw_messages (project_id, contact_global_id, source_created_at desc);

create table rag_chunks (
  id uuid primary key default gen_random_uuid(),
  project_id uuid not null references projects (id) on delete cascade,
  account_scope_id uuid not null references account_scopes (id),
  message_global_id text not null,
  conversation_global_id text not null,
  chunk_index integer not null check (chunk_index >= 0),
  text text not null,
  text_hash text not null,
  embedding vector(${EMBEDDING_DIM}),
  embedding_status text not null default 'pending'
    check (embedding_status in ('pending', 'processing', 'ready', 'failed')),
  embedding_model text,
  embedding_attempts integer not null default 0,
  embedding_error text,
  processing_started_at timestamptz,
  last_embedded_at timestamptz,
  -- simple keeps exact tokens (names, numbers, typos' neighbours); russian and english add stems.
  search_tsv tsvector generated always as (
    to_tsvector('simple', text) || to_tsvector('russian', text) || to_tsvector('english', text)
  ) stored,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (message_global_id, chunk_index),
  unique (project_id, id),
  foreign key (project_id, message_global_id) references cw_messages (project_id, id) on delete cascade
);
create index rag_chunks_status_idx on rag_chunks (embedding_status, project_id);
create index rag_chunks_project_idx on rag_chunks (project_id, conversation_global_id);
create index rag_chunks_search_tsv_idx on rag_chunks using gin (search_tsv);

create table sync_watermarks (
  project_id uuid not null references projects (id) on delete cascade,
  account_scope_id uuid not null references account_scopes (id),
  source text not null,
  cursor_ts timestamptz,
  cursor_id text,
  meta jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (project_id, source)
);

create table job_runs (
  id uuid primary key default gen_random_uuid(),
  project_id uuid not null references projects (id) on delete cascade,
  account_scope_id uuid not null references account_scopes (id),
  job_name text not null,
  status text not null default 'queued' check (status in ('queued', 'running', 'ok', 'failed')),
  trigger text not null default 'manual' check (trigger in ('manual', 'schedule', 'system')),
  phase text,
  processed integer not null default 0,
  total integer,
  counts jsonb not null default '{}'::jsonb,
  error text,
  meta jsonb not null default '{}'::jsonb,
  worker_id text,
  heartbeat_at timestamptz,
  started_at timestamptz,
  finished_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (project_id, id)
);
create index job_runs_project_created_idx on job_runs (project_id, created_at desc, id desc);
create index job_runs_project_job_status_idx on job_runs (project_id, job_name, status);

create table scheduled_jobs (
  id uuid primary key default gen_random_uuid(),
  project_id uuid not null references projects (id) on delete cascade,
  account_scope_id uuid not null references account_scopes (id),
  job_type text not null check (job_type in ('chatwoot_sync', 'embeddings_run', 'outbound_process')),
  cadence_seconds integer not null check (cadence_seconds >= 10),
  next_run_at timestamptz not null default now(),
  enabled boolean not null default true,
  last_status text check (last_status in ('queued', 'running', 'ok', 'failed', 'skipped')),
  last_error text,
  last_run_at timestamptz,
  consecutive_failures integer not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (project_id, job_type),
  unique (project_id, id)
);
create index scheduled_jobs_due_idx on scheduled_jobs (next_run_at) where enabled;

create table worker_runs (
  id uuid primary key default gen_random_uuid(),
  project_id uuid not null references projects (id) on delete cascade,
  account_scope_id uuid not null references account_scopes (id),
  worker_id text not null,
  trigger text not null default 'timer' check (trigger in ('timer', 'manual')),
  due jsonb not null default '[]'::jsonb,
  enqueued jsonb not null default '[]'::jsonb,
  skipped jsonb not null default '[]'::jsonb,
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index worker_runs_project_created_idx on worker_runs (project_id, created_at desc);

create table outbound_messages (
  id uuid primary key default gen_random_uuid(),
  project_id uuid not null references projects (id) on delete cascade,
  account_scope_id uuid not null references account_scopes (id),
  channel text not null check (channel in ('chatwoot', 'email')),
  recipient_ref text not null,
  contact_global_id text,
  conversation_global_id text,
  payload jsonb not null,
  status text not null default 'draft'
    check (status in ('draft', 'approved', 'sent', 'failed', 'blocked_opt_out', 'cancelled')),
  block_reason text,
  idempotency_key text not null,
  dedupe_key text,
  max_retries integer not null default 3 check (max_retries between 0 and 20),
  retry_count integer not null default 0,
  next_attempt_at timestamptz,
  last_error text,
  evidence_refs jsonb not null default '[]'::jsonb,
  created_by uuid references app_users (id) on delete set null,
  approved_by uuid references app_users (id) on delete set null,
  approved_at timestamptz,
  sent_at timestamptz,
  cancelled_at timestamptz,
  provider_message_id text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (project_id, idempotency_key),
  unique (project_id, dedupe_key),
  unique (project_id, id)
);
create index outbound_messages_project_status_idx on outbound_messages (project_id, status, created_at desc);

create table outbound_attempts (
  id uuid primary key default gen_random_uuid(),
  project_id uuid not null references projects (id) on delete cascade,
  account_scope_id uuid not null references account_scopes (id),
  outbound_message_id uuid not null,
  attempt_no integer not null check (attempt_no >= 1),
  status text not null default 'reserved' check (status in ('reserved', 'succeeded', 'failed')),
  provider_handle text,
  request_summary jsonb not null default '{}'::jsonb,
  provider_response jsonb,
  error text,
  duration_ms integer,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (outbound_message_id, attempt_no),
  foreign key (project_id, outbound_message_id)
    references outbound_messages (project_id, id) on delete cascade
);

create table contact_channel_policies (
  id uuid primary key default gen_random_uuid(),
  project_id uuid not null references projects (id) on delete cascade,
  account_scope_id uuid not null references account_scopes (id),
  contact_global_id text not null,
  channel text not null check (channel in ('chatwoot', 'email')),
  opted_out boolean not null default false,
  opted_out_at timestamptz,
  stop_on_reply boolean not null default false,
  max_per_window integer check (max_per_window is null or max_per_window >= 1),
  window_hours integer check (window_hours is null or window_hours >= 1),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (project_id, contact_global_id, channel)
);

-- Append-only and hash-chained per project; the issue on outbound adds the guard triggers.
create table audit_events (
  id bigint generated always as identity primary key,
  project_id uuid references projects (id) on delete restrict,
  account_scope_id uuid references account_scopes (id),
  actor text not null,
  action text not null,
  entity_type text not null,
  entity_id text,
  status text not null default 'ok',
  payload jsonb not null default '{}'::jsonb,
  evidence_refs jsonb not null default '[]'::jsonb,
  request_id text,
  prev_hash text,
  hash text,
  created_at timestamptz not null default now()
);
create index audit_events_project_created_idx on audit_events (project_id, id desc);
create index audit_events_project_action_idx on audit_events (project_id, action, id desc);

create table evidence_items (
  id uuid primary key default gen_random_uuid(),
  project_id uuid not null references projects (id) on delete cascade,
  account_scope_id uuid not null references account_scopes (id),
  source text not null check (source in ('cw_messages', 'cw_conversations', 'rag_chunks', 'audit_events', 'external')),
  ref text not null,
  snippet text,
  search_text text not null,
  search_tsv tsvector generated always as (
    to_tsvector('simple', search_text) || to_tsvector('russian', search_text) || to_tsvector('english', search_text)
  ) stored,
  meta jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (project_id, source, ref)
);
create index evidence_items_search_tsv_idx on evidence_items using gin (search_tsv);

-- Scope guard and row-level security on every table that carries (project_id, account_scope_id).
do $$
declare
  t text;
begin
  foreach t in array array[
    'project_sources', 'cw_contacts', 'cw_conversations', 'cw_messages', 'rag_chunks',
    'sync_watermarks', 'job_runs', 'scheduled_jobs', 'worker_runs', 'outbound_messages',
    'outbound_attempts', 'contact_channel_policies', 'audit_events', 'evidence_items'
  ] loop
    -- Triggers fire in name order; the leading 00 makes the scope check run before any other.
    execute format('create trigger %I before insert or update on %I for each row execute function enforce_project_scope_match()',
                   '00_scope_match', t);
    execute format('alter table %I enable row level security', t);
    execute format('alter table %I force row level security', t);
    execute format($p$create policy project_isolation on %I
                     using (project_id = nullif(current_setting('app.project_id', true), '')::uuid)
                     with check (project_id = nullif(current_setting('app.project_id', true), '')::uuid)$p$, t);
  end loop;
end
$$;

do $$
declare
  t text;
begin
  foreach t in array array[
    'account_scopes', 'projects', 'app_users', 'sessions', 'project_sources', 'cw_contacts',
    'cw_conversations', 'cw_messages', 'rag_chunks', 'sync_watermarks', 'job_runs',
    'scheduled_jobs', 'worker_runs', 'outbound_messages', 'outbound_attempts',
    'contact_channel_policies', 'evidence_items'
  ] loop
    execute format('create trigger %I before update on %I for each row execute function set_updated_at()',
                   t || '_updated_at', t);
  end loop;
end
$$;
