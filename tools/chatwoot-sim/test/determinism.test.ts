import { afterAll, describe, expect, it } from 'vitest';
import { startChatwootSim, type Sim } from '../src/index.js';
import {
  accountPath,
  api,
  backfillMessages,
  crawlConversations,
  startTinySim,
  type Json,
} from './helpers.js';

const started: Sim[] = [];
async function sim(seed: string | number): Promise<Sim> {
  const s = await startTinySim({ seed });
  started.push(s);
  return s;
}
afterAll(async () => {
  await Promise.all(started.map((s) => s.stop()));
});

async function snapshot(s: Sim): Promise<string> {
  const { items } = await crawlConversations(s);
  const messages: Json[] = [];
  for (const item of items) messages.push(...(await backfillMessages(s, item['id'] as number)));
  const contacts: Json[] = [];
  for (let page = 1; ; page++) {
    const { body } = await api(s, accountPath(s, `/contacts?sort=created_at&page=${page}`));
    contacts.push(...body['payload']);
    if (body['payload'].length < 15) break;
  }
  return JSON.stringify({ items, messages, contacts });
}

describe('seeded generation', () => {
  it('produces byte-identical API data for the same seed', async () => {
    const [a, b] = await Promise.all([sim('same'), sim('same')]);
    const [left, right] = await Promise.all([snapshot(a), snapshot(b)]);
    expect(left.length).toBeGreaterThan(10_000);
    expect(left).toBe(right);
    expect(a.token).toBe(b.token);
  });

  it('produces different data for a different seed', async () => {
    const [a, b] = await Promise.all([sim('one'), sim('two')]);
    const contents = (s: Sim) =>
      [...s.control.groundTruth.messages()].map((m) => m['content']).join('\n');
    expect(contents(a)).not.toBe(contents(b));
    expect(a.token).not.toBe(b.token);
  });

  it('gives message ids that grow in creation order across the whole account', async () => {
    const s = await sim('order');
    const all = [...s.control.groundTruth.messages()].sort(
      (x, y) => (x['id'] as number) - (y['id'] as number),
    );
    expect(new Set(all.map((m) => m['id'])).size).toBe(all.length);
    for (let i = 1; i < all.length; i++)
      expect(all[i]!['created_at'] as number).toBeGreaterThanOrEqual(
        all[i - 1]!['created_at'] as number,
      );
    expect(all.length).toBeGreaterThan(250);
    expect(all.length).toBeLessThan(350);
  });

  it('gives conversation display ids and contact ids that grow with created_at', async () => {
    const s = await startChatwootSim({ size: 'small', seed: 'ids' });
    started.push(s);
    const createdAt = (rows: Json[]) =>
      rows
        .sort((x, y) => (x['id'] as number) - (y['id'] as number))
        .map((r) => r['created_at'] as number);
    const isSorted = (values: number[]) => values.every((v, i) => i === 0 || v >= values[i - 1]!);
    expect(isSorted(createdAt([...s.control.groundTruth.contacts()]))).toBe(true);
    expect(isSorted(createdAt([...s.control.groundTruth.conversations()]))).toBe(true);
  });

  it('mixes every message type, private notes, Russian inflections and English', async () => {
    const s = await sim('variety');
    const all = [...s.control.groundTruth.messages()];
    expect(new Set(all.map((m) => m['message_type']))).toEqual(new Set([0, 1, 2, 3]));
    expect(all.some((m) => m['private'] === true)).toBe(true);
    const text = all.map((m) => m['content'] as string).join('\n');
    expect(text).toMatch(/[А-Яа-яё]/);
    expect(text).toMatch(/\b(the|we|your)\b/);
    const forms = ['макет', 'макеты', 'макетов', 'макетам', 'макета', 'макетах', 'макетами'].filter(
      (form) => new RegExp(`(^|[^а-яё])${form}([^а-яё]|$)`, 'i').test(text),
    );
    expect(forms.length).toBeGreaterThanOrEqual(3);
  });

  it('creates contacts that only appear through conversation meta.sender', async () => {
    const s = await startChatwootSim({ size: 'small', seed: 'contacts' });
    started.push(s);
    const hidden = [...s.control.groundTruth.contacts()].filter(
      (c) => !c['email'] && !c['phone_number'] && !c['identifier'],
    );
    expect(hidden.length).toBeGreaterThan(0);
  });
});
