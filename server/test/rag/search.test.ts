import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLocalEmbedder } from '../../src/modules/rag/embeddings/local-embedder.js';
import { toVectorLiteral } from '../../src/modules/rag/embeddings/provider.js';
import { runEmbeddings } from '../../src/modules/rag/run-embeddings.js';
import { indexEvidence } from '../../src/modules/rag/index-evidence.js';
import { ensureProjectVectorIndex, vectorIndexName } from '../../src/modules/rag/vector-index.js';
import {
  enableIterativeScan,
  nearestChunksQuery,
  searchChunks,
} from '../../src/modules/rag/search-chunks.js';
import { useTestApp } from '../support/app.js';
import { TEST_EMBEDDING_DIM } from '../support/constants.js';
import {
  createConversation,
  createManyChunks,
  createProject,
  createSession,
  type TestMessage,
  type TestProject,
} from './factories.js';

const ctx = useTestApp();
const provider = createLocalEmbedder({ dimension: TEST_EMBEDDING_DIM });

const STUDIO_TALK = [
  'Добрый день! Присылаю бриф на редизайн сайта кофейни, дедлайн 15 марта.',
  'Мы посмотрели макеты главной страницы, цвет кнопок слишком яркий.',
  'Можно ли перенести созвон по логотипу на четверг?',
  'Счёт за второй этап оплатим до конца недели.',
  'Please send the final logo files in SVG and PNG formats.',
  'The homepage mockup looks great, but the footer feels crowded.',
  'Our marketing team approved the brand guidelines document.',
  'Could we move Thursday’s review call to Friday morning?',
];

async function post(session: { headers: Record<string, string> }, body: Record<string, unknown>) {
  return ctx.app.inject({
    method: 'POST',
    url: '/search',
    headers: session.headers,
    payload: body,
  });
}

describe('search', () => {
  let project: TestProject;
  let messages: TestMessage[];
  let session: Awaited<ReturnType<typeof createSession>>;

  beforeAll(async () => {
    project = await createProject(ctx.database, { baseUrl: 'https://chat.studio.test/' });
    messages = await createConversation(ctx.database, project, {
      contactName: 'Мария Кофейня',
      messages: STUDIO_TALK.map((text, i) => ({ text, senderType: i % 2 ? 'User' : 'Contact' })),
    });
    session = await createSession(ctx.database, project);
  });

  it('finds text right after a sync, before anything is embedded', async () => {
    const res = await post(session, { query: 'созвон по логотипу' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ ok: true, mode: 'text', degraded: 'embeddings_pending' });
    expect(body.hits[0].message_global_id).toBe(messages[2]!.messageGlobalId);
  });

  it('returns the message a phrase was taken from first, with every evidence field filled', async () => {
    await runEmbeddings({ database: ctx.database, config: ctx.config, scope: project, provider });
    const res = await post(session, { query: 'цвет кнопок слишком яркий', topK: 5 });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.mode).toBe('hybrid');
    const hit = body.hits[0];
    const source = messages[1]!;
    expect(hit).toMatchObject({
      chunk_id: source.chunkId,
      message_global_id: source.messageGlobalId,
      conversation_global_id: source.conversationGlobalId,
      contact_global_id: source.contactGlobalId,
      contact_name: 'Мария Кофейня',
      sender_type: 'User',
      message_created_at: '2026-01-01T10:01:00.000Z',
      deep_link: `https://chat.studio.test/app/accounts/${project.accountId}/conversations/${source.conversationId}`,
      evidence: { source: 'rag_chunks', ref: source.chunkId },
    });
    expect(hit.snippet).toContain('[[цвет]] [[кнопок]]');
    expect(hit.snippet).not.toMatch(/<b>/);
    expect(hit.scores.vector).toBeGreaterThan(0.5);
    expect(hit.scores.text).toBeGreaterThan(0);
    expect(hit.scores.fused).toBeGreaterThan(0);
  });

  it('finds a message by another inflected form of its Russian words', async () => {
    // "макетами главных страниц" vs "макеты главной страницы" in the message.
    const res = await post(session, { query: 'макетами главных страниц' });
    expect(res.json().hits[0].message_global_id).toBe(messages[1]!.messageGlobalId);
    const bill = await post(session, { query: 'счета за этапы' });
    expect(bill.json().hits[0].message_global_id).toBe(messages[3]!.messageGlobalId);
  });

  it('finds a message despite a typo, through the vector half', async () => {
    const res = await post(session, { query: 'guidlines documnet' });
    const top = res.json().hits[0];
    expect(top.message_global_id).toBe(messages[6]!.messageGlobalId);
    expect(top.scores).toMatchObject({ text: null });
  });

  it('applies the sender type and conversation filters', async () => {
    const res = await post(session, {
      query: 'логотип logo',
      filters: {
        sender_type: 'Contact',
        conversation_global_id: messages[0]!.conversationGlobalId,
      },
    });
    const hits = res.json().hits as { sender_type: string }[];
    expect(hits.length).toBeGreaterThan(0);
    expect(hits.every((h) => h.sender_type === 'Contact')).toBe(true);
    const none = await post(session, { query: 'логотип', filters: { to: '2025-01-01T00:00:00Z' } });
    expect(none.json().hits).toEqual([]);
  });

  it('rejects an empty or over-long query with a 400 naming query', async () => {
    for (const query of ['', '   ', 'x'.repeat(2001)]) {
      const res = await post(session, { query });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ ok: false, error: 'validation_error' });
      expect(JSON.stringify(res.json().details)).toContain('query');
    }
  });

  it('needs a session', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/search', payload: { query: 'x' } });
    expect(res.statusCode).toBe(401);
  });

  it('searches the evidence index of the project', async () => {
    const res = await ctx.app.inject({
      method: 'GET',
      url: `/evidence/search?q=${encodeURIComponent('бриф редизайн')}&limit=5`,
      headers: session.headers,
    });
    expect(res.statusCode).toBe(200);
    const items = res.json().items;
    expect(items[0]).toMatchObject({ source: 'cw_messages', ref: messages[0]!.messageGlobalId });
    expect(items[0].snippet).toContain('[[бриф]]');
    expect(items[0].meta.contact_name).toBe('Мария Кофейня');
  });
});

