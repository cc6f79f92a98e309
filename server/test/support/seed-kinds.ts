import { randomUUID } from 'node:crypto';
import type { Database, Scope } from '../../src/db/database.js';
import { normalize as normalizeAttio } from '../../src/modules/connectors/attio/normalize.js';
import { writeAttioChunks } from '../../src/modules/connectors/attio/chunks.js';
import { upsertRows as upsertAttioRows } from '../../src/modules/connectors/attio/store.js';
import { writeLinearChunks } from '../../src/modules/connectors/linear/chunks.js';
import { normalize } from '../../src/modules/connectors/linear/normalize.js';
import { upsertRows } from '../../src/modules/connectors/linear/store.js';
import { rebuildPeople } from '../../src/modules/people/rebuild.js';
import { createConversation } from '../rag/factories.js';
import type { Session } from './factories.js';
import { insertSignal } from './signals.js';

/** A project to fill: its owner's session (with the project active) and its system scope. */
export interface SeedTarget {
  database: Database;
  session: Session;
  scope: Scope;
}

type Seeded = Record<string, string>;
type Seeder = (target: SeedTarget, seeded: Seeded) => Promise<string>;

const created = async (
  res: { statusCode: number; body: string; json(): unknown },
  status = 201,
) => {
  if (res.statusCode !== status) throw new Error(`seed failed: ${res.statusCode} ${res.body}`);
  return res.json() as Record<string, Record<string, string>>;
};

// The Chatwoot account the seeded source binds; seeded rows carry it in their ids.
const ACCOUNT_ID = 7;

/**
 * One row of every kind a project holds, in order (a kind may use the ids of the ones before it).
 * The cross-project sweeps try every by-id route with each of these ids from another project;
 * a new kind of row is one more line here.
 */
