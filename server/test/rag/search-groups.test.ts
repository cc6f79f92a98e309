import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.js';
import {
  createConversation,
  createProject,
  createSession,
  type TestMessage,
  type TestProject,
} from './factories.js';

const ctx = useTestApp();

interface Hit {
  chunk_id: string;
  message_global_id: string;
  conversation_global_id: string;
  sender_type: string | null;
  deep_link: string | null;
  evidence: { source: string; ref: string; meta: Record<string, unknown> };
}
interface Group {
  key: string;
  members: Hit[];
  size: number;
  conversation_count: number;
  similar_conversation_count: number;
}

describe('search groups near-identical results for scanning', () => {
  let project: TestProject;
  let session: Awaited<ReturnType<typeof createSession>>;
  const receipts: TestMessage[] = [];
  let other: TestMessage[];

  beforeAll(async () => {
    project = await createProject(ctx.database, { baseUrl: 'https://chat.studio.test' });
    for (let i = 0; i < 10; i++) {
      const [message] = await createConversation(ctx.database, project, {
        contactName: `Client ${i}`,
        messages: [{ text: 'Invoice paid, receipt attached.' }],
      });
      receipts.push(message!);
    }
    other = await createConversation(ctx.database, project, {
      messages: [
        { text: 'The invoice for the logo is not paid yet, we wait for the receipt.' },
        { text: 'Invoice №4812 paid, receipt attached!', senderType: 'User' },
      ],
    });
    session = await createSession(ctx.database, project);
  });

  const search = (payload: Record<string, unknown>) =>
    ctx.app.inject({ method: 'POST', url: '/search', headers: session.headers, payload });

  it('returns ten identical snippets from ten conversations as one group of ten, each with its evidence', async () => {
    const res = await search({
      query: 'invoice paid receipt attached',
      topK: 10,
      filters: { sender: 'client' },
    });
    expect(res.statusCode).toBe(200);
    const groups = res.json().groups as Group[];
    const group = groups.find((g) => g.size > 1)!;
    expect(group.size).toBe(10);
    expect(group.members).toHaveLength(10);
    expect(group.conversation_count).toBe(10);
    expect(group.similar_conversation_count).toBe(9);
    expect(group.key).toBe(group.members[0]!.chunk_id);
    expect(new Set(group.members.map((m) => m.chunk_id))).toEqual(
      new Set(receipts.map((r) => r.chunkId)),
    );
    for (const member of group.members) {
      const source = receipts.find((r) => r.chunkId === member.chunk_id)!;
      expect(member.evidence).toMatchObject({
        source: 'rag_chunks',
        ref: source.chunkId,
        meta: {
          message_global_id: source.messageGlobalId,
          conversation_global_id: source.conversationGlobalId,
        },
      });
      expect(member.deep_link).toBe(
        `https://chat.studio.test/app/accounts/${project.accountId}/conversations/${source.conversationId}`,
      );
    }
    // The client's different sentence stays its own result.
    expect(groups.some((g) => g.members[0]!.chunk_id === other[0]!.chunkId)).toBe(true);
  });

  it('folds numbers and punctuation: the studio’s "Invoice №4812 paid, receipt attached!" joins the group', async () => {
    const res = await search({ query: 'invoice paid receipt attached', topK: 5 });
    const groups = res.json().groups as Group[];
    const group = groups.find((g) => g.members.some((m) => m.chunk_id === receipts[0]!.chunkId))!;
    expect(group.size).toBe(11);
    expect(group.members.map((m) => m.chunk_id)).toContain(other[1]!.chunkId);
    // hits stay the flat best topK.
    expect(res.json().hits).toHaveLength(5);
  });

  it('filters by sender and by since/until, and names a bad field', async () => {
    const studio = await search({ query: 'invoice receipt', filters: { sender: 'studio' } });
    expect((studio.json().hits as Hit[]).map((h) => h.chunk_id)).toEqual([other[1]!.chunkId]);

    const none = await search({
      query: 'invoice receipt',
      filters: { since: '2027-01-01T00:00:00Z', until: '2027-02-01T00:00:00Z' },
    });
    expect(none.json().hits).toEqual([]);

    const bad = await search({ query: 'invoice', filters: { sender: 'bot' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('sender');

    const backwards = await search({
      query: 'invoice',
      filters: { since: '2026-02-01T00:00:00Z', until: '2026-01-01T00:00:00Z' },
    });
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json().details.fields[0].field).toBe('filters.until');
  });

  it('lists conversations with their last message, message count and whether the client waits', async () => {
    // The second message of `other` is the studio's reply.
    await sql`update cw_messages set message_type = 1 where id = ${other[1]!.messageGlobalId}`.execute(
      ctx.database.db,
    );
    const res = await ctx.app.inject({
      method: 'GET',
      url: '/conversations?limit=50',
      headers: session.headers,
    });
    expect(res.statusCode).toBe(200);
    const list = res.json().conversations as {
      id: string;
      message_count: number;
      last_message: { preview: string; sender_type: string | null } | null;
      awaiting_reply: boolean;
    }[];
    expect(list).toHaveLength(11);
    const replied = list.find((c) => c.id === other[0]!.conversationGlobalId)!;
    expect(replied).toMatchObject({
      message_count: 2,
      last_message: { preview: 'Invoice №4812 paid, receipt attached!', sender_type: 'User' },
      awaiting_reply: false,
    });
    const waiting = list.find((c) => c.id === receipts[3]!.conversationGlobalId)!;
    expect(waiting).toMatchObject({
      message_count: 1,
      last_message: { preview: 'Invoice paid, receipt attached.', sender_type: 'Contact' },
      awaiting_reply: true,
    });
  });
});
