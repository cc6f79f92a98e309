import { buildStudio } from '@cairn/studio';
import { afterAll, describe, expect, it } from 'vitest';
import { startLinearSim, type LinearSim } from '../src/index.js';
import { crawl, ISSUE_FIELDS, type Json } from './helpers.js';

const started: LinearSim[] = [];
async function sim(seed: string): Promise<LinearSim> {
  const s = await startLinearSim({ seed, size: 'tiny' });
  started.push(s);
  return s;
}
afterAll(async () => {
  await Promise.all(started.map((s) => s.stop()));
});

async function snapshot(s: LinearSim): Promise<string> {
  const all = { includeArchived: true, first: 100 };
  const issues = await crawl(s, 'issues', ISSUE_FIELDS, all);
  const comments = await crawl(
    s,
    'comments',
    'id body url createdAt updatedAt user { id } issue { id }',
    all,
  );
  const customers = await crawl(s, 'customers', 'id name domains url needs { id body }', all);
  return JSON.stringify({ issues, comments, customers, key: s.apiKey, secret: s.webhookSecret });
}

describe('seeded generation', () => {
  it('serves byte-identical data for the same seed', async () => {
    const [a, b] = await Promise.all([sim('same'), sim('same')]);
    const [left, right] = [await snapshot(a), await snapshot(b)];
    expect(left.length).toBeGreaterThan(20_000);
    expect(left).toBe(right);
  });

  it('serves different data for a different seed', async () => {
    const [a, b] = await Promise.all([sim('one'), sim('two')]);
    expect(await snapshot(a)).not.toBe(await snapshot(b));
  });

  it('has the studio’s clients as customers, with the Chatwoot email domains', async () => {
    const s = await sim('studio');
    const studio = buildStudio({ seed: 'studio', size: 'tiny' });
    const customers = [...s.control.groundTruth.customers()];
    expect(customers.map((c) => c['id'])).toEqual(
      expect.arrayContaining(
        studio.companies.flatMap((c) => (c.linearCustomerId ? [c.linearCustomerId] : [])),
      ),
    );
    const zerno = customers.find((c) =>
      (c['domains'] as string[]).includes('kofeinya-zerno.example'),
    )!;
    expect(zerno['name']).toBe('Кофейня «Зерно»');
    const users = [...s.control.groundTruth.users()];
    expect(users.map((u) => u['id'])).toEqual(studio.staff.map((m) => m.linearUserId));
    const linearLinks = s.control
      .studioTruth()
      .staff.map((m) => m.links.find((l) => l.source_kind === 'linear_workspace')!.external_id);
    expect(linearLinks).toEqual(users.map((u) => u['id']));
  });

  it('writes Russian and English Markdown with lists, links, mentions and code spans', async () => {
    const s = await sim('text');
    const text = [...s.control.groundTruth.issues()]
      .map((i) => `${i['title']}\n${i['description'] ?? ''}`)
      .join('\n');
    expect(text).toMatch(/макет/i);
    expect(text).toMatch(/mockups|revisions|invoice/);
    expect(text).toMatch(/^- /m);
    expect(text).toMatch(/\[[^\]]+\]\(https:\/\//);
    expect(text).toMatch(/@[a-z]+\.[a-z]+/);
    expect(text).toMatch(/`[^`]+`/);
    const forms = ['макет', 'макета', 'макетов', 'макеты'].filter((f) =>
      new RegExp(`(^|[^а-яё])${f}([^а-яё]|$)`, 'i').test(
        text + [...s.control.groundTruth.comments()].map((c) => c['body']).join('\n'),
      ),
    );
    expect(forms.length).toBeGreaterThanOrEqual(3);
    const comments: Json[] = [...s.control.groundTruth.comments()];
    expect(comments.some((c) => /[а-я]/i.test(c['body'] as string))).toBe(true);
    expect(comments.some((c) => /\b(the|we)\b/.test(c['body'] as string))).toBe(true);
  });
});