export const SEED_KINDS: [kind: string, seed: Seeder][] = [
  [
    'source',
    async ({ session }) =>
      (
        await created(
          await session.request('POST', '/sources', {
            source_kind: 'chatwoot_account',
            base_url: `http://127.0.0.1:9/${randomUUID()}`,
            account_id: ACCOUNT_ID,
            api_token: 'token-of-the-other-project',
          }),
        )
      ).source!.id!,
  ],
  [
    'conversation',
    async ({ database, scope }, seeded) => {
      const [message] = await createConversation(
        database,
        { ...scope, accountId: ACCOUNT_ID },
        { messages: [{ text: 'Could you send the revised logo by Friday, please?' }] },
      );
      seeded.message = message!.messageGlobalId;
      seeded.contact = message!.contactGlobalId;
      seeded.chunk = message!.chunkId;
      return message!.conversationGlobalId;
    },
  ],
  [
    'person',
    async ({ database, scope }, seeded) => {
      // The seeded contact, given an address at a company domain: one person, one organisation.
      await database.db
        .updateTable('cw_contacts')
        .set({ email: 'anna.petrova@kofeinya-zerno.example' })
        .where('id', '=', seeded.contact!)
        .execute();
      await rebuildPeople(database, { PEOPLE_DEFAULT_PHONE_REGION: 'RU' }, scope);
      const person = await database.db
        .selectFrom('person_links')
        .select('person_id')
        .where('external_id', '=', seeded.contact!)
        .executeTakeFirstOrThrow();
      const organization = await database.db
        .selectFrom('people')
        .select('organization_id')
        .where('id', '=', person.person_id)
        .executeTakeFirstOrThrow();
      seeded.organization = organization.organization_id!;
      return person.person_id;
    },
  ],
  ['organization', async (_target, seeded) => seeded.organization!],
  [
    'outbound_message',
    async ({ session }, seeded) =>
      (
        await created(
          await session.request('POST', '/outbound/draft', {
            channel: 'chatwoot',
            recipient_ref: seeded.conversation,
            payload: { content: 'The revised logo is attached.' },
            idempotency_key: randomUUID(),
          }),
        )
      ).message!.id!,
  ],
  [
    'signal',
    ({ database, scope }, seeded) =>
      insertSignal(database, scope, {
        conversation: seeded.conversation!,
        message: seeded.message!,
      }),
  ],
  [
    'job_run',
    async ({ session }) =>
      (await created(await session.request('POST', '/jobs/embeddings/run'), 202)).run!.id!,
  ],
  [
    // A bound Linear workspace, written directly: binding through the API checks the key with
    // Linear, and the sweep has no simulator (the by-id routes answer 404 before any call).
    'linear_source',
    async ({ database, scope }) =>
      database.withScope(scope, async (trx) => {
        const row = await trx
          .insertInto('project_sources')
          .values({
            project_id: scope.projectId,
            account_scope_id: scope.accountScopeId,
            source_kind: 'linear_workspace',
            external_id: randomUUID(),
            base_url: 'http://127.0.0.1:9/graphql',
            account_id: null,
            api_token_enc: 'not-a-key-of-the-other-project',
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        return row.id;
      }),
  ],
  ['linear_issue', async ({ database, scope }) => (await seedLinearIssue(database, scope)).id],
  [
    // A bound Attio workspace, written directly as the Linear one is.
    'attio_source',
    async ({ database, scope }, seeded) =>
      database.withScope(scope, async (trx) => {
        seeded.attio_workspace = randomUUID();
        const row = await trx
          .insertInto('project_sources')
          .values({
            project_id: scope.projectId,
            account_scope_id: scope.accountScopeId,
            source_kind: 'attio_workspace',
            external_id: seeded.attio_workspace,
            base_url: 'http://127.0.0.1:9',
            account_id: null,
            api_token_enc: 'not-a-token-of-the-other-project',
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        return row.id;
      }),
  ],
  ['attio_company', (target, seeded) => seedAttioRecord(target, seeded, 'companies')],
  ['attio_person', (target, seeded) => seedAttioRecord(target, seeded, 'people')],
  ['attio_deal', (target, seeded) => seedAttioRecord(target, seeded, 'deals')],
  [
    'attio_note',
    async ({ database, scope }, seeded) =>
      (
        await seedAttioNote(database, scope, {
          workspaceId: seeded.attio_workspace!,
          parent: { object: 'companies', id: seeded.attio_company! },
        })
      ).id,
  ],
  [
    'attio_task',
    async ({ database, scope }, seeded) => {
      const id = randomUUID();
      const row = normalizeAttio.tasks({
        id: { workspace_id: seeded.attio_workspace!, task_id: id },
        content_plaintext: 'Send the revised logo',
        deadline_at: null,
        is_completed: false,
        linked_records: [{ target_object_id: 'deals', target_record_id: seeded.attio_deal! }],
        assignees: [],
        created_by_actor: { type: 'api-token', id: null },
        created_at: new Date().toISOString(),
      });
      await database.withScope(scope, (trx) => upsertAttioRows(trx, scope, 'tasks', [row]));
      return id;
    },
  ],
  [
    'scheduled_job',
    async ({ session }) =>
      ((await session.request('GET', '/jobs/scheduler')).json() as { jobs: { id: string }[] })
        .jobs[0]!.id,
  ],
];

/**
 * A stored Linear issue with its search chunks, as the sync writes them (connectors/linear/):
 * what the sweep and the MCP tests cite.
 */
export async function seedLinearIssue(
  database: Database,
  scope: Scope,
  fields: { title?: string; description?: string } = {},
) {
  const at = new Date().toISOString();
  const row = normalize.issues(randomUUID(), {
    id: randomUUID(),
    identifier: 'DES-7',
    number: 7,
    title: fields.title ?? 'Revised logo for the spring campaign',
    description: fields.description ?? 'Two variants, **RU** and EN.',
    url: `https://linear.app/studio/issue/DES-7`,
    priority: 2,
    dueDate: null,
    createdAt: at,
    updatedAt: at,
    archivedAt: null,
    completedAt: null,
    canceledAt: null,
    labelIds: [],
    state: { name: 'Todo', type: 'unstarted' },
    assignee: null,
    team: { id: randomUUID(), key: 'DES' },
    project: null,
    labels: { nodes: [] },
  });
  await database.withScope(scope, async (trx) => {
    await upsertRows(trx, scope, 'issues', [row]);
    await writeLinearChunks(trx, scope, CHUNKS, { issues: [row], inserted: new Set([row.id]) });
  });
  return row;
}

/** A stored Attio note of a record, with its search chunk. */
export async function seedAttioNote(
  database: Database,
  scope: Scope,
  fields: {
    workspaceId: string;
    parent: { object: string; id: string };
    title?: string;
    text?: string;
  },
) {
  const text = fields.text ?? 'They want the revised logo by Friday.';
  const row = normalizeAttio.notes({
    id: { workspace_id: fields.workspaceId, note_id: randomUUID() },
    parent_object: fields.parent.object,
    parent_record_id: fields.parent.id,
    title: fields.title ?? 'Call about the spring campaign',
    content_plaintext: text,
    content_markdown: text,
    meeting_id: null,
    created_by_actor: { type: 'api-token', id: null },
    created_at: new Date().toISOString(),
  });
  await database.withScope(scope, async (trx) => {
    await upsertAttioRows(trx, scope, 'notes', [row]);
    await writeAttioChunks(trx, scope, CHUNKS, { notes: [row], inserted: new Set([row.id]) });
  });
  return row;
}

/** An Attio person, company or deal with no values: enough to be read by id (GET /attio/records/:id). */
async function seedAttioRecord(
  { database, scope }: SeedTarget,
  seeded: Seeded,
  kind: 'people' | 'companies' | 'deals',
): Promise<string> {
  const id = randomUUID();
  const row = normalizeAttio[kind]({
    id: { workspace_id: seeded.attio_workspace!, object_id: randomUUID(), record_id: id },
    created_at: new Date().toISOString(),
    web_url: `https://app.attio.com/studio/${kind}/${id}`,
    values: {},
  });
  await database.withScope(scope, (trx) => upsertAttioRows(trx, scope, kind, [row]));
  return id;
}

// The app's defaults (config.ts): chunks as the sync would cut them.
const CHUNKS = { CHUNK_SIZE: 1000, MIN_EMBED_CHARS: 30 };

/** Seeds every kind into the target project; returns kind → id (message, contact, chunk too). */
export async function seedEveryKind(target: SeedTarget): Promise<Seeded> {
  const seeded: Seeded = {};
  for (const [kind, seed] of SEED_KINDS) seeded[kind] = await seed(target, seeded);
  return seeded;
}
