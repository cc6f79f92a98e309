import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isChunkable } from '../../src/modules/connectors/chatwoot/chunking.js';
import { chunkText } from '../../src/modules/ingest/chunking.js';
import { useTestApp } from '../support/app.js';
import {
  bindSim,
  count,
  expectConverged,
  simMessages,
  storedChunks,
  type Bound,
} from './harness.js';

const ctx = useTestApp();

// FULL_INGEST=1 runs the acceptance dataset (50,000 messages); the default suite uses 5,000.
const FULL = Boolean(process.env.FULL_INGEST);
const SIZE = FULL ? 'medium' : 'small';
const TIMEOUT = FULL ? 900_000 : 60_000;

describe(`first sync and re-sync against the simulator (${SIZE})`, { timeout: TIMEOUT }, () => {
  let bound: Bound;
  beforeAll(async () => {
    bound = await bindSim(ctx, { size: SIZE });
  });
  afterAll(async () => bound?.sim.stop());

  it('stores every message exactly once, with the ids and content the source has', async () => {
    const started = Date.now();
    const counts = await bound.sync();
    if (FULL)
      console.warn(
        `first sync of ${counts.messages_inserted} messages: ${Date.now() - started} ms`,
        counts,
      );
    const { storedIds, truthIds, contentMismatches } = await expectConverged(
      ctx.database,
      bound.scope,
      bound.sim,
    );
    expect(storedIds).toEqual(truthIds);
    expect(new Set(storedIds).size).toBe(storedIds.length);
    expect(contentMismatches).toEqual([]);
    expect(counts.mode).toBe('full');
    expect(counts.messages_inserted).toBe(truthIds.length);
    expect(counts.conversations).toBe(bound.sim.control.groundTruth.conversationIds().length);
    expect(await count(ctx.database, bound.scope, 'cw_conversations')).toBe(counts.conversations);
  });

  it('keeps contacts the contacts list omits, from the conversations that mention them', async () => {
    const stats = bound.sim.control.stats();
    expect(stats.listedContacts).toBeLessThan(stats.contacts);
    const conversationContacts = new Set(
      [...bound.sim.control.groundTruth.conversations()].map(
        (c) => (c.meta as { sender: { id: number } }).sender.id,
      ),
    );
    const stored = await count(ctx.database, bound.scope, 'cw_contacts');
    expect(stored).toBeGreaterThanOrEqual(conversationContacts.size);
    expect(stored).toBeGreaterThan(stats.listedContacts);
  });

  it('writes pending chunks for exactly the searchable messages', async () => {
    const chunks = await storedChunks(ctx.database, bound.scope);
    const expected = simMessages(bound.sim)
      .sort((a, b) => a.id - b.id)
      .filter((m) =>
        isChunkable(
          {
            message_type: m.message_type,
            private: m.private,
            content: m.content,
            deleted: m.deleted,
          },
          ctx.config.MIN_EMBED_CHARS,
        ),
      )
      .flatMap((m) =>
        chunkText(m.content ?? '', ctx.config.CHUNK_SIZE).map(
          (c) => `${m.id}:${c.index}:${c.textHash}`,
        ),
      );
    expect(chunks.map((c) => `${c.message_id}:${c.chunk_index}:${c.text_hash}`)).toEqual(expected);
    expect(new Set(chunks.map((c) => c.embedding_status))).toEqual(new Set(['pending']));
  });

  it('changes nothing on a re-sync with no changes at the source', async () => {
    const started = Date.now();
    const counts = await bound.sync();
    if (FULL) console.warn(`no-change re-sync: ${Date.now() - started} ms`, counts);
    expect(counts.mode).toBe('incremental');
    expect(counts).toMatchObject({
      contacts_written: 0,
      conversations_written: 0,
      conversations_fetched: 0,
      messages_inserted: 0,
      messages_updated: 0,
      messages_deleted: 0,
      chunks_created: 0,
      chunks_reset: 0,
      chunks_removed: 0,
    });
  });

  it('reflects exactly the messages added, edited and deleted at the source, chunks included', async () => {
    const { control } = bound.sim;
    const conversations = control.groundTruth.conversationIds();
    // The oldest conversation is far outside the lookback window: only updated_within finds it.
    const old = conversations[0]!;
    const threadOf = (id: number) =>
      [...control.groundTruth.messages({ conversationId: id })] as {
        id: number;
        message_type: number;
        private: boolean;
        content: string | null;
      }[];
    const editable = threadOf(old).find(
      (m) => m.message_type === 0 && !m.private && (m.content ?? '').length >= 40,
    )!;
    const deletable = threadOf(conversations[1]!).find(
      (m) => m.message_type === 1 && !m.private && (m.content ?? '').length >= 40,
    )!;
    const snapshot = () =>
      new Map([...control.groundTruth.messages()].map((m) => [m.id as number, m]));
    const truthBefore = snapshot();
    const edited =
      'Revised brief: the logo goes on the left, the invoice is due on the 14th. '.repeat(3);
    control.editMessage(editable.id, edited);
    control.deleteMessage(deletable.id);
    const added = control.addMessage({
      conversationId: conversations[2]!,
      content: 'Could you send the revised mockups by Friday? We approve the palette.',
      message_type: 'incoming',
    });
    // A status change by an agent also adds an activity message, which is stored but not chunked.
    const statusChanged = conversations[3]!;
    const newStatus = (
      [...control.groundTruth.conversations()].find((c) => c.id === statusChanged)!.status ===
      'resolved'
        ? 'open'
        : 'resolved'
    ) as 'open' | 'resolved';
    // Skipped at medium size: there the simulator re-renders the history of a conversation whose
    // status changed each time it rebuilds it from the seed, so the source itself is unstable.
    if (!FULL) control.setConversationStatus(statusChanged, newStatus);
    const before = await storedChunks(ctx.database, bound.scope);

    const counts = await bound.sync();
    // What changed at the source, from its own before/after: the edit, the deletion, the new
    // message and the activity message, plus anything the source itself re-rendered meanwhile.
    const truthAfter = snapshot();
    const isDeleted = (m: Record<string, unknown> | undefined) =>
      (m?.content_attributes as { deleted?: boolean } | undefined)?.deleted === true;
    const changedIds = [...truthAfter.keys()].filter(
      (id) =>
        truthBefore.has(id) &&
        JSON.stringify(truthBefore.get(id)) !== JSON.stringify(truthAfter.get(id)),
    );
    const deletedIds = changedIds.filter(
      (id) => isDeleted(truthAfter.get(id)) && !isDeleted(truthBefore.get(id)),
    );
    expect(deletedIds).toEqual([deletable.id]);
    expect(changedIds).toContain(editable.id);
    expect(counts).toMatchObject({
      messages_inserted: [...truthAfter.keys()].filter((id) => !truthBefore.has(id)).length,
      messages_updated: changedIds.length - deletedIds.length,
      messages_deleted:
        deletedIds.length + [...truthBefore.keys()].filter((id) => !truthAfter.has(id)).length,
    });
    expect(counts.messages_inserted).toBe(FULL ? 1 : 2);
    const statuses = await ctx.database.withScope(bound.scope, async (trx) => {
      const { rows } = await sql<{ status: string }>`
        select status from cw_conversations
        where project_id = ${bound.scope.projectId}::uuid and conversation_id = ${statusChanged}`.execute(
        trx,
      );
      return rows.map((r) => r.status);
    });
    if (!FULL) expect(statuses).toEqual([newStatus]);

    const { storedIds, truthIds, contentMismatches } = await expectConverged(
      ctx.database,
      bound.scope,
      bound.sim,
    );
    expect(storedIds).toEqual(truthIds);
    expect(contentMismatches).toEqual([]);
    const after = await storedChunks(ctx.database, bound.scope);
    expect(after.filter((c) => c.message_id === deletable.id)).toEqual([]);
    expect(
      after.filter((c) => c.message_id === editable.id).map((c) => [c.text, c.embedding_status]),
    ).toEqual(chunkText(edited, ctx.config.CHUNK_SIZE).map((c) => [c.text, 'pending']));
    expect(after.filter((c) => c.message_id === (added.id as number)).length).toBe(1);
    // Every other chunk is untouched.
    const touched = new Set(
      [...changedIds, ...truthAfter.keys()].filter(
        (id) => changedIds.includes(id) || !truthBefore.has(id),
      ),
    );
    expect(after.filter((c) => !touched.has(c.message_id))).toEqual(
      before.filter((c) => !touched.has(c.message_id)),
    );
    expect(counts.chunks_created + counts.chunks_reset).toBeGreaterThanOrEqual(2);
  });
});