describe('evidence search at scale', () => {
  it('ranks the item holding every word first, past a thousand items holding one', async () => {
    const project = await createProject(ctx.database);
    // More one-word items than the ranking pool holds, and the whole match written last, so a
    // pool filled in storage order would miss it.
    await createManyChunks(ctx.database, project, 1100, (i) =>
      i < 1099 ? `Палитра, вариант ${i}` : 'Палитра бренда согласована с клиентом',
    );
    await indexEvidence({ database: ctx.database, scope: project });
    const session = await createSession(ctx.database, project);
    const res = await ctx.app.inject({
      method: 'GET',
      url: `/evidence/search?q=${encodeURIComponent('палитра бренда')}&limit=5`,
      headers: session.headers,
    });
    expect(res.statusCode).toBe(200);
    const items = res.json().items as { snippet: string; rank: number }[];
    expect(items).toHaveLength(5);
    expect(items[0]!.snippet).toContain('[[бренда]]');
    expect(items[0]!.rank).toBeGreaterThan(items[1]!.rank);
  });
});

describe('project isolation', () => {
  it('never returns another project’s chunks, even for identical texts', async () => {
    const a = await createProject(ctx.database);
    const b = await createProject(ctx.database);
    const text = 'Согласуем финальную палитру бренда в пятницу';
    const [inA] = await createConversation(ctx.database, a, { messages: [{ text }] });
    const [inB] = await createConversation(ctx.database, b, { messages: [{ text }] });
    for (const scope of [a, b]) {
      await runEmbeddings({ database: ctx.database, config: ctx.config, scope, provider });
    }
    const sessionA = await createSession(ctx.database, a);
    const res = await post(sessionA, { query: text, topK: 50 });
    const hits = res.json().hits as { chunk_id: string }[];
    expect(hits.map((h) => h.chunk_id)).toEqual([inA!.chunkId]);
    expect(hits.map((h) => h.chunk_id)).not.toContain(inB!.chunkId);

    const evidence = await ctx.app.inject({
      method: 'GET',
      url: `/evidence/search?q=${encodeURIComponent('палитра')}`,
      headers: sessionA.headers,
    });
    expect(evidence.json().items.map((i: { ref: string }) => i.ref)).toEqual([
      inA!.messageGlobalId,
    ]);
  });
});

