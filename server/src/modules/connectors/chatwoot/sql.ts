import { sql } from 'kysely';
import type { Scope } from '../../../db/database.js';
import { inScope, type Trx } from '../../../db/scoped-sql.js';
import type { ChatwootConversation } from './client.js';
import type { ContactRow, ConversationRow, MessageRow } from './normalize.js';

/**
 * The chatwoot module's SQL. Batch writes pass their rows as one JSON array expanded with
 * `jsonb_to_recordset`: one statement and one round trip per batch, whatever its size. Every
 * upsert is guarded by `IS DISTINCT FROM`, so a row whose content did not change is not rewritten
 * (no new tuple, no trigger, no index churn): that is what makes a no-change re-sync cheap.
 */

export interface WriteCounts {
  inserted: number;
  updated: number;
}

const json = (value: unknown) => sql`${JSON.stringify(value)}::jsonb`;

/**
 * A column of a row that may be partial (normalize.ts, `carried`): the row's value when the row
 * is whole or carries the column, the stored row's (`o`) otherwise. Column names are this file's
 * constants, never input.
 */
const kept = (column: string) =>
  sql.raw(
    `case when r.carried is null or '${column}' = any(r.carried) then r.${column} else o.${column} end`,
  );

/** A partial row's payload is merged over the stored one; a whole row's replaces it. */
const keptData = sql.raw(
  `case when r.carried is null then r.data else coalesce(o.data, '{}'::jsonb) || r.data end`,
);

/**
 * The stored row behind each partial row, read in the same statement. Lateral and gated on
 * `r.carried is not null`, so a whole row (every row of a sync) costs no lookup at all. The read
 * sees the statement's snapshot: a sync committing between it and this row's update can be
 * overwritten, for a column the partial event did not carry, by the value just before; the next
 * sync lists whole objects and writes it back.
 */
const storedRow = (table: string, scope: Scope) =>
  sql`left join lateral (select * from ${sql.table(table)} s
        where r.carried is not null and s.id = r.id and ${inScope(scope, 's')}) o on true`;

function countWrites(rows: { inserted: boolean }[]): WriteCounts {
  const inserted = rows.filter((r) => r.inserted).length;
  return { inserted, updated: rows.length - inserted };
}

/**
 * Contacts arrive in three shapes. The contacts list is the fullest, so a row it wrote is not
 * overwritten by the slimmer `meta.sender` of a conversation; a webhook is the newest word and
 * always applies (the next sync rewrites it back to the list's shape once).
 */
export async function upsertContacts(
  trx: Trx,
  scope: Scope,
  rows: ContactRow[],
): Promise<WriteCounts> {
  if (rows.length === 0) return { inserted: 0, updated: 0 };
  const { rows: written } = await sql<{ inserted: boolean }>`
    insert into cw_contacts as c (id, project_id, account_scope_id, account_id, contact_id, name, email,
      phone, identifier, custom_attributes, data, source_created_at, seen_via)
    select r.id, ${scope.projectId}::uuid, ${scope.accountScopeId}::uuid, r.account_id, r.contact_id,
      ${kept('name')}, ${kept('email')}, ${kept('phone')}, ${kept('identifier')},
      coalesce(${kept('custom_attributes')}, '{}'::jsonb), ${keptData}, ${kept('source_created_at')}, r.seen_via
    from jsonb_to_recordset(${json(rows)}) as r(id text, account_id integer, contact_id bigint, name text,
      email text, phone text, identifier text, custom_attributes jsonb, data jsonb,
      source_created_at timestamptz, seen_via text, carried text[])
    ${storedRow('cw_contacts', scope)}
    on conflict (id) do update set
      name = excluded.name, email = excluded.email, phone = excluded.phone,
      identifier = excluded.identifier, custom_attributes = excluded.custom_attributes,
      data = excluded.data, source_created_at = excluded.source_created_at, seen_via = excluded.seen_via
    where (excluded.seen_via <> 'conversation' or c.seen_via <> 'contacts_list')
      and (c.name, c.email, c.phone, c.identifier, c.custom_attributes, c.data, c.source_created_at, c.seen_via)
        is distinct from
          (excluded.name, excluded.email, excluded.phone, excluded.identifier, excluded.custom_attributes,
           excluded.data, excluded.source_created_at, excluded.seen_via)
    returning (xmax = 0) as inserted`.execute(trx);
  return countWrites(written);
}

