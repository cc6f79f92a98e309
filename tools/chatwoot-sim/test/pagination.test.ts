import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sim } from '../src/index.js';
import {
  accountPath,
  api,
  backfillMessages,
  crawlConversations,
  startTinySim,
  type Json,
} from './helpers.js';

let sim: Sim;
beforeAll(async () => {
  sim = await startTinySim({
    seed: 'paging',
    size: { conversations: 60, messagesPerConversation: 45 },
  });
});
afterAll(async () => {
  await sim.stop();
});

describe('conversation list', () => {
  it('pages by 25 and a short page ends the crawl with every conversation once', async () => {
    const { pages, items } = await crawlConversations(sim);
    expect(pages).toBe(3);
    const ids = items.map((c) => c['id'] as number);
    expect(new Set(ids).size).toBe(60);
    expect([...ids].sort((a, b) => a - b)).toEqual(sim.control.groundTruth.conversationIds());
    const beyond = await api(sim, accountPath(sim, '/conversations?status=all&page=4'));
    expect(beyond.body['data']['payload']).toEqual([]);
    expect(beyond.body['data']['meta']['all_count']).toBe(60);
  });

  it('returns only open conversations unless status=all', async () => {
    const open = await crawlConversations(sim, 'status=open');
    const byDefault = await crawlConversations(sim, 'sort_by=last_activity_at_desc');
    expect(byDefault.items.map((c) => c['id'])).toEqual(open.items.map((c) => c['id']));
    expect(byDefault.items.every((c) => c['status'] === 'open')).toBe(true);
    const all = await crawlConversations(sim);
    expect(all.items.length).toBeGreaterThan(byDefault.items.length);
    const first = await api(sim, accountPath(sim, '/conversations'));
    expect(first.body['data']['meta']['all_count']).toBe(open.items.length);
  });

  it('sorts by last activity, newest first, by default', async () => {
    const { items } = await crawlConversations(sim);
    const activity = items.map((c) => c['last_activity_at'] as number);
    expect(activity).toEqual([...activity].sort((a, b) => b - a));
    const ascending = await crawlConversations(sim, 'status=all&sort_by=last_activity_at_asc');
    expect(ascending.items.map((c) => c['id'])).toEqual(items.map((c) => c['id']).reverse());
  });

  it('counts mine, assigned and unassigned over the whole filtered set', async () => {
    const { items } = await crawlConversations(sim);
    const { body } = await api(
      sim,
      accountPath(sim, '/conversations?status=all&assignee_type=unassigned'),
    );
    const meta = body['data']['meta'];
    const unassigned = items.filter((c) => !c['meta']['assignee']).length;
    expect(meta).toEqual({
      mine_count: items.filter((c) => c['meta']['assignee']?.['id'] === 2).length,
      assigned_count: 60 - unassigned,
      unassigned_count: unassigned,
      all_count: 60,
    });
    expect((body['data']['payload'] as Json[]).every((c) => !c['meta']['assignee'])).toBe(true);
  });

  it('filters by inbox', async () => {
    const { items } = await crawlConversations(sim, 'status=all&inbox_id=2');
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((c) => c['inbox_id'] === 2)).toBe(true);
  });

  it('returns every recently updated conversation unpaged with updated_within', async () => {
    const none = await api(sim, accountPath(sim, '/conversations?status=all&updated_within=3600'));
    expect(none.body['data']['payload']).toEqual([]);
    const everything = await api(
      sim,
      accountPath(sim, '/conversations?status=all&updated_within=999999999&page=2'),
    );
    expect(everything.body['data']['payload']).toHaveLength(60);
  });
});

describe('message cursors', () => {
  it('backfills with before until an empty page and matches the ground truth', async () => {
    const messages = await backfillMessages(sim, 7);
    const truth = [...sim.control.groundTruth.messages({ conversationId: 7 })];
    expect(messages).toEqual(truth);
    expect(messages).toHaveLength(45);
  });

  it('returns the newest 20 oldest first without a cursor, and 20 before a cursor', async () => {
    const truth = [...sim.control.groundTruth.messages({ conversationId: 8 })].map(
      (m) => m['id'] as number,
    );
    const latest = await api(sim, accountPath(sim, '/conversations/8/messages'));
    expect(latest.body['payload'].map((m: Json) => m['id'])).toEqual(truth.slice(-20));
    const before = await api(
      sim,
      accountPath(sim, `/conversations/8/messages?before=${truth[30]}`),
    );
    expect(before.body['payload'].map((m: Json) => m['id'])).toEqual(truth.slice(10, 30));
  });

  it('returns up to 100 after a cursor (exclusive), and a range with after inclusive', async () => {
    const truth = [...sim.control.groundTruth.messages({ conversationId: 9 })].map(
      (m) => m['id'] as number,
    );
    const after = await api(sim, accountPath(sim, `/conversations/9/messages?after=${truth[4]}`));
    expect(after.body['payload'].map((m: Json) => m['id'])).toEqual(truth.slice(5));
    const range = await api(
      sim,
      accountPath(sim, `/conversations/9/messages?after=${truth[4]}&before=${truth[9]}`),
    );
    expect(range.body['payload'].map((m: Json) => m['id'])).toEqual(truth.slice(4, 9));
    const past = await api(sim, accountPath(sim, `/conversations/9/messages?after=${truth[44]}`));
    expect(past.body['payload']).toEqual([]);
  });

  it('caps after pages at 100', async () => {
    const s = await startTinySim({
      seed: 'long',
      size: { conversations: 2, messagesPerConversation: 130 },
    });
    try {
      const page = await api(s, accountPath(s, '/conversations/1/messages?after=0'));
      expect(page.body['payload']).toHaveLength(100);
    } finally {
      await s.stop();
    }
  });

  it('drops private notes and activity with filter_internal_messages=true', async () => {
    const all = [...sim.control.groundTruth.messages()];
    const conversationId = all.find((m) => m['private'] === true)!['conversation_id'] as number;
    const { body } = await api(
      sim,
      accountPath(
        sim,
        `/conversations/${conversationId}/messages?after=0&filter_internal_messages=true`,
      ),
    );
    expect((body['payload'] as Json[]).some((m) => m['private'] || m['message_type'] === 2)).toBe(
      false,
    );
  });
});

describe('contacts', () => {
  it('pages by 15, lists only contacts with email, phone or identifier, and echoes page as sent', async () => {
    const listed: Json[] = [];
    let count = 0;
    for (let page = 1; ; page++) {
      const { body } = await api(sim, accountPath(sim, `/contacts?sort=name&page=${page}`));
      expect(body['meta']['current_page']).toBe(String(page));
      count = body['meta']['count'];
      listed.push(...body['payload']);
      if (body['payload'].length < 15) break;
    }
    expect(listed).toHaveLength(count);
    expect(listed.every((c) => c['email'] || c['phone_number'] || c['identifier'])).toBe(true);
    const noPage = await api(sim, accountPath(sim, '/contacts'));
    expect(noPage.body['meta']['current_page']).toBe(1);
  });

  it('serves hidden contacts through conversation meta.sender and GET /contacts/{id}', async () => {
    const { items } = await crawlConversations(sim);
    const hidden = items
      .map((c) => c['meta']['sender'] as Json)
      .find((s) => !s['email'] && !s['phone_number'] && !s['identifier'])!;
    expect(hidden).toBeDefined();
    const shown = await api(sim, accountPath(sim, `/contacts/${hidden['id']}`));
    expect(shown.status).toBe(200);
    expect(shown.body['payload']['id']).toBe(hidden['id']);
  });
});
