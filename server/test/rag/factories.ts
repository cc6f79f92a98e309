import { createHash, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Database, Scope } from '../../src/db/database.js';
import { systemScope } from '../../src/modules/access/system-actor.js';

/**
 * Small factories for the rag tests. They write with the owner connection, as ingestion would;
 * everything the tests then assert goes through the scoped service functions.
 */
export interface TestProject extends Scope {
  accountId: number;
}

let accountCounter = 0;

export async function createProject(
  database: Database,
  options: { name?: string; baseUrl?: string } = {},
): Promise<TestProject> {
  const scopeRow = await database.db
    .insertInto('account_scopes')
    .values({ scope_key: `scope-${randomUUID()}`, name: 'Scope' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const project = await database.db
    .insertInto('projects')
    .values({ account_scope_id: scopeRow.id, name: options.name ?? 'Studio project' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const accountId = 100 + ++accountCounter;
  await sql`
    insert into project_sources (project_id, account_scope_id, source_kind, external_id, base_url,
                                 account_id, api_token_enc)
    values (${project.id}, ${scopeRow.id}, 'chatwoot_account', ${`${randomUUID()}:${accountId}`},
            ${options.baseUrl ?? 'https://chat.example.test/'}, ${accountId}, 'enc')
  `.execute(database.db);
  return {
    ...systemScope({ projectId: project.id, accountScopeId: scopeRow.id }, 'test'),
    accountId,
  };
}

export interface TestMessage {
  messageGlobalId: string;
  conversationGlobalId: string;
  contactGlobalId: string;
  chunkId: string;
  conversationId: number;
}

let idCounter = 0;

/** One conversation with a contact, holding the given messages, each one chunk. */
export async function createConversation(
  database: Database,
  project: TestProject,
  options: {
    contactName?: string;
    messages: { text: string; senderType?: string; at?: Date }[];
  },
): Promise<TestMessage[]> {
  const conversationId = ++idCounter;
  const contactId = ++idCounter;
  const p = project.projectId;
  const contactGlobalId = `cwc:${p}:${project.accountId}:${contactId}`;
  const conversationGlobalId = `cw:${p}:${project.accountId}:${conversationId}`;
  await database.db
    .insertInto('cw_contacts')
    .values({
      id: contactGlobalId,
      project_id: p,
      account_scope_id: project.accountScopeId,
      account_id: project.accountId,
      contact_id: contactId,
      name: options.contactName ?? 'Анна Петрова',
    } as never)
    .execute();
  await database.db
    .insertInto('cw_conversations')
    .values({
      id: conversationGlobalId,
      project_id: p,
      account_scope_id: project.accountScopeId,
      account_id: project.accountId,
      conversation_id: conversationId,
      contact_global_id: contactGlobalId,
      status: 'open',
    } as never)
    .execute();
  const messages = options.messages.map((m, i) => ({
    ...m,
    messageId: ++idCounter,
    at: m.at ?? new Date(Date.UTC(2026, 0, 1, 10, i)),
  }));
  const chunkIds = await insertMessages(
    database,
    project,
    conversationGlobalId,
    contactGlobalId,
    messages,
  );
  return messages.map((m) => {
    const messageGlobalId = `cwmsg:${p}:${project.accountId}:${m.messageId}`;
    return {
      messageGlobalId,
      conversationGlobalId,
      contactGlobalId,
      conversationId,
      chunkId: chunkIds.get(messageGlobalId)!,
    };
  });
}

async function insertMessages(
  database: Database,
  project: TestProject,
  conversationGlobalId: string,
  contactGlobalId: string,
  messages: { text: string; senderType?: string; at: Date; messageId: number }[],
) {
  const p = project.projectId;
  const ids = messages.map((m) => `cwmsg:${p}:${project.accountId}:${m.messageId}`);
  await sql`
    insert into cw_messages (id, project_id, account_scope_id, account_id, message_id,
      conversation_global_id, contact_global_id, sender_type, message_type, content, source_created_at)
    select id, ${p}, ${project.accountScopeId}, ${project.accountId}, message_id, ${conversationGlobalId},
      ${contactGlobalId}, sender_type, 0, content, at
    from unnest(${ids}::text[], ${messages.map((m) => m.messageId)}::bigint[],
                ${messages.map((m) => m.senderType ?? 'Contact')}::text[],
                ${messages.map((m) => m.text)}::text[], ${messages.map((m) => m.at.toISOString())}::timestamptz[])
      as t(id, message_id, sender_type, content, at)
  `.execute(database.db);
  const { rows } = await sql<{ id: string; message_global_id: string }>`
    insert into rag_chunks (project_id, account_scope_id, message_global_id, conversation_global_id,
      chunk_index, text, text_hash)
    select ${p}, ${project.accountScopeId}, id, ${conversationGlobalId}, 0, content, hash
    from unnest(${ids}::text[], ${messages.map((m) => m.text)}::text[],
                ${messages.map((m) => sha256(m.text))}::text[]) as t(id, content, hash)
    returning id, message_global_id
  `.execute(database.db);
  return new Map(rows.map((r) => [r.message_global_id, r.id]));
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Many pending chunks fast: `count` messages in one conversation, texts unique. */
export async function createManyChunks(
  database: Database,
  project: TestProject,
  count: number,
  text: (i: number) => string,
): Promise<void> {
  const batch = 1000;
  for (let start = 0; start < count; start += batch) {
    const size = Math.min(batch, count - start);
    await createConversation(database, project, {
      messages: Array.from({ length: size }, (_, i) => ({ text: text(start + i) })),
    });
  }
}

/** A signed-in session with `project` active, as the access hook reads it: cookie and CSRF token. */
export async function createSession(
  database: Database,
  project: TestProject,
): Promise<{ cookie: string; csrf: string; headers: Record<string, string> }> {
  const user = await database.db
    .insertInto('app_users')
    // An owner: it sees the project without a membership row.
    .values({ username: `user-${randomUUID()}`, password_hash: 'not-a-login', role: 'owner' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const cookie = randomUUID() + randomUUID();
  const csrf = randomUUID();
  await sql`
    insert into sessions (session_id, user_id, active_project_id, csrf_token, expires_at)
    values (${sha256(cookie)}, ${user.id}, ${project.projectId}, ${csrf}, now() + interval '1 hour')
  `.execute(database.db);
  return { cookie, csrf, headers: { cookie: `sid=${cookie}`, 'x-csrf-token': csrf } };
}
