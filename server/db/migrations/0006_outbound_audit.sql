-- Outbound safety and the audit trail (issue 7): the database itself refuses a send that was not
-- approved, an illegal state change, a second live delivery attempt, and any rewrite of history.

-- ---------------------------------------------------------------------------------------------
-- Outbound state machine. The TypeScript table in modules/outbound/state-machine.ts mirrors this
-- list; the trigger is the wall that holds even for code that forgets to ask.
create or replace function outbound_transition_allowed(from_status text, to_status text)
returns boolean
language sql immutable as $$
  select (from_status, to_status) in (
    ('draft', 'approved'), ('draft', 'cancelled'),
    ('approved', 'draft'), ('approved', 'sent'), ('approved', 'failed'),
    ('approved', 'blocked_opt_out'), ('approved', 'cancelled'),
    ('failed', 'approved'), ('failed', 'blocked_opt_out'), ('failed', 'cancelled'))
$$;

-- SQLSTATE OB409 is mapped to the API's 409 invalid_transition (modules/outbound/sql-errors.ts).
create or replace function enforce_outbound_transition() returns trigger
language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    if new.status <> 'draft' then
      raise exception 'invalid_transition: an outbound message is created as a draft, not %', new.status
        using errcode = 'OB409', detail = json_build_object('from', null, 'to', new.status)::text;
    end if;
    return new;
  end if;
  if new.status is distinct from old.status
     and not outbound_transition_allowed(old.status, new.status) then
    raise exception 'invalid_transition: % -> %', old.status, new.status
      using errcode = 'OB409', detail = json_build_object('from', old.status, 'to', new.status)::text;
  end if;
  if new.status = 'approved' and (new.approved_by is null or new.approved_at is null) then
    raise exception 'invalid_transition: approval needs approved_by and approved_at'
      using errcode = 'OB409', detail = json_build_object('from', old.status, 'to', new.status)::text;
  end if;
  -- What is sent must be exactly what was approved: content changes only on a draft.
  if (new.payload is distinct from old.payload or new.recipient_ref is distinct from old.recipient_ref
      or new.channel is distinct from old.channel)
     and new.status <> 'draft' then
    raise exception 'invalid_transition: content of a % message cannot change', old.status
      using errcode = 'OB409', detail = json_build_object('from', old.status, 'to', new.status)::text;
  end if;
  return new;
end
$$;

create trigger outbound_messages_transition
  before insert or update on outbound_messages
  for each row execute function enforce_outbound_transition();

-- A delivery attempt may only be reserved for an approved message, and a message has at most one
-- live (reserved) attempt: this is what makes twenty concurrent sends deliver once.
alter table outbound_attempts add column lease_until timestamptz;
create unique index outbound_attempts_one_reserved_idx
  on outbound_attempts (outbound_message_id) where status = 'reserved';
create index outbound_attempts_project_created_idx
  on outbound_attempts (project_id, created_at desc);

create or replace function enforce_attempt_on_approved() returns trigger
language plpgsql as $$
declare
  current_status text;
begin
  select status into current_status from outbound_messages
    where id = new.outbound_message_id and project_id = new.project_id;
  if current_status is distinct from 'approved' then
    raise exception 'invalid_transition: cannot attempt delivery of a % message', coalesce(current_status, 'missing')
      using errcode = 'OB409', detail = json_build_object('from', current_status, 'to', 'sent')::text;
  end if;
  return new;
end
$$;

create trigger outbound_attempts_approved_only
  before insert on outbound_attempts
  for each row execute function enforce_attempt_on_approved();

-- Frequency caps count sent messages per contact and channel over a window.
create index outbound_messages_contact_sent_idx
  on outbound_messages (project_id, contact_global_id, channel, sent_at desc) where status = 'sent';
create index outbound_messages_due_idx
  on outbound_messages (project_id, next_attempt_at) where status in ('approved', 'failed');

-- ---------------------------------------------------------------------------------------------
-- Idempotency keys (Stripe semantics, see docs/outbound.md): one row per (project, method, route,
-- key) holding the request's canonical hash, an in-flight lease, and the first response to replay.
-- Rows are kept at least 24 hours and pruned after.
create table idempotency_keys (
  id bigint generated always as identity primary key,
  project_id uuid not null references projects (id) on delete cascade,
  account_scope_id uuid not null references account_scopes (id),
  user_id uuid references app_users (id) on delete set null,
  method text not null,
  route text not null,
  idempotency_key text not null check (length(idempotency_key) between 1 and 255),
  request_hash text not null,
  status text not null default 'in_flight' check (status in ('in_flight', 'completed')),
  response_status integer,
  response_body jsonb,
  locked_until timestamptz not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (project_id, method, route, idempotency_key)
);
create index idempotency_keys_created_idx on idempotency_keys (created_at);

