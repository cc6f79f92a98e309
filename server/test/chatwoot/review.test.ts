import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.js';
import { createProject, signIn, type Session } from '../support/factories.js';
import { bindSim, count, type Bound } from './harness.js';

const ctx = useTestApp();

describe('review endpoints over synced data', () => {
  let bound: Bound;
  let stranger: Session;
  beforeAll(async () => {
    bound = await bindSim(ctx, { size: 'tiny', seed: 'review' });
    await bound.sync();
    stranger = await signIn(ctx.app, ctx.database);
    await createProject(stranger);
  });
  afterAll(() => void bound?.sim.stop());

  async function pageThrough<T>(path: string, key: string): Promise<T[]> {
    const items: T[] = [];
    let cursor: string | null = null;
    do {
      const sep = path.includes('?') ? '&' : '?';
      const res = await bound.session.request(
        'GET',
        `${path}${cursor ? `${sep}cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(res.statusCode).toBe(200);
      const body = res.json() as Record<string, unknown> & { next_cursor: string | null };
      items.push(...(body[key] as T[]));
      cursor = body.next_cursor;
    } while (cursor);
    return items;
  }

  it('pages through every contact once, by name', async () => {
    const contacts = await pageThrough<{ id: string; name: string | null }>(
      '/contacts?limit=7',
      'contacts',
    );
    expect(contacts).toHaveLength(await count(ctx.database, bound.scope, 'cw_contacts'));
    expect(new Set(contacts.map((c) => c.id)).size).toBe(contacts.length);
    const names = contacts.map((c) => (c.name ?? '').toLowerCase());
    expect(names).toEqual([...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  });

  it('filters contacts by a substring, with % taken literally', async () => {
    const [first] = (await bound.session.request('GET', '/contacts?limit=1')).json().contacts as {
      name: string;
    }[];
    const needle = first!.name.slice(1, 5);
    const found = (
      await bound.session.request('GET', `/contacts?q=${encodeURIComponent(needle)}`)
    ).json().contacts as { name: string | null; email: string | null }[];
    expect(found.length).toBeGreaterThan(0);
    expect((await bound.session.request('GET', '/contacts?q=%25')).json().contacts).toEqual([]);
  });

  it('lists conversations newest activity first, filtered by status and contact', async () => {
    const conversations = await pageThrough<{
      id: string;
      status: string;
      last_activity_at: string;
      contact_global_id: string;
      deep_link: string;
      message_count: number;
    }>('/conversations?limit=8', 'conversations');
    expect(conversations).toHaveLength(bound.sim.control.groundTruth.conversationIds().length);
    const times = conversations.map((c) => Date.parse(c.last_activity_at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(conversations[0]!.deep_link).toMatch(
      new RegExp(`^${bound.sim.url}/app/accounts/${bound.sim.accountId}/conversations/\\d+$`),
    );
    const resolved = (
      await bound.session.request('GET', '/conversations?status=resolved&limit=500')
    ).json().conversations as { status: string }[];
    expect(resolved.every((c) => c.status === 'resolved')).toBe(true);
    const contact = conversations[0]!.contact_global_id;
    const mine = (
      await bound.session.request(
        'GET',
        `/conversations?contact_global_id=${encodeURIComponent(contact)}`,
      )
    ).json().conversations as { contact_global_id: string }[];
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((c) => c.contact_global_id === contact)).toBe(true);
  });

  it('returns a thread in reading order across pages, and the feed newest first', async () => {
    const conversationId = bound.sim.control.groundTruth.conversationIds()[2]!;
    const global = `cw:${bound.scope.projectId}:${bound.sim.accountId}:${conversationId}`;
    const thread = await pageThrough<{ message_id: number; message_type: string }>(
      `/messages?limit=3&conversation_global_id=${encodeURIComponent(global)}`,
      'messages',
    );
    const truth = [...bound.sim.control.groundTruth.messages({ conversationId })].map(
      (m) => m.id as number,
    );
    expect(thread.map((m) => m.message_id)).toEqual(truth);
    const feed = (await bound.session.request('GET', '/messages?limit=20')).json().messages as {
      source_created_at: string;
    }[];
    const times = feed.map((m) => Date.parse(m.source_created_at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('returns one conversation with its contact, message count and Chatwoot link', async () => {
    const conversationId = bound.sim.control.groundTruth.conversationIds()[1]!;
    const global = `cw:${bound.scope.projectId}:${bound.sim.accountId}:${conversationId}`;
    const res = await bound.session.request('GET', `/conversations/${encodeURIComponent(global)}`);
    expect(res.statusCode).toBe(200);
    const listed = (
      (await bound.session.request('GET', '/conversations?limit=500')).json().conversations as {
        id: string;
      }[]
    ).find((c) => c.id === global);
    expect(res.json().conversation).toEqual(listed);
    expect(res.json().conversation).toMatchObject({
      conversation_id: conversationId,
      message_count: [...bound.sim.control.groundTruth.messages({ conversationId })].length,
      deep_link: `${bound.sim.url}/app/accounts/${bound.sim.accountId}/conversations/${conversationId}`,
    });
  });

  it("answers 404 for another project's conversation, contact and source", async () => {
    const conversationId = bound.sim.control.groundTruth.conversationIds()[0]!;
    const global = encodeURIComponent(
      `cw:${bound.scope.projectId}:${bound.sim.accountId}:${conversationId}`,
    );
    const contact = (await bound.session.request('GET', '/contacts?limit=1')).json().contacts[0]
      .id as string;
    expect(
      (await stranger.request('GET', `/messages?conversation_global_id=${global}`)).statusCode,
    ).toBe(404);
    expect((await stranger.request('GET', `/conversations/${global}`)).statusCode).toBe(404);
    expect(
      (
        await stranger.request(
          'GET',
          `/conversations?contact_global_id=${encodeURIComponent(contact)}`,
        )
      ).statusCode,
    ).toBe(404);
    expect(
      (await stranger.request('GET', `/sources/${bound.sourceId}/completeness`)).statusCode,
    ).toBe(404);
    expect((await stranger.request('POST', `/sources/${bound.sourceId}/test`)).statusCode).toBe(
      404,
    );
    expect((await stranger.request('GET', '/messages')).json().messages).toEqual([]);
  });

  it('refuses a limit over 500 and a forged cursor with 400', async () => {
    expect((await bound.session.request('GET', '/contacts?limit=501')).statusCode).toBe(400);
    expect(
      (await bound.session.request('GET', '/conversations?cursor=bm90LWEtY3Vyc29y')).statusCode,
    ).toBe(400);
  });

  it('reports 100% completeness after a clean sync', async () => {
    const report = (
      await bound.session.request('GET', `/sources/${bound.sourceId}/completeness`)
    ).json();
    expect(report).toMatchObject({ percentage: 100, gaps: [], gaps_total: 0 });
    expect(report.messages_stored).toBe([...bound.sim.control.groundTruth.messages()].length);
    expect(report.messages_reported).toBe(report.messages_stored);
  });

  it('tests the connection through the profile endpoint', async () => {
    const res = await bound.session.request('POST', `/sources/${bound.sourceId}/test`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      ok: true,
      reachable: true,
      account_id: bound.sim.accountId,
    });
  });
});
