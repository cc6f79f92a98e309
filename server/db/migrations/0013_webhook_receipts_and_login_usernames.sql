-- Hardening (issue 14): replays keyed on what is signed, a source's refused webhook, and a
-- per-username login limit.

-- 1. One receipt table for every webhook receiver (Chatwoot today; Linear and Attio later), used
--    through server/src/lib/webhook-replay-guard.ts. A delivery leaves two keys: the SHA-256 of
--    exactly the bytes its signature covers (the same signed body and timestamp is the same
--    delivery, whatever delivery header comes with it, and however the signature's hex is spelled)
--    and, when the provider sends one, its delivery id (a retry re-signs with a new timestamp but
--    keeps the id). `endpoint_id` is the source the receiver answered for; no foreign key to one
--    source table, because later receivers keep their endpoints elsewhere. Rows live as long as the
--    guard's memory (at least twice the signature tolerance) and are pruned as deliveries arrive.
create table webhook_receipts (
  project_id uuid not null,
  account_scope_id uuid not null,
  receiver text not null check (receiver ~ '^[a-z][a-z0-9_]{0,39}$'),
  endpoint_id uuid not null,
  receipt_key text not null check (length(receipt_key) between 1 and 200),
  event text check (length(event) <= 100),
  received_at timestamptz not null default now(),
  primary key (receiver, endpoint_id, receipt_key),
  constraint webhook_receipts_scope_fkey foreign key (project_id, account_scope_id)
    references projects (id, account_scope_id) match full on delete cascade
);
create index webhook_receipts_received_idx on webhook_receipts (receiver, endpoint_id, received_at);
alter table webhook_receipts enable row level security;
alter table webhook_receipts force row level security;
create policy project_isolation on webhook_receipts
  using (project_id = nullif(current_setting('app.project_id', true), '')::uuid)
  with check (project_id = nullif(current_setting('app.project_id', true), '')::uuid);

-- The deliveries remembered so far stay remembered: their ids become delivery keys (hashed, as the
-- guard writes them), and the old per-Chatwoot table goes.
insert into webhook_receipts (project_id, account_scope_id, receiver, endpoint_id, receipt_key, event, received_at)
select project_id, account_scope_id, 'chatwoot', source_id,
       'delivery:' || encode(sha256(convert_to(delivery_id, 'UTF8')), 'hex'), left(event, 100), received_at
from cw_webhook_deliveries
on conflict do nothing;
drop table cw_webhook_deliveries;

-- 2. The last webhook delivery a source refused after authenticating it (a payload that is not
--    Chatwoot's shape), shown with the source: Chatwoot never retries a webhook, so this is the only
--    trace of one that was dropped.
alter table project_sources
  add column last_webhook_error text check (length(last_webhook_error) <= 500),
  add column last_webhook_error_at timestamptz;

-- 3. Failed logins also carry the lower-cased username alone, for the slower per-username limit
--    that delays (never locks) a name attacked from many addresses.
alter table login_attempts add column username text;
create index login_attempts_username_time_idx on login_attempts (username, attempted_at)
  where username is not null;
