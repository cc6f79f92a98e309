import type { Contact, Conversation, Message } from '@cairn/contract';
import { sql, type RawBuilder } from 'kysely';
import type { Database, Scope } from '../../../db/database.js';
import { inScope } from '../../../db/scoped-sql.js';
import { decodeCursor, encodeCursor } from '../../../http/cursor.js';
import { notFound } from '../../../http/errors.js';

/**
 * Read side for people reviewing what was ingested. Keyset pagination throughout (an opaque
 * cursor of the last row's sort key), so a page costs the same at row 10 and row 1,000,000 and
 * rows arriving meanwhile never shift a page.
 */

const MESSAGE_TYPE_NAMES = ['incoming', 'outgoing', 'activity', 'template'] as const;

const iso = (value: Date | null) => (value ? value.toISOString() : null);

/** `%`, `_` and `\` match literally inside the ILIKE pattern. */
const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export async function listContacts(
  database: Database,
  scope: Scope,
  query: { limit: number; q?: string; cursor?: string },
): Promise<{ contacts: Contact[]; next_cursor: string | null }> {
  const after = decodeCursor<{ n: string; id: string }>(query.cursor, {
    n: 'string',
    id: 'string',
  });
  const rows = await database.withScope(scope, async (trx) => {
    const { rows } = await sql<{
      id: string;
      contact_id: number;
      name: string | null;
      email: string | null;
      phone: string | null;
      identifier: string | null;
      custom_attributes: Record<string, unknown>;
      source_created_at: Date | null;
      updated_at: Date;
      sort_name: string;
    }>`
      select id, contact_id, name, email, phone, identifier, custom_attributes, source_created_at, updated_at,
        lower(coalesce(name, '')) as sort_name
      from cw_contacts
      where ${inScope(scope)}
        ${
          query.q
            ? sql`and (name ilike ${likePattern(query.q)} or email ilike ${likePattern(query.q)}
          or phone ilike ${likePattern(query.q)} or identifier ilike ${likePattern(query.q)})`
            : sql``
        }
        ${after ? sql`and (lower(coalesce(name, '')), id) > (${after.n}, ${after.id})` : sql``}
      order by lower(coalesce(name, '')), id
      limit ${query.limit + 1}`.execute(trx);
    return rows;
  });
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    contacts: page.map(({ sort_name: _s, source_created_at, updated_at, ...c }) => ({
      ...c,
      source_created_at: iso(source_created_at),
      updated_at: updated_at.toISOString(),
    })),
    next_cursor:
      rows.length > query.limit && last ? encodeCursor({ n: last.sort_name, id: last.id }) : null,
  };
}

export async function listConversations(
  database: Database,
  scope: Scope,
  query: { limit: number; cursor?: string; status?: string; contact_global_id?: string },
): Promise<{ conversations: Conversation[]; next_cursor: string | null }> {
  const after = decodeCursor<{ t: string; id: string }>(query.cursor, {
    t: 'string',
    id: 'string',
  });
  const activity = sql`coalesce(c.last_activity_at, '-infinity'::timestamptz)`;
  const rows = await database.withScope(scope, async (trx) => {
    if (query.contact_global_id)
      await assertExists(trx, scope, 'cw_contacts', query.contact_global_id, 'contact');
    const { rows } = await selectConversations(
      scope,
      sql`${query.status ? sql`and c.status = ${query.status}` : sql``}
        ${query.contact_global_id ? sql`and c.contact_global_id = ${query.contact_global_id}` : sql``}
        ${after ? sql`and (${activity}, c.id) < (${after.t}::timestamptz, ${after.id})` : sql``}
      order by ${activity} desc, c.id desc
      limit ${query.limit + 1}`,
    ).execute(trx);
    return rows;
  });
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    conversations: page.map(toConversation),
    next_cursor:
      rows.length > query.limit && last ? encodeCursor({ t: last.sort_at, id: last.id }) : null,
  };
}

/** One conversation of the project, for a thread's header; another project's id is not found. */
export async function getConversation(
  database: Database,
  scope: Scope,
  id: string,
): Promise<Conversation> {
  const row = await database.withScope(scope, async (trx) => {
    const { rows } = await selectConversations(scope, sql`and c.id = ${id}`).execute(trx);
    return rows[0];
  });
  if (!row) throw notFound('conversation');
  return toConversation(row);
}

interface ConversationRow {
  id: string;
  conversation_id: number;
  inbox_id: number | null;
  status: string | null;
  assignee_id: number | null;
  contact_global_id: string | null;
  contact_name: string | null;
  message_count: number;
  last_activity_at: Date | null;
  source_created_at: Date | null;
  base_url: string | null;
  account_id: number;
  sort_at: string;
  last_preview: string | null;
  last_sender_type: string | null;
  last_message_type: number | null;
  last_created_at: Date | null;
}

// Chatwoot's message types: 0 incoming (the client), 1 outgoing (the studio); 2 activity and
// 3 template are not part of the talk and never make a preview.
const INCOMING = 0;
const PREVIEW_CHARS = 200;

/**
 * The project's conversations with their contact, message count, last public message and source;
 * `rest` narrows. One statement for the whole page: the count and the last message are read per
 * row through the (project, conversation, message id) index, never by a query per conversation.
 */
