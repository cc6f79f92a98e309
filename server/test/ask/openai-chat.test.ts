// @module-tag no-database
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChatProviderError,
  createOpenAiChat,
  type ChatPiece,
} from '../../src/modules/rag/ask/openai-chat.js';
import { startFakeChat, type FakeChat } from '../support/fake-chat.js';

let fake: FakeChat;
beforeAll(async () => {
  fake = await startFakeChat({ apiKey: 'sk-test-chat' });
});
afterAll(async () => fake?.close());

const client = (overrides: Partial<Parameters<typeof createOpenAiChat>[0]> = {}) =>
  createOpenAiChat({
    baseUrl: fake.baseUrl,
    apiKey: 'sk-test-chat',
    model: 'fake-model',
    timeoutMs: 1_000,
    retryBaseMs: 5,
    ...overrides,
  });

async function collect(signal = new AbortController().signal) {
  const pieces: ChatPiece[] = [];
  for await (const piece of client().stream(
    { messages: [{ role: 'user', content: 'q' }], maxTokens: 100 },
    { signal },
  )) {
    pieces.push(piece);
  }
  return pieces;
}

async function failure(promise: Promise<unknown>): Promise<ChatProviderError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ChatProviderError);
  return error as ChatProviderError;
}

describe('the OpenAI-compatible chat client', () => {
  it('streams the answer in pieces and reports the usage, sending the key and max_tokens', async () => {
    fake.script({
      kind: 'answer',
      text: 'Счёт оплачен [1].',
      pieceChars: 4,
      usage: { prompt_tokens: 7, completion_tokens: 3 },
    });
    const pieces = await collect();
    expect(pieces.filter((p) => p.type === 'text').length).toBeGreaterThan(1);
    expect(pieces.map((p) => (p.type === 'text' ? p.text : '')).join('')).toBe('Счёт оплачен [1].');
    expect(pieces.at(-1)).toEqual({ type: 'usage', promptTokens: 7, completionTokens: 3 });
    const request = fake.requests.at(-1)!;
    expect(request).toMatchObject({ model: 'fake-model', maxTokens: 100, stream: true });
    expect(request.authorization).toBe('Bearer sk-test-chat');
  });

  it('retries a 429 after its Retry-After, in seconds or as an HTTP date, and a 500', async () => {
    const hits = fake.hits;
    fake.script(
      { kind: 'status', status: 429, retryAfter: '0' },
      { kind: 'status', status: 500 },
      { kind: 'answer', text: 'ok.' },
    );
    expect((await collect()).some((p) => p.type === 'text')).toBe(true);
    expect(fake.hits - hits).toBe(3);

    fake.script(
      { kind: 'status', status: 429, retryAfter: new Date(Date.now() + 1000).toUTCString() },
      { kind: 'answer', text: 'ok.' },
    );
    const started = Date.now();
    await collect();
    // HTTP dates have whole seconds: the wait is up to a second, never skipped.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1);
  });

  it('gives up at once on a Retry-After longer than it will wait, saying when to come back', async () => {
    const hits = fake.hits;
    fake.script({ kind: 'status', status: 429, retryAfter: '120' });
    const error = await failure(collect());
    expect(error.code).toBe('provider_rate_limited');
    expect(error.details).toMatchObject({ status: 429, attempts: 1, retryAfterMs: 120_000 });
    expect(fake.hits - hits).toBe(1);
  });

  it('fails with the status after the last retry of repeated 5xx, and does not retry a 400', async () => {
    fake.script(...Array.from({ length: 3 }, () => ({ kind: 'status' as const, status: 503 })));
    const error = await failure(collect());
    expect(error).toMatchObject({ code: 'provider_error', details: { status: 503, attempts: 3 } });
    expect(error.message).not.toContain('sk-test-chat');

    const hits = fake.hits;
    fake.script({ kind: 'status', status: 400, body: 'bad model' });
    expect((await failure(collect())).details).toMatchObject({ status: 400, attempts: 1 });
    expect(fake.hits - hits).toBe(1);
  });

  it('times out a server that never answers, after its retries', async () => {
    fake.script({ kind: 'hang' }, { kind: 'hang' }, { kind: 'hang' });
    const error = await failure(collect());
    expect(error).toMatchObject({ code: 'provider_timeout', details: { attempts: 3 } });
  });

  it('fails, without retrying, a stream that stops sending or is cut mid-answer', async () => {
    const hits = fake.hits;
    fake.script({ kind: 'stall', text: 'Первое предложение. Второе', pieces: 1 });
    expect((await failure(collect())).code).toBe('provider_timeout');
    fake.script({ kind: 'cut', text: 'Первое предложение. Второе', pieces: 1 });
    expect((await failure(collect())).code).toBe('provider_error');
    expect(fake.hits - hits).toBe(2);
  });

  it('aborts the upstream request when its signal is aborted', async () => {
    const aborted = fake.aborted;
    fake.script({ kind: 'answer', text: 'x'.repeat(200), pieceChars: 2, pieceDelayMs: 20 });
    const controller = new AbortController();
    const pieces: ChatPiece[] = [];
    const run = (async () => {
      for await (const piece of client({ timeoutMs: 5_000 }).stream(
        { messages: [{ role: 'user', content: 'q' }], maxTokens: 10 },
        { signal: controller.signal },
      )) {
        pieces.push(piece);
        if (pieces.length === 2) controller.abort();
      }
    })();
    await expect(run).rejects.toBeDefined();
    await fake.waitForAborts(aborted + 1);
    expect(fake.aborted).toBeGreaterThan(aborted);
    expect(pieces).toHaveLength(2);
  });
});