describe('vector index', () => {
  it('gives a large project its own graph and serves its vector half from it', async () => {
    const project = await createProject(ctx.database);
    const other = await createProject(ctx.database);
    for (const scope of [project, other]) {
      await createManyChunks(ctx.database, scope, 600, (i) => `message ${i} about topic ${i % 23}`);
      await runEmbeddings({ database: ctx.database, config: ctx.config, scope, provider });
    }
    const search = () =>
      searchChunks({
        database: ctx.database,
        config: { SEARCH_EXACT_THRESHOLD: 100 },
        scope: project,
        provider,
        query: 'topic 7',
        topK: 10,
      });
    // Above the threshold but no graph yet: exact, and complete.
    const beforeBuild = await search();
    expect(beforeBuild.vector_path).toBe('exact');
    expect(beforeBuild.hits).toHaveLength(10);

    const ensure = (scope: typeof project, minReady: number) =>
      ensureProjectVectorIndex({ database: ctx.database, scope, minReady });
    expect(await ensure(project, 600)).toBe('too_small');
    expect(await ensure(project, 100)).toBe('built');
    expect(await ensure(project, 100)).toBe('exists');

    const vector = toVectorLiteral((await provider.embed(['topic 7'])).vectors[0]!);
    const plan = await ctx.database.withScope(project, async (trx) => {
      await enableIterativeScan(trx, 40);
      // The planner's statistics for a just-filled table are stale; the test checks that the
      // query's shape lets the index serve it, as it does on a table of production size.
      await sql`set local enable_seqscan = off`.execute(trx);
      await sql`set local enable_sort = off`.execute(trx);
      const query = nearestChunksQuery({
        scope: project,
        vector,
        model: provider.model,
        limit: 40,
        exact: false,
        filter: sql<boolean>`true`,
      }).compile(trx);
      const { rows } = await sql<{
        'QUERY PLAN': string;
      }>`explain ${sql.raw(inline(query.sql, query.parameters))}`.execute(trx);
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    expect(plan).toMatch(
      new RegExp(`Index Scan using ${vectorIndexName(project.projectId)} on rag_chunks`),
    );
    const result = await search();
    expect(result.vector_path).toBe('hnsw');
    expect(result.hits.map((h) => h.chunk_id)).toEqual(beforeBuild.hits.map((h) => h.chunk_id));

    // The other project's rows are not in this graph, and it has none of its own yet.
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from pg_indexes
      where tablename = 'rag_chunks' and indexname = ${vectorIndexName(other.projectId)}`.execute(
      ctx.database.db,
    );
    expect(rows[0]!.n).toBe(0);
  });

  // The embedded database is one session, in which an advisory lock is re-entrant.
  it.skipIf(!process.env.TEST_DATABASE_URL)(
    'builds a graph once when two workers ask at the same time',
    async () => {
      const project = await createProject(ctx.database);
      await createManyChunks(ctx.database, project, 30, (i) => `note ${i} on the brief`);
      await runEmbeddings({ database: ctx.database, config: ctx.config, scope: project, provider });
      const ensure = () =>
        ensureProjectVectorIndex({ database: ctx.database, scope: project, minReady: 10 });
      const otherWorker = await ctx.database.pool.connect();
      try {
        await otherWorker.query('select pg_advisory_lock(hashtextextended($1, 0))', [
          vectorIndexName(project.projectId),
        ]);
        expect(await ensure()).toBe('busy');
      } finally {
        await otherWorker.query('select pg_advisory_unlock_all()');
        otherWorker.release();
      }
      expect(await ensure()).toBe('built');
    },
  );
});

/** EXPLAIN cannot take bind parameters; inline them as literals for the plan only. */
function inline(text: string, parameters: readonly unknown[]): string {
  return text.replace(/\$(\d+)/g, (_, n: string) => {
    const value = parameters[Number(n) - 1];
    return typeof value === 'number' ? String(value) : `'${String(value).replaceAll("'", "''")}'`;
  });
}
