-- Chatwoot ingestion (issue 4): the completeness ledger, webhook delivery dedupe, and where a
-- contact row's raw payload came from.

-- The contacts list and a conversation's meta.sender describe the same contact in two shapes.
-- Remembering which shape a row holds lets the sync prefer the list without the two rewriting each
-- other on every run (an unchanged row must not be rewritten).
alter table cw_contacts add column seen_via text not null default 'contacts_list'
  check (seen_via in ('contacts_list', 'conversation', 'webhook'));

-- Per conversation: what the source reported at the last sync against what that sync stored. The
-- row is written in the same transaction as the conversation's messages, so it doubles as the
-- per-conversation checkpoint: a killed sync resumes with the conversations whose source
-- `updated_at` differs from `synced_updated_at` or that are not `fetched_complete`.
create table cw_conversation_ledger (
  project_id uuid not null references projects (id) on delete cascade,
  account_scope_id uuid not null references account_scopes (id),
  conversation_global_id text not null,
  account_id integer not null,
  conversation_id bigint not null,
  -- Chatwoot's float `updated_at` (seconds with microseconds), kept exactly as a double so an
  -- unchanged conversation compares equal without a clock of ours involved.
  source_updated_at double precision,
  -- What the conversation list says is newest (its `messages[0]`), known even when the fetch fails.
  source_newest_message_id bigint,
  source_newest_at timestamptz,
  -- How many messages the last complete fetch returned; null until one succeeded.
  source_message_count integer,
  synced_updated_at double precision,
  fetched_complete boolean not null default false,
  stored_message_count integer not null default 0,
  stored_newest_message_id bigint,
  last_error text,
  last_fetched_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (project_id, conversation_global_id)
);

-- Chatwoot reuses X-Chatwoot-Delivery across retries of one event; remembering it for longer than
-- the signature's freshness window is enough to refuse a replay inside that window.
create table cw_webhook_deliveries (
  project_id uuid not null references projects (id) on delete cascade,
  account_scope_id uuid not null references account_scopes (id),
  source_id uuid not null references project_sources (id) on delete cascade,
  delivery_id text not null check (length(delivery_id) between 1 and 200),
  event text,
  received_at timestamptz not null default now(),
  primary key (source_id, delivery_id)
);
create index cw_webhook_deliveries_received_idx on cw_webhook_deliveries (received_at);

do $$
declare
  t text;
begin
  foreach t in array array['cw_conversation_ledger', 'cw_webhook_deliveries'] loop
    execute format('create trigger %I before insert or update on %I for each row execute function enforce_project_scope_match()',
                   t || '_scope_match', t);
    execute format('alter table %I enable row level security', t);
    execute format('alter table %I force row level security', t);
    execute format($p$create policy project_isolation on %I
                     using (project_id = nullif(current_setting('app.project_id', true), '')::uuid)
                     with check (project_id = nullif(current_setting('app.project_id', true), '')::uuid)$p$, t);
  end loop;
end
$$;

create trigger cw_conversation_ledger_updated_at before update on cw_conversation_ledger
  for each row execute function set_updated_at();
