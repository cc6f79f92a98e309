import { afterAll, describe, expect, it } from 'vitest';
import { startAttioSim, type AttioSim } from '../src/index.js';
import { allNotes, api, queryAll, type Json } from './helpers.js';

const started: AttioSim[] = [];
async function sim(seed: string): Promise<AttioSim> {
  const s = await startAttioSim({ seed, size: 'tiny' });
  started.push(s);
  return s;
}
afterAll(async () => {
  await Promise.all(started.map((s) => s.stop()));
});

async function snapshot(s: AttioSim): Promise<string> {
  const records: Json = {};
  for (const object of ['people', 'companies', 'deals'])
    records[object] = (await queryAll(s, object)).records;
  return JSON.stringify({
    records,
    notes: await allNotes(s),
    tasks: (await api(s, '/v2/tasks')).body,
    members: (await api(s, '/v2/workspace_members')).body,
    self: (await api(s, '/v2/self')).body,
    token: s.token,
  });
}

describe('seeded generation', () => {
  it('serves byte-identical data for the same seed', async () => {
    const [a, b] = await Promise.all([sim('same'), sim('same')]);
    const [left, right] = [await snapshot(a), await snapshot(b)];
    expect(left.length).toBeGreaterThan(50_000);
    expect(left).toBe(right);
  });

  it('serves different data for a different seed', async () => {
    const [a, b] = await Promise.all([sim('one'), sim('two')]);
    expect(await snapshot(a)).not.toBe(await snapshot(b));
  });

  it('writes meeting notes in Russian and English Markdown about the studio’s work', async () => {
    const s = await sim('text');
    const notes = (await allNotes(s)).map((n) => n['content_markdown'] as string);
    const text = notes.join('\n');
    expect(text).toMatch(/^# /m);
    expect(text).toMatch(/^- /m);
    expect(text).toMatch(/\*\*[^*]+\*\*/);
    expect(notes.some((n) => /макет/i.test(n))).toBe(true);
    expect(notes.some((n) => /\bmockups\b|\binvoice\b|\bbrief\b/i.test(n))).toBe(true);
  });
});
