// @module-tag no-database
import { startChatwootSim, type Sim } from '@cairn/chatwoot-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunkText } from '../../src/modules/ingest/chunking.js';
import {
  ChatwootApiError,
  ChatwootClient,
  parseRetryAfter,
} from '../../src/modules/connectors/chatwoot/client.js';
import { parseChatwootTime } from '../../src/modules/connectors/chatwoot/time.js';
import { createGuardedHttp } from '../../src/lib/net/guarded-http.js';
import { LOOPBACK } from '../support/constants.js';

describe('Chatwoot timestamps', () => {
  it.each([
    [1782114005, '2026-06-22T07:40:05.000Z'],
    [1782112938.734512, '2026-06-22T07:22:18.735Z'],
    ['2026-06-22T07:02:18.734Z', '2026-06-22T07:02:18.734Z'],
    ['1782114005', '2026-06-22T07:40:05.000Z'],
  ])('reads %s', (input, expected) => {
    expect(parseChatwootTime(input)?.toISOString()).toBe(expected);
  });
  it.each([[0], [null], [undefined], [''], ['Mon Jun 22 2026 nonsense']])(
    'treats %s as empty',
    (input) => {
      expect(parseChatwootTime(input)).toBeNull();
    },
  );
});

describe('Retry-After', () => {
  it('reads delta-seconds and HTTP-dates, and ignores garbage', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    const now = Date.parse('2026-06-22T07:00:00Z');
    expect(parseRetryAfter('Mon, 22 Jun 2026 07:00:03 GMT', now)).toBe(3000);
    expect(parseRetryAfter('soon')).toBeNull();
    expect(parseRetryAfter(null)).toBeNull();
  });
});

describe('chunking', () => {
  const sentence = (i: number) =>
    `Sentence ${i} of the brief talks about the logo, the palette and the invoice due date.`;
  const long = Array.from({ length: 40 }, (_, i) => sentence(i)).join(' ');

  it('keeps a short message whole', () => {
    expect(chunkText('Please send the invoice.', 1000).map((c) => c.text)).toEqual([
      'Please send the invoice.',
    ]);
  });

  it('splits long text near the size at sentence ends, each chunk opening with a short tail of the previous one', () => {
    const chunks = chunkText(long, 500);
    expect(chunks.length).toBeGreaterThan(5);
    for (const chunk of chunks) {
      expect(chunk.text.length).toBeLessThanOrEqual(500);
      expect(chunk.text.endsWith('.')).toBe(true);
    }
    for (let i = 1; i < chunks.length; i++) {
      const text = chunks[i]!.text;
      const carried = text.slice(0, text.indexOf('Sentence ')).trim();
      expect(carried.length).toBeGreaterThan(0);
      expect(carried.length).toBeLessThanOrEqual(60);
      expect(chunks[i - 1]!.text.endsWith(carried)).toBe(true);
    }
    expect(chunkText(long, 500)).toEqual(chunks);
  });

  it('prefers paragraph breaks', () => {
    const text = `${'Paragraph one talks about the brief. '.repeat(8).trim()}\n\n${'Paragraph two is about the invoice. '.repeat(8).trim()}`;
    const chunks = chunkText(text, 400);
    expect(chunks[0]!.text).toBe('Paragraph one talks about the brief. '.repeat(8).trim());
  });

  it('cuts a single overlong word where it must', () => {
    const chunks = chunkText('x'.repeat(2500), 1000);
    expect(chunks.every((c) => c.text.length <= 1000)).toBe(true);
    expect(
      chunks
        .map((c) => c.text)
        .join('')
        .replaceAll(' ', '').length,
    ).toBeGreaterThanOrEqual(2500);
  });
});

describe('client against the simulator', () => {
  let sim: Sim;
  const http = createGuardedHttp({ allowlist: LOOPBACK });
  beforeAll(async () => {
    sim = await startChatwootSim({ size: 'tiny', seed: 'client' });
  });
  afterAll(async () => {
    await sim?.stop();
    await http.close();
  });

  const client = (options: Partial<ConstructorParameters<typeof ChatwootClient>[0]> = {}) =>
    new ChatwootClient({
      fetch: http.fetch,
      baseUrl: sim.url,
      accountId: sim.accountId,
      apiToken: sim.token,
      timeoutMs: 2000,
      maxRetries: 2,
      concurrency: 2,
      retryBaseMs: 5,
      ...options,
    });

  it('honours Retry-After when the server sends one', async () => {
    sim.control.injectFault({ route: 'conversations', kind: '429', retryAfterSeconds: 1 });
    const delays: number[] = [];
    const page = await client({ onRetry: (r) => delays.push(r.delayMs) }).listConversations({
      page: 1,
    });
    expect(page.payload.length).toBeGreaterThan(0);
    expect(delays).toEqual([1000]);
  });

  it('gives up with an error naming the endpoint, status and attempt count', async () => {
    sim.control.injectFault({ route: 'contacts', kind: '502', times: 3 });
    const error = await client()
      .listContacts({ page: 1 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChatwootApiError);
    expect((error as ChatwootApiError).message).toMatch(
      /^Chatwoot GET \/api\/v1\/accounts\/\d+\/contacts\?.* failed after 3 attempts \(HTTP 502\)/,
    );
  });

  it('does not retry a rejected token, and puts neither the token nor the body in the error', async () => {
    const error = (await client({ apiToken: 'wrong-token-value' })
      .listContacts({ page: 1 })
      .catch((e: unknown) => e)) as ChatwootApiError;
    expect(error.status).toBe(401);
    expect(error.attempts).toBe(1);
    expect(error.message).toContain('the API token was rejected');
    expect(error.message).not.toContain('Invalid Access Token');
    expect(error.message).not.toContain('wrong-token-value');
  });
});
