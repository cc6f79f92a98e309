import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import { openDatabase, type Database } from '../../src/db/database.js';
import { createLocalEmbedder } from '../../src/modules/rag/embeddings/local-embedder.js';
import { createOpenAiEmbedder } from '../../src/modules/rag/embeddings/openai-embedder.js';
import type { EmbeddingProvider } from '../../src/modules/rag/embeddings/provider.js';
import { runEmbeddings } from '../../src/modules/rag/run-embeddings.js';
import { testConfig } from '../support/app.js';
import { TEST_EMBEDDING_DIM } from '../support/constants.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { startFakeOpenAi, type FakeOpenAi } from '../support/fake-openai.js';
import {
  createConversation,
  createManyChunks,
  createProject,
  type TestProject,
} from './factories.js';

let testDb: TestDatabase;
let database: Database;
let config: Config;
let fake: FakeOpenAi;

beforeAll(async () => {
  testDb = await startTestDatabase();
  config = testConfig({
    DATABASE_URL: testDb.url,
    EMBED_BATCH_SIZE: '50',
    EMBED_MAX_ATTEMPTS: '2',
  });
  database = await openDatabase(config);
  fake = await startFakeOpenAi({ dimension: TEST_EMBEDDING_DIM });
});
afterAll(async () => {
  await fake?.close();
  await database?.close();
  await testDb?.drop();
});

const local = () => createLocalEmbedder({ dimension: TEST_EMBEDDING_DIM });

/** Wraps a provider to record every text it was asked to embed. */
function counting(provider: EmbeddingProvider) {
  const seen: string[] = [];
  const wrapped: EmbeddingProvider = {
    ...provider,
    embed: (texts, options) => {
      seen.push(...texts);
      return provider.embed(texts, options);
    },
  };
  return { provider: wrapped, seen };
}

async function statuses(project: TestProject) {
  const { rows } = await sql<{ embedding_status: string; n: number }>`
    select embedding_status, count(*)::int as n from rag_chunks
    where project_id = ${project.projectId} group by 1
  `.execute(database.db);
  return Object.fromEntries(rows.map((r) => [r.embedding_status, r.n]));
}