-- ---------------------------------------------------------------------------------------------
-- One-click unsubscribe (RFC 8058): the link carries an opaque token; only its SHA-256 is stored.
create table unsubscribe_tokens (
  token_hash text primary key check (token_hash ~ '^[0-9a-f]{64}$'),
  project_id uuid not null references projects (id) on delete cascade,
  account_scope_id uuid not null references account_scopes (id),
  contact_global_id text not null,
  channel text not null check (channel in ('chatwoot', 'email')),
  outbound_message_id uuid,
  used_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index unsubscribe_tokens_message_idx on unsubscribe_tokens (project_id, outbound_message_id);

do $$
declare
  t text;
begin
  foreach t in array array['idempotency_keys', 'unsubscribe_tokens'] loop
    execute format('create trigger %I before insert or update on %I for each row execute function enforce_project_scope_match()',
                   t || '_scope_match', t);
    execute format('alter table %I enable row level security', t);
    execute format('alter table %I force row level security', t);
    execute format($p$create policy project_isolation on %I
                     using (project_id = nullif(current_setting('app.project_id', true), '')::uuid)
                     with check (project_id = nullif(current_setting('app.project_id', true), '')::uuid)$p$, t);
    execute format('create trigger %I before update on %I for each row execute function set_updated_at()',
                   t || '_updated_at', t);
  end loop;
end
$$;

-- ---------------------------------------------------------------------------------------------
-- Audit trail: append-only and hash-chained per project (account-level events form one more
-- chain). Each row's hash covers the previous row's hash of its chain and its own canonical
-- content, so editing, inserting or deleting a row in the middle breaks every later link.

create or replace function reject_audit_rewrite() returns trigger
language plpgsql as $$
begin
  raise exception 'audit_events is append-only (% rejected)', tg_op
    using errcode = 'insufficient_privilege';
end
$$;

create trigger audit_events_no_update before update on audit_events
  for each row execute function reject_audit_rewrite();
create trigger audit_events_no_delete before delete on audit_events
  for each row execute function reject_audit_rewrite();
create trigger audit_events_no_truncate before truncate on audit_events
  for each statement execute function reject_audit_rewrite();

-- The canonical content: a jsonb object (whose text form is deterministic) of every column but
-- the hash itself, timestamps at microsecond precision in UTC.
create or replace function audit_event_digest(e audit_events) returns text
language sql stable as $$
  select encode(sha256(convert_to(coalesce(e.prev_hash, '') || '|' || jsonb_build_object(
    'id', e.id,
    'project_id', e.project_id,
    'account_scope_id', e.account_scope_id,
    'actor', e.actor,
    'action', e.action,
    'entity_type', e.entity_type,
    'entity_id', e.entity_id,
    'status', e.status,
    'payload', e.payload,
    'evidence_refs', e.evidence_refs,
    'request_id', e.request_id,
    'created_at', to_char(e.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
  )::text, 'UTF8')), 'hex')
$$;

-- Chain heads live outside `public`, where the app role has no grant: only the trigger (running
-- as the migration owner) moves a head, so the app cannot fork a chain.
create schema if not exists audit_private;
create table audit_private.chain_heads (
  chain_key text primary key,
  last_id bigint not null,
  last_hash text not null,
  updated_at timestamptz not null default now()
);

create or replace function audit_chain_key(project uuid) returns text
language sql immutable as $$ select coalesce(project::text, 'account') $$;

create or replace function chain_audit_event() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
declare
  key text := audit_chain_key(new.project_id);
  previous text;
begin
  -- One writer per chain at a time: the lock is held to commit, so the next writer reads this
  -- row's hash as its previous one. Other projects' chains are not blocked.
  perform pg_advisory_xact_lock(hashtextextended('cairn.audit:' || key, 0));
  -- The id was drawn before the lock; draw it again under the lock, so that within a chain id
  -- order is chain order (a concurrent writer that drew an earlier id may commit later).
  new.id := nextval(pg_get_serial_sequence('public.audit_events', 'id'));
  select last_hash into previous from audit_private.chain_heads where chain_key = key;
  new.created_at := coalesce(new.created_at, now());
  new.prev_hash := previous;
  new.hash := audit_event_digest(new);
  insert into audit_private.chain_heads (chain_key, last_id, last_hash)
    values (key, new.id, new.hash)
    on conflict (chain_key) do update
      set last_id = excluded.last_id, last_hash = excluded.last_hash, updated_at = now();
  return new;
end
$$;

create trigger audit_events_chain before insert on audit_events
  for each row execute function chain_audit_event();

-- The head's hash, so verification also notices rows cut off the end of a chain.
create or replace function audit_chain_head(project uuid)
returns table (last_id bigint, last_hash text)
language sql stable security definer set search_path = public, pg_temp as $$
  select last_id, last_hash from audit_private.chain_heads where chain_key = audit_chain_key(project)
$$;

-- Every project audit row becomes searchable evidence ("who approved the proposal to Anna?").
create or replace function index_audit_event() returns trigger
language plpgsql as $$
begin
  if new.project_id is null then
    return null;
  end if;
  insert into evidence_items (project_id, account_scope_id, source, ref, snippet, search_text, meta)
  values (
    new.project_id, new.account_scope_id, 'audit_events', new.id::text,
    left(new.action || ' ' || new.entity_type || coalesce(' ' || new.entity_id, '') || ' by ' || new.actor, 280),
    left(concat_ws(' ', new.action, new.entity_type, new.entity_id, new.status, new.actor, new.payload::text), 100000),
    jsonb_build_object('action', new.action, 'entity_type', new.entity_type, 'entity_id', new.entity_id,
                       'status', new.status, 'actor', new.actor, 'created_at', new.created_at))
  on conflict (project_id, source, ref) do nothing;
  return null;
end
$$;

create trigger audit_events_index_evidence after insert on audit_events
  for each row execute function index_audit_event();

create index audit_events_project_entity_idx on audit_events (project_id, entity_id, id desc);
