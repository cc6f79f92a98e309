-- Signals (issue 19): what needs attention in a project, each row citing the messages it comes
-- from. Written by the detectors (server/src/modules/signals/detectors/) after every Chatwoot
-- sync and by the `signals_run` job; resolved or dismissed by people through the API.
-- Scoped like every project table: the composite key to projects (id, account_scope_id) MATCH
-- FULL, and row-level security enabled, forced and keyed to app.project_id.

create table signals (
  id uuid primary key default gen_random_uuid(),
  project_id uuid not null,
  account_scope_id uuid not null,
  kind text not null
    check (kind in ('awaiting_reply', 'commitment', 'client_deadline', 'payment', 'risk', 'stalled')),
  severity text not null check (severity in ('info', 'warning', 'critical')),
  status text not null default 'open'
    check (status in ('open', 'snoozed', 'resolved', 'dismissed')),
  snoozed_until timestamptz,
  title text not null,
  detail text not null default '',
  due_at timestamptz,
  -- { conversation_id?, contact_id?, person_id?, organization_id?, ... } (detectors/types.ts).
  subject jsonb not null default '{}'::jsonb,
  -- What the detector grouped the condition under (a conversation id): an open signal of that
  -- detector and subject that a complete run no longer reports has cleared.
  subject_key text not null,
  -- The repository's evidence ref shape, as outbound_messages.evidence_refs: never empty.
  evidence_refs jsonb not null check (jsonb_typeof(evidence_refs) = 'array'
                                      and jsonb_array_length(evidence_refs) > 0),
  attributes jsonb not null default '{}'::jsonb,
  detector text not null,
  detector_version text not null,
  -- The detector's identity of the condition: one row per condition, whatever the runs.
  fingerprint text not null,
  first_seen_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  resolved_at timestamptz,
  -- `auto: <why>` when the condition cleared, or the person's reason.
  resolution text check (length(resolution) <= 2000),
  resolved_by uuid references app_users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (project_id, fingerprint),
  unique (project_id, id),
  check ((status in ('resolved', 'dismissed')) = (resolved_at is not null)),
  constraint signals_scope_fkey foreign key (project_id, account_scope_id)
    references projects (id, account_scope_id) match full on delete cascade
);
-- GET /signals: a project's signals by status, newest first (the cursor is (created_at, id)).
create index signals_list_idx on signals (project_id, status, created_at desc, id desc);
-- Ingest: the open signals of the conversations a sync touched.
create index signals_subject_idx on signals (project_id, subject_key) where status in ('open', 'snoozed');

select enable_project_isolation('signals');

create trigger signals_updated_at before update on signals
  for each row execute function set_updated_at();

-- A project's detector settings (time zone, business hours, holidays, response target, stalled
-- thresholds: detectors/types.ts SignalSettings); what is absent takes the defaults
-- (detectors/settings.ts), so every project starts with none.
alter table projects add column signal_settings jsonb not null default '{}'::jsonb;

-- The daily digest: one row per user and day, claimed before the mail is sent
-- (server/src/modules/signals/digest.ts explains the states). Per user, not per project, so it
-- carries no project_id and no row-level security; only the worker's owner connection writes it.
create table signal_digests (
  user_id uuid not null references app_users (id) on delete cascade,
  day date not null,
  -- sending: claimed, the mail may or may not have gone out; sent: recorded after the send;
  -- unknown: a claim whose worker died (never resent: digest.ts explains why).
  state text not null check (state in ('sending', 'sent', 'unknown')),
  -- The SMTP Message-ID, derived from (user_id, day): a resend after a crash carries the same one.
  message_id text not null,
  signal_count integer not null check (signal_count >= 0),
  claimed_by text not null,
  claimed_at timestamptz not null default now(),
  sent_at timestamptz,
  attempts integer not null default 1,
  primary key (user_id, day)
);

-- The `signals_run` job (a full re-evaluation of time-based conditions) is scheduled like every
-- job type; projects created before this migration get its schedule here, new ones at creation
-- (jobs/scheduler.ts createDefaultSchedules).
alter table scheduled_jobs drop constraint if exists scheduled_jobs_job_type_check;
alter table scheduled_jobs add constraint scheduled_jobs_job_type_check
  check (job_type in ('chatwoot_sync', 'embeddings_run', 'outbound_process', 'signals_run'));
insert into scheduled_jobs (project_id, account_scope_id, job_type, cadence_seconds)
select p.id, p.account_scope_id, 'signals_run', 900 from projects p
on conflict (project_id, job_type) do nothing;
