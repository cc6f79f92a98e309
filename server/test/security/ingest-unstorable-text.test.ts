import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindSim, type Bound } from '../chatwoot/harness.js';
import { useTestApp } from '../support/app.js';

/**
 * One odd message must never stop a sync: text Postgres cannot store (NUL, an unpaired surrogate)
 * arrives from the source now and then, and is kept with U+FFFD in its place (lib/text.ts).
 */
describe('a sync over content Postgres cannot store as sent', () => {
  const ctx = useTestApp();
  let bound: Bound;
  let conversationId: number;
  const planted: { id: number; sent: string; kept: string }[] = [];

  beforeAll(async () => {
    bound = await bindSim(ctx, { size: 'tiny', seed: 'unstorable-text' });
    conversationId = bound.sim.control.groundTruth.conversationIds()[0]!;
    // Planted the way an out-of-process test would: through the simulator's HTTP control API.
    for (const [sent, kept] of [
      [
        'Invoice total\u0000 is 1,200 EUR; please confirm it before Friday.',
        'Invoice total\uFFFD is 1,200 EUR; please confirm it before Friday.',
      ],
      [
        'Brand book draft attached \ud83d, the rest follows on Monday morning.',
        'Brand book draft attached \uFFFD, the rest follows on Monday morning.',
      ],
    ]) {
      const res = await fetch(`${bound.sim.url}/__sim/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ conversationId, content: sent, message_type: 'incoming' }),
      });
      planted.push({ id: ((await res.json()) as { id: number }).id, sent: sent!, kept: kept! });
    }
    const contactId = (
      bound.sim.control.groundTruth.conversations().next().value as {
        meta: { sender: { id: number } };
      }
    ).meta.sender.id;
    bound.sim.control.updateContact(contactId, { name: 'Ana\u0000 Petrova' });
  });
  afterAll(() => bound?.sim.stop());

  it('completes, keeping every message with the unstorable characters replaced', async () => {
    const counts = await bound.sync();
    expect(counts.conversations_failed).toBe(0);
    const rows = await ctx.database.withScope(bound.scope, async (trx) => {
      const { rows } = await sql<{
        message_id: number;
        content: string;
        chunk: string;
        data: string;
      }>`
        select m.message_id, m.content, k.text as chunk, m.data ->> 'content' as data
        from cw_messages m join rag_chunks k on k.message_global_id = m.id
        where m.project_id = ${bound.scope.projectId}::uuid and m.message_id = any(${planted.map((p) => p.id)}::bigint[])
        order by m.message_id`.execute(trx);
      return rows;
    });
    expect(rows).toEqual(
      planted.map((p) => ({ message_id: p.id, content: p.kept, chunk: p.kept, data: p.kept })),
    );
    const names = await ctx.database.withScope(bound.scope, async (trx) => {
      const { rows } = await sql<{ name: string }>`
        select name from cw_contacts where project_id = ${bound.scope.projectId}::uuid and name like 'Ana%'`.execute(
        trx,
      );
      return rows.map((r) => r.name);
    });
    expect(names).toContain('Ana\uFFFD Petrova');
  });
});