function selectConversations(scope: Scope, rest: RawBuilder<unknown>) {
  return sql<ConversationRow>`
    select c.id, c.conversation_id, c.inbox_id, c.status, c.assignee_id, c.contact_global_id,
      k.name as contact_name, c.last_activity_at, c.source_created_at, c.account_id, s.base_url,
      (select count(*)::integer from cw_messages m
        where ${inScope(scope, 'm')} and m.conversation_global_id = c.id) as message_count,
      coalesce(c.last_activity_at, '-infinity'::timestamptz)::text as sort_at,
      lm.preview as last_preview, lm.sender_type as last_sender_type,
      lm.message_type as last_message_type, lm.source_created_at as last_created_at
    from cw_conversations c
    left join cw_contacts k on ${inScope(scope, 'k')} and k.id = c.contact_global_id
    left join project_sources s on ${inScope(scope, 's')} and s.account_id = c.account_id
    left join lateral (
      select left(coalesce(m.content, ''), ${PREVIEW_CHARS}) as preview, m.sender_type,
        m.message_type, m.source_created_at
      from cw_messages m
      where ${inScope(scope, 'm')} and m.conversation_global_id = c.id
        and not m.private and m.message_type in (0, 1)
      order by m.message_id desc
      limit 1
    ) lm on true
    where ${inScope(scope, 'c')} ${rest}`;
}

function toConversation(c: ConversationRow): Conversation {
  return {
    id: c.id,
    conversation_id: c.conversation_id,
    inbox_id: c.inbox_id,
    status: c.status,
    assignee_id: c.assignee_id,
    contact_global_id: c.contact_global_id,
    contact_name: c.contact_name,
    message_count: c.message_count,
    last_activity_at: iso(c.last_activity_at),
    source_created_at: iso(c.source_created_at),
    deep_link: c.base_url
      ? `${c.base_url}/app/accounts/${c.account_id}/conversations/${c.conversation_id}`
      : null,
    last_message:
      c.last_message_type === null
        ? null
        : {
            preview: c.last_preview ?? '',
            sender_type: c.last_sender_type,
            created_at: iso(c.last_created_at),
          },
    awaiting_reply: c.last_message_type === INCOMING,
  };
}

/**
 * With a conversation: its thread in reading order (oldest first, by Chatwoot's message id, which
 * is the order the source itself pages in), what a thread view renders top to bottom. Without:
 * the project's newest messages first, for a review feed.
 */
export async function listMessages(
  database: Database,
  scope: Scope,
  query: { limit: number; cursor?: string; conversation_global_id?: string },
): Promise<{ messages: Message[]; next_cursor: string | null }> {
  const thread = query.conversation_global_id;
  const afterThread = thread ? decodeCursor<{ id: number }>(query.cursor, { id: 'number' }) : null;
  const afterFeed = thread
    ? null
    : decodeCursor<{ t: string; id: string }>(query.cursor, { t: 'string', id: 'string' });
  const rows = await database.withScope(scope, async (trx) => {
    if (thread) await assertExists(trx, scope, 'cw_conversations', thread, 'conversation');
    const { rows } = await sql<{
      id: string;
      message_id: number;
      conversation_global_id: string;
      contact_global_id: string | null;
      sender_type: string | null;
      sender_id: number | null;
      sender_name: string | null;
      message_type: number;
      private: boolean;
      deleted: boolean;
      content_type: string | null;
      content: string | null;
      source_created_at: Date | null;
      sort_at: string;
    }>`
      select id, message_id, conversation_global_id, contact_global_id, sender_type, sender_id,
        data #>> '{sender,name}' as sender_name, message_type, private,
        coalesce((data #>> '{content_attributes,deleted}')::boolean, false) as deleted,
        content_type, content, source_created_at,
        coalesce(source_created_at, '-infinity'::timestamptz)::text as sort_at
      from cw_messages
      where ${inScope(scope)}
        ${
          thread
            ? sql`and conversation_global_id = ${thread} ${afterThread ? sql`and message_id > ${afterThread.id}` : sql``}
              order by message_id`
            : sql`${afterFeed ? sql`and (coalesce(source_created_at, '-infinity'::timestamptz), id) < (${afterFeed.t}::timestamptz, ${afterFeed.id})` : sql``}
              order by coalesce(source_created_at, '-infinity'::timestamptz) desc, id desc`
        }
      limit ${query.limit + 1}`.execute(trx);
    return rows;
  });
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    messages: page.map(({ sort_at: _s, source_created_at, message_type, ...m }) => ({
      ...m,
      message_type: MESSAGE_TYPE_NAMES[message_type] ?? 'activity',
      source_created_at: iso(source_created_at),
    })),
    next_cursor:
      rows.length > query.limit && last
        ? encodeCursor(thread ? { id: last.message_id } : { t: last.sort_at, id: last.id })
        : null,
  };
}

/** Another project's id is indistinguishable from a missing one: 404 either way. */
async function assertExists(
  trx: Parameters<Parameters<Database['withScope']>[1]>[0],
  scope: Scope,
  table: 'cw_contacts' | 'cw_conversations',
  id: string,
  what: string,
) {
  const { rows } =
    await sql`select 1 from ${sql.table(table)} where ${inScope(scope)} and id = ${id}`.execute(
      trx,
    );
  if (rows.length === 0) throw notFound(what);
}