describe('embeddings run', () => {
  it('embeds every chunk exactly once when two runs race over 2,000 pending chunks', async () => {
    const project = await createProject(database);
    await createManyChunks(
      database,
      project,
      2000,
      (i) => `Сообщение номер ${i} про макет ${i % 17}`,
    );
    const a = counting(local());
    const b = counting(local());
    const [ra, rb] = await Promise.all([
      runEmbeddings({ database, config, scope: project, provider: a.provider }),
      runEmbeddings({ database, config, scope: project, provider: b.provider }),
    ]);
    expect(ra.embedded + rb.embedded).toBe(2000);
    const all = [...a.seen, ...b.seen];
    expect(all).toHaveLength(2000);
    expect(new Set(all).size).toBe(2000);
    expect(await statuses(project)).toEqual({ ready: 2000 });
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from rag_chunks
      where project_id = ${project.projectId}
        and (embedding is null or embedding_model is null or last_embedded_at is null)
    `.execute(database.db);
    expect(rows[0]!.n).toBe(0);
    // 2,000 chunks through a single-session embedded database on a shared machine: the volume is
    // the point of the test, so it gets more than the default minute.
  }, 240_000);

  it('leaves a failed batch failed with its error, keeps other batches, and retries it next run', async () => {
    const project = await createProject(database);
    const poisoned = 'POISON in this message';
    await createConversation(database, project, {
      messages: [
        ...Array.from({ length: 60 }, (_, i) => ({ text: `ordinary message ${i}` })),
        { text: poisoned },
      ],
    });
    const provider = createOpenAiEmbedder({
      apiKey: 'sk-x',
      baseUrl: fake.baseUrl,
      model: 'fake-embed',
      dimension: TEST_EMBEDDING_DIM,
      maxInputs: 50,
      timeoutMs: 2000,
      retryBaseMs: 1,
      maxRetries: 0,
    });
    fake.rejectInputContaining('POISON');
    const first = await runEmbeddings({ database, config, scope: project, provider });
    // Two batches (50 + 11); the one holding the poisoned text fails as a whole, the other lands.
    expect([first.failed, first.embedded].sort()).toEqual([11, 50]);
    expect(await statuses(project)).toEqual({ ready: first.embedded, failed: first.failed });
    const failedRow = await database.db
      .selectFrom('rag_chunks')
      .select(['embedding_error', 'embedding_attempts'])
      .where('project_id', '=', project.projectId)
      .where('embedding_status', '=', 'failed')
      .executeTakeFirstOrThrow();
    expect(failedRow.embedding_error).toMatch(/HTTP 400/);
    expect(failedRow.embedding_attempts).toBe(1);

    fake.rejectInputContaining(undefined);
    const second = await runEmbeddings({ database, config, scope: project, provider });
    expect(second.retried).toBe(first.failed);
    expect(second.embedded).toBe(first.failed);
    expect(await statuses(project)).toEqual({ ready: 61 });
  });

  it('stops retrying at EMBED_MAX_ATTEMPTS and leaves the row failed and visible', async () => {
    const project = await createProject(database);
    await createConversation(database, project, { messages: [{ text: 'always POISON' }] });
    const provider = createOpenAiEmbedder({
      apiKey: 'sk-x',
      baseUrl: fake.baseUrl,
      model: 'fake-embed',
      dimension: TEST_EMBEDDING_DIM,
      maxInputs: 50,
      timeoutMs: 2000,
      maxRetries: 0,
    });
    fake.rejectInputContaining('POISON');
    try {
      for (let i = 0; i < 4; i++)
        await runEmbeddings({ database, config, scope: project, provider });
    } finally {
      fake.rejectInputContaining(undefined);
    }
    const row = await database.db
      .selectFrom('rag_chunks')
      .select(['embedding_status', 'embedding_attempts', 'embedding_error'])
      .where('project_id', '=', project.projectId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ embedding_status: 'failed', embedding_attempts: 2 });
    expect(row.embedding_error).toMatch(/HTTP 400/);
  });

  it('returns chunks stuck in processing past the recovery window to the queue', async () => {
    const project = await createProject(database);
    await createConversation(database, project, {
      messages: [{ text: 'crashed run left me' }, { text: 'a fresh claim' }],
    });
    await sql`
      update rag_chunks set embedding_status = 'processing',
        processing_started_at = now() - make_interval(mins => ${config.EMBED_STALE_RECOVERY_MINUTES + 1})
      where project_id = ${project.projectId} and text = 'crashed run left me'
    `.execute(database.db);
    await sql`
      update rag_chunks set embedding_status = 'processing', processing_started_at = now()
      where project_id = ${project.projectId} and text = 'a fresh claim'
    `.execute(database.db);
    const counts = await runEmbeddings({ database, config, scope: project, provider: local() });
    expect(counts).toMatchObject({ recovered: 1, embedded: 1 });
    expect(await statuses(project)).toEqual({ ready: 1, processing: 1 });
  });

  it('re-embeds ready chunks when the model changes', async () => {
    const project = await createProject(database);
    await createConversation(database, project, {
      messages: [{ text: 'логотип' }, { text: 'palette' }],
    });
    await runEmbeddings({ database, config, scope: project, provider: local() });
    const other: EmbeddingProvider = { ...local(), model: 'another-model' };
    const counts = await runEmbeddings({ database, config, scope: project, provider: other });
    expect(counts).toMatchObject({ requeued: 2, embedded: 2 });
    const models = await database.db
      .selectFrom('rag_chunks')
      .select('embedding_model')
      .distinct()
      .where('project_id', '=', project.projectId)
      .execute();
    expect(models).toEqual([{ embedding_model: 'another-model' }]);
  });

  it('never touches another project’s pending chunks', async () => {
    const a = await createProject(database);
    const b = await createProject(database);
    await createConversation(database, a, { messages: [{ text: 'project a text' }] });
    await createConversation(database, b, { messages: [{ text: 'project b text' }] });
    await runEmbeddings({ database, config, scope: a, provider: local() });
    expect(await statuses(a)).toEqual({ ready: 1 });
    expect(await statuses(b)).toEqual({ pending: 1 });
  });

  it('stops at the run token budget and leaves the rest pending', async () => {
    const project = await createProject(database);
    await createConversation(database, project, {
      messages: Array.from({ length: 120 }, (_, i) => ({ text: `budget ${i}` })),
    });
    const provider = createOpenAiEmbedder({
      apiKey: 'sk-x',
      baseUrl: fake.baseUrl,
      model: 'fake-embed',
      dimension: TEST_EMBEDDING_DIM,
      maxInputs: 50,
      timeoutMs: 2000,
    });
    // The fake bills 10 tokens per input: one batch of 50 spends the budget.
    const counts = await runEmbeddings({
      database,
      config: { ...config, EMBED_RUN_TOKEN_BUDGET: 400 },
      scope: project,
      provider,
    });
    expect(counts).toMatchObject({ embedded: 50, stopped: 'token_budget' });
    expect(await statuses(project)).toEqual({ ready: 50, pending: 70 });
  });
});