export async function upsertConversations(
  trx: Trx,
  scope: Scope,
  rows: ConversationRow[],
): Promise<WriteCounts> {
  if (rows.length === 0) return { inserted: 0, updated: 0 };
  const { rows: written } = await sql<{ inserted: boolean }>`
    insert into cw_conversations as c (id, project_id, account_scope_id, account_id, conversation_id, inbox_id,
      status, assignee_id, contact_global_id, data, last_activity_at, source_created_at, source_updated_at)
    select r.id, ${scope.projectId}::uuid, ${scope.accountScopeId}::uuid, r.account_id, r.conversation_id,
      ${kept('inbox_id')}, ${kept('status')}, ${kept('assignee_id')}, ${kept('contact_global_id')},
      -- meta is merged one level down too: a partial event's meta may name only the sender.
      ${keptData} || case when r.carried is not null and o.data ? 'meta' and r.data ? 'meta'
        then jsonb_build_object('meta', (o.data -> 'meta') || (r.data -> 'meta')) else '{}'::jsonb end,
      ${kept('last_activity_at')}, ${kept('source_created_at')}, ${kept('source_updated_at')}
    from jsonb_to_recordset(${json(rows)}) as r(id text, account_id integer, conversation_id bigint,
      inbox_id bigint, status text, assignee_id bigint, contact_global_id text, data jsonb,
      last_activity_at timestamptz, source_created_at timestamptz, source_updated_at timestamptz,
      carried text[])
    ${storedRow('cw_conversations', scope)}
    on conflict (id) do update set
      inbox_id = excluded.inbox_id, status = excluded.status, assignee_id = excluded.assignee_id,
      contact_global_id = excluded.contact_global_id, data = excluded.data,
      last_activity_at = excluded.last_activity_at, source_created_at = excluded.source_created_at,
      source_updated_at = excluded.source_updated_at
    where (c.inbox_id, c.status, c.assignee_id, c.contact_global_id, c.data, c.last_activity_at,
           c.source_created_at, c.source_updated_at)
      is distinct from
        (excluded.inbox_id, excluded.status, excluded.assignee_id, excluded.contact_global_id, excluded.data,
         excluded.last_activity_at, excluded.source_created_at, excluded.source_updated_at)
    returning (xmax = 0) as inserted`.execute(trx);
  return countWrites(written);
}

/** A message row as stored after the write (a partial row merged over what was there). */
export interface ChangedMessage {
  id: string;
  inserted: boolean;
  conversation_global_id: string;
  contact_global_id: string | null;
  sender_type: string | null;
  private: boolean;
  message_type: number;
  content: string | null;
  deleted: boolean;
  source_created_at: Date | null;
}

/** Upserts messages; returns the rows actually written, the only ones whose chunks can change. */
export async function upsertMessages(
  trx: Trx,
  scope: Scope,
  rows: MessageRow[],
): Promise<ChangedMessage[]> {
  if (rows.length === 0) return [];
  const { rows: written } = await sql<ChangedMessage>`
    insert into cw_messages as m (id, project_id, account_scope_id, account_id, message_id, conversation_global_id,
      contact_global_id, sender_type, sender_id, private, message_type, content_type, content, data,
      source_created_at, source_updated_at)
    select r.id, ${scope.projectId}::uuid, ${scope.accountScopeId}::uuid, r.account_id, r.message_id,
      r.conversation_global_id, ${kept('contact_global_id')}, ${kept('sender_type')}, ${kept('sender_id')},
      ${kept('private')}, ${kept('message_type')}, ${kept('content_type')}, ${kept('content')}, ${keptData},
      ${kept('source_created_at')}, ${kept('source_updated_at')}
    from jsonb_to_recordset(${json(rows)}) as r(id text, account_id integer, message_id bigint,
      conversation_global_id text, contact_global_id text, sender_type text, sender_id bigint,
      private boolean, message_type smallint, content_type text, content text, data jsonb,
      source_created_at timestamptz, source_updated_at timestamptz, carried text[])
    ${storedRow('cw_messages', scope)}
    on conflict (id) do update set
      contact_global_id = excluded.contact_global_id, sender_type = excluded.sender_type,
      sender_id = excluded.sender_id, private = excluded.private, message_type = excluded.message_type,
      content_type = excluded.content_type, content = excluded.content, data = excluded.data,
      source_created_at = excluded.source_created_at,
      -- REST messages carry no updated_at (docs/chatwoot.md §4); keep the one a push event gave.
      source_updated_at = coalesce(excluded.source_updated_at, m.source_updated_at)
    where (m.contact_global_id, m.sender_type, m.sender_id, m.private, m.message_type, m.content_type,
           m.content, m.data, m.source_created_at)
      is distinct from
        (excluded.contact_global_id, excluded.sender_type, excluded.sender_id, excluded.private,
         excluded.message_type, excluded.content_type, excluded.content, excluded.data, excluded.source_created_at)
    returning m.id, (xmax = 0) as inserted, m.conversation_global_id, m.contact_global_id, m.sender_type,
      m.private, m.message_type, m.content, m.source_created_at,
      -- Chatwoot deletes by blanking and flagging (docs/chatwoot.md §8); compared as jsonb, never cast.
      coalesce(m.data -> 'content_attributes' -> 'deleted' = 'true'::jsonb, false) as deleted`.execute(
    trx,
  );
  return written;
}

/**
 * Deletes the stored messages of fully fetched conversations that the source no longer lists.
 * Only ids up to the newest fetched one are candidates: a message that arrived by webhook after
 * the fetch is newer than anything fetched and must survive.
 */
