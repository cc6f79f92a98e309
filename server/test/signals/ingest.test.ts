import { buildWebhookPayload, signedDelivery } from '@cairn/chatwoot-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSignalsForProject } from '../../src/modules/signals/run-signals.js';
import { signalsAfterMessagesApplied } from '../../src/modules/signals/run-signals.js';
import { useTestApp } from '../support/app.js';
import { bindSim, WEBHOOK_SECRET, type Bound } from '../chatwoot/harness.js';

const ctx = useTestApp();

async function signalRows(bound: Bound) {
  return ctx.database.withScope(bound.scope, (trx) =>
    trx
      .selectFrom('signals')
      .selectAll()
      .where('project_id', '=', bound.scope.projectId)
      .orderBy('id')
      .execute(),
  );
}

describe('signals after a sync', { timeout: 120_000 }, () => {
  let bound: Bound;
  beforeAll(async () => {
    bound = await bindSim(ctx, { size: 'tiny', seed: 'signals-ingest' });
  });
  afterAll(async () => bound?.sim.stop());

  it('raises awaiting_reply for an unanswered client message and resolves it when the reply syncs, in the same sync', async () => {
    const sync = (extra = {}) =>
      bound.sync({ onMessagesApplied: [signalsAfterMessagesApplied], ...extra });
    await sync();
    const first = await signalRows(bound);
    const waiting = first.filter((s) => s.kind === 'awaiting_reply' && s.status === 'open');
    expect(waiting.length).toBeGreaterThan(0);

    // The signal cites the client's message, and the source holds no studio reply after it.
    const signal = waiting[0]!;
    const ref = signal.evidence_refs[0]!;
    expect(ref.source).toBe('cw_messages');
    const conversationId = Number(signal.subject_key.split(':').at(-1));
    const messages = [...bound.sim.control.groundTruth.messages({ conversationId })] as {
      id: number;
      message_type: number;
      private: boolean;
    }[];
    const cited = Number(ref.ref.split(':').at(-1));
    expect(messages.find((m) => m.id === cited)?.message_type).toBe(0);
    expect(messages.some((m) => m.id > cited && m.message_type === 1 && !m.private)).toBe(false);
    // Every stored signal's evidence names a message of this project.
    for (const row of first) {
      for (const r of row.evidence_refs) expect(r.ref).toContain(bound.scope.projectId);
    }

    const reply = bound.sim.control.addMessage({
      conversationId,
      content: 'Sorry for the wait — the files are attached.',
      message_type: 'outgoing',
    }) as { id: number };
    await sync();
    const after = (await signalRows(bound)).find((s) => s.id === signal.id)!;
    expect(after.status).toBe('resolved');
    expect(after.resolution).toMatch(/^auto: answered by cwmsg:.*:/);
    expect(after.resolution).toContain(`:${reply.id} `);
    expect(after.resolved_at).not.toBeNull();
  });

  it('never duplicates a signal, and a re-run over unchanged data writes nothing', async () => {
    const now = new Date();
    const before = await signalRows(bound);
    const rerun = await runSignalsForProject({ database: ctx.database, scope: bound.scope, now });
    const again = await runSignalsForProject({ database: ctx.database, scope: bound.scope, now });
    expect(again).toMatchObject({ inserted: 0, updated: 0, reopened: 0, resolved: 0, dropped: 0 });
    expect(again.unchanged).toBeGreaterThan(0);
    const after = await signalRows(bound);
    // The first full run may only add what time alone made due since the sync.
    expect(after.length).toBe(before.length + rerun.inserted);
    const fingerprints = after.map((s) => s.fingerprint);
    expect(new Set(fingerprints).size).toBe(fingerprints.length);
    // Nothing written by the second run: every row's updated_at is what the first run left.
    const third = await runSignalsForProject({ database: ctx.database, scope: bound.scope, now });
    expect(third.inserted + third.updated + third.resolved).toBe(0);
    expect((await signalRows(bound)).map((s) => String(s.updated_at))).toEqual(
      after.map((s) => String(s.updated_at)),
    );
  });

  it('resolves a waiting signal when the reply arrives by webhook, in the delivery’s transaction', async () => {
    const open = (await signalRows(bound)).filter(
      (s) => s.kind === 'awaiting_reply' && s.status === 'open',
    );
    expect(open.length).toBeGreaterThan(0);
    const signal = open[0]!;
    const conversationId = Number(signal.subject_key.split(':').at(-1));
    const reply = bound.sim.control.addMessage({
      conversationId,
      content: 'Here you go — sent the files just now.',
      message_type: 'outgoing',
    }) as { id: number };
    const payload = buildWebhookPayload(bound.sim, 'message_created', {
      conversationId,
      messageId: reply.id,
    });
    const delivery = signedDelivery(WEBHOOK_SECRET, payload);
    const res = await ctx.app.inject({
      method: 'POST',
      url: `/webhooks/chatwoot/${bound.sourceId}`,
      headers: delivery.headers,
      payload: delivery.body,
    });
    expect(res.statusCode).toBe(200);
    const after = (await signalRows(bound)).find((s) => s.id === signal.id)!;
    expect(after.status).toBe('resolved');
    expect(after.resolution).toContain(`:${reply.id} `);
  });
});
