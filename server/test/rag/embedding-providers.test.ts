// @module-tag no-database
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLocalEmbedder, embedText } from '../../src/modules/rag/embeddings/local-embedder.js';
import {
  createOpenAiEmbedder,
  parseRetryAfter,
  splitByBudget,
} from '../../src/modules/rag/embeddings/openai-embedder.js';
import {
  EmbeddingProviderError,
  toVectorLiteral,
} from '../../src/modules/rag/embeddings/provider.js';
import { startFakeOpenAi, type FakeOpenAi } from '../support/fake-openai.js';

const DIM = 64;
const cosine = (a: number[], b: number[]) => a.reduce((sum, x, i) => sum + x * b[i]!, 0);

describe('local embedder', () => {
  it('is deterministic, L2-normalised and of the configured dimension', async () => {
    const embedder = createLocalEmbedder({ dimension: 256 });
    const [a, b] = (await embedder.embed(['Макет логотипа готов', 'Макет логотипа готов'])).vectors;
    expect(a).toHaveLength(256);
    expect(a).toEqual(b);
    expect(Math.hypot(...a!)).toBeCloseTo(1, 6);
  });

  it('treats ё as е and ignores case', () => {
    expect(embedText('ЁЛКА на ПРАЗДНИК', 256)).toEqual(embedText('елка на праздник', 256));
  });

  it('places inflected Russian forms and typos nearer than unrelated words', () => {
    const base = embedText('макеты логотипа', 256);
    expect(cosine(base, embedText('макетов логотипов', 256))).toBeGreaterThan(
      cosine(base, embedText('счёт за хостинг', 256)) + 0.3,
    );
    expect(cosine(embedText('invoice', 256), embedText('invocie', 256))).toBeGreaterThan(
      cosine(embedText('invoice', 256), embedText('palette', 256)) + 0.2,
    );
  });

  it('gives an empty text a valid unit vector rather than zeros', () => {
    const v = embedText('', 32);
    expect(Math.hypot(...v)).toBeCloseTo(1, 6);
    expect(toVectorLiteral(v)).toMatch(/^\[1\.0+,0,/);
  });
});

describe('openai-compatible embedder over HTTP', () => {
  let fake: FakeOpenAi;
  const apiKey = 'sk-test-secret-key-123';
  beforeAll(async () => {
    fake = await startFakeOpenAi({ dimension: DIM, apiKey });
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.requests.length = 0;
    fake.hits = 0;
  });

  const embedder = (overrides: Partial<Parameters<typeof createOpenAiEmbedder>[0]> = {}) =>
    createOpenAiEmbedder({
      apiKey,
      baseUrl: fake.baseUrl,
      model: 'text-embedding-3-small',
      dimension: DIM,
      maxInputs: 3,
      timeoutMs: 2_000,
      retryBaseMs: 5,
      maxRetries: 2,
      ...overrides,
    });

  it('batches by input count, sends the key and dimension, and keeps input order', async () => {
    const texts = ['one', 'two', 'three', 'four', 'five', 'six', 'seven'];
    const result = await embedder().embed(texts);
    expect(fake.requests.map((r) => r.inputs.length)).toEqual([3, 3, 1]);
    expect(fake.requests[0]).toMatchObject({
      model: 'text-embedding-3-small',
      dimensions: DIM,
      authorization: `Bearer ${apiKey}`,
    });
    expect(result.vectors).toHaveLength(7);
    expect(result.vectors[4]).toEqual(embedText('five', DIM));
    expect(result.tokens).toBe(70);
  });

  it('splits a batch whose estimated tokens exceed one request', () => {
    const long = 'x'.repeat(300_000);
    expect(splitByBudget([long, long, 'short'], 100).map((b) => b.length)).toEqual([1, 2]);
  });

  it('retries a 429 after the Retry-After delay, then succeeds', async () => {
    fake.fail({ kind: 'status', status: 429, retryAfter: '0' });
    const result = await embedder().embed(['hello']);
    expect(result.vectors).toHaveLength(1);
    expect(fake.hits).toBe(2);
  });

  it('retries a 500 and a dropped connection, then succeeds', async () => {
    fake.fail({ kind: 'status', status: 500 }, { kind: 'reset' });
    const result = await embedder().embed(['hello']);
    expect(result.vectors).toHaveLength(1);
    expect(fake.hits).toBe(3);
  });

  it('gives up after the retries with an error naming the status and attempts, never the key', async () => {
    fake.fail(...Array.from({ length: 3 }, () => ({ kind: 'status' as const, status: 503 })));
    const error = await embedder()
      .embed(['hello'])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmbeddingProviderError);
    expect((error as EmbeddingProviderError).details).toMatchObject({ status: 503, attempts: 3 });
    expect((error as Error).message).toMatch(/HTTP 503/);
    expect((error as Error).message).toMatch(/after 3 attempts/);
    expect((error as Error).message).not.toContain(apiKey);
  });

  it('does not retry a 400', async () => {
    fake.fail({ kind: 'status', status: 400, body: 'bad input' });
    const error = await embedder()
      .embed(['hello'])
      .catch((e: unknown) => e);
    expect((error as EmbeddingProviderError).details).toMatchObject({ status: 400, attempts: 1 });
    expect(fake.hits).toBe(1);
  });

  it('times out a hanging request, retries, and reports the timeout', async () => {
    fake.fail({ kind: 'hang' }, { kind: 'hang' });
    const error = await embedder({ timeoutMs: 200, maxRetries: 1 })
      .embed(['hello'])
      .catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/timed out after 200 ms/);
    expect((error as EmbeddingProviderError).details.attempts).toBe(2);
  });

  it('rejects a response whose vectors do not match EMBEDDING_DIM', async () => {
    fake.fail({ kind: 'wrong-dimension' });
    await expect(embedder().embed(['hello'])).rejects.toThrow(/EMBEDDING_DIM is 64/);
  });

  it('rejects a wrong key with a 401 naming the status', async () => {
    await expect(embedder({ apiKey: 'sk-wrong' }).embed(['hello'])).rejects.toThrow(/HTTP 401/);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});