export async function deleteMissingMessages(
  trx: Trx,
  scope: Scope,
  fetched: { conversation_global_id: string; ids: number[]; max_id: number }[],
): Promise<number> {
  if (fetched.length === 0) return 0;
  const { rows } = await sql<{ id: string }>`
    delete from cw_messages m
    using jsonb_to_recordset(${json(fetched)}) as r(conversation_global_id text, ids bigint[], max_id bigint)
    where ${inScope(scope, 'm')}
      and m.conversation_global_id = any(${fetched.map((f) => f.conversation_global_id)}::text[])
      and m.conversation_global_id = r.conversation_global_id
      and m.message_id <= r.max_id
      and m.message_id <> all(r.ids)
    returning m.id`.execute(trx);
  return rows.length;
}

export interface LedgerSourceRow {
  conversation_global_id: string;
  account_id: number;
  conversation_id: number;
  source_updated_at: number | null;
  source_newest_message_id: number | null;
  source_newest_at: string | null;
}

/** Records what the conversation list reports; the fetch side is written with the messages. */
export async function recordLedgerSource(
  trx: Trx,
  scope: Scope,
  rows: LedgerSourceRow[],
): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    insert into cw_conversation_ledger as l (project_id, account_scope_id, conversation_global_id, account_id,
      conversation_id, source_updated_at, source_newest_message_id, source_newest_at)
    select ${scope.projectId}::uuid, ${scope.accountScopeId}::uuid, r.conversation_global_id, r.account_id,
      r.conversation_id, r.source_updated_at, r.source_newest_message_id, r.source_newest_at
    from jsonb_to_recordset(${json(rows)}) as r(conversation_global_id text, account_id integer,
      conversation_id bigint, source_updated_at double precision, source_newest_message_id bigint,
      source_newest_at timestamptz)
    on conflict (project_id, conversation_global_id) do update set
      source_updated_at = excluded.source_updated_at,
      source_newest_message_id = excluded.source_newest_message_id,
      source_newest_at = excluded.source_newest_at
    where (l.source_updated_at, l.source_newest_message_id, l.source_newest_at)
      is distinct from (excluded.source_updated_at, excluded.source_newest_message_id, excluded.source_newest_at)`.execute(
    trx,
  );
}

export interface LedgerFetchRow {
  conversation_global_id: string;
  /** The listing's updated_at this fetch answers to; null when the fetch failed. */
  synced_updated_at: number | null;
  source_message_count: number | null;
  fetched_complete: boolean;
  last_error: string | null;
}

/**
 * Records a fetch outcome and what is stored now. A failed fetch keeps the previous
 * `synced_updated_at`, so the next run fetches that conversation again.
 */
export async function recordLedgerFetch(
  trx: Trx,
  scope: Scope,
  rows: LedgerFetchRow[],
): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    with outcome as (
      select r.* from jsonb_to_recordset(${json(rows)}) as r(conversation_global_id text,
        synced_updated_at double precision, source_message_count integer, fetched_complete boolean, last_error text)
    ), stored as (
      -- Lateral: an index range per conversation, never a pass over the project's messages.
      select o.conversation_global_id, s.n, s.newest
      from outcome o cross join lateral (
        select count(*)::integer as n, max(m.message_id) as newest from cw_messages m
        where ${inScope(scope, 'm')} and m.conversation_global_id = o.conversation_global_id
      ) s
    )
    update cw_conversation_ledger l set
      synced_updated_at = coalesce(o.synced_updated_at, l.synced_updated_at),
      source_message_count = coalesce(o.source_message_count, l.source_message_count),
      fetched_complete = o.fetched_complete,
      last_error = o.last_error,
      stored_message_count = s.n,
      stored_newest_message_id = s.newest,
      last_fetched_at = now()
    from outcome o join stored s using (conversation_global_id)
    where ${inScope(scope, 'l')} and l.conversation_global_id = o.conversation_global_id`.execute(
    trx,
  );
}

export interface LedgerState {
  conversation_global_id: string;
  synced_updated_at: number | null;
  fetched_complete: boolean;
}

export async function readLedger(
  trx: Trx,
  scope: Scope,
  conversationGlobalIds: string[],
): Promise<Map<string, LedgerState>> {
  if (conversationGlobalIds.length === 0) return new Map();
  const { rows } = await sql<LedgerState>`
    select conversation_global_id, synced_updated_at, fetched_complete
    from cw_conversation_ledger
    where ${inScope(scope)} and conversation_global_id = any(${conversationGlobalIds}::text[])`.execute(
    trx,
  );
  return new Map(rows.map((r) => [r.conversation_global_id, r]));
}

/** Stored conversations (their last known source payload) whose last fetch did not complete. */
export async function readIncompleteConversations(
  trx: Trx,
  scope: Scope,
  accountId: number,
): Promise<ChatwootConversation[]> {
  const { rows } = await sql<{ data: ChatwootConversation }>`
    select c.data from cw_conversation_ledger l
    join cw_conversations c on ${inScope(scope, 'c')} and c.id = l.conversation_global_id
    where ${inScope(scope, 'l')} and l.account_id = ${accountId} and not l.fetched_complete`.execute(
    trx,
  );
  return rows.map((r) => r.data).filter((d) => typeof d?.id === 'number');
}
