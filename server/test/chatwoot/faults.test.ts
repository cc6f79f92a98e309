import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import {
  ChatwootSyncError,
  SyncAbortedError,
} from '../../src/modules/connectors/chatwoot/sync-chatwoot.js';
import { useTestApp } from '../support/app.js';
import { bindSim, expectConverged, type Bound } from './harness.js';

const ctx = useTestApp();
const running: Bound[] = [];
// Not awaited: after a request the client abandoned, the simulator's close waits out keep-alive.
afterEach(() => {
  for (const bound of running.splice(0)) void bound.sim.stop();
});

async function bind(config = {}) {
  const bound = await bindSim(ctx, { size: 'tiny', seed: `faults-${running.length}`, config });
  running.push(bound);
  return bound;
}

async function watermarkOf(bound: Bound) {
  return ctx.database.withScope(bound.scope, async (trx) => {
    const { rows } = await sql<{ cursor_ts: Date | null }>`
      select cursor_ts from sync_watermarks where project_id = ${bound.scope.projectId}::uuid`.execute(
      trx,
    );
    return rows[0]?.cursor_ts ?? null;
  });
}

describe('sync under upstream faults', () => {
  it('rides out 429s, 5xx, a timeout, malformed and truncated bodies and an empty page, and converges', async () => {
    const bound = await bind({ CHATWOOT_TIMEOUT_MS: 500, CHATWOOT_MAX_RETRIES: 4 });
    const { control } = bound.sim;
    const [first, second, third] = control.groundTruth.conversationIds();
    control.injectFault({ route: 'conversations', kind: '429', times: 3 });
    control.injectFault({ route: 'contacts', kind: '503', times: 1, retryAfterSeconds: 1 });
    control.injectFault({
      route: 'messages',
      kind: '500',
      times: 2,
      match: { conversationId: first },
    });
    control.injectFault({
      route: 'messages',
      kind: '502',
      times: 1,
      match: { conversationId: second },
    });
    control.injectFault({
      route: 'messages',
      kind: 'delay',
      delayMs: 900,
      match: { conversationId: third },
    });
    control.injectFault({ route: 'messages', kind: 'malformed', times: 1 });
    control.injectFault({ route: 'messages', kind: 'truncated', times: 1 });
    control.injectFault({ route: 'messages', kind: 'empty_page', times: 1 });

    const retried: (number | null)[] = [];
    const counts = await bound.sync({
      client: { retryBaseMs: 5, retryMaxMs: 40, onRetry: (r) => retried.push(r.status) },
    });

    expect(control.faults()).toEqual([]);
    const { storedIds, truthIds, contentMismatches } = await expectConverged(
      ctx.database,
      bound.scope,
      bound.sim,
    );
    expect(storedIds).toEqual(truthIds);
    expect(contentMismatches).toEqual([]);
    expect(counts.messages_inserted).toBe(truthIds.length);
    // Each fault cost a retry: 429 ×3, 503, 500 ×2, 502, the timeout, malformed, truncated.
    expect(retried.filter((s) => s === 429)).toHaveLength(3);
    expect(retried).toEqual(expect.arrayContaining([503, 500, 500, 502, null]));
    expect(retried.length).toBeGreaterThanOrEqual(10);
  });

  it('fails with an error naming the endpoint, status and attempts, keeps the rest and the watermark, then converges', async () => {
    const bound = await bind({ CHATWOOT_MAX_RETRIES: 2 });
    const { control } = bound.sim;
    const withheld = control.groundTruth.conversationIds()[5]!;
    control.injectFault({
      route: 'messages',
      kind: '500',
      times: 1_000,
      match: { conversationId: withheld },
    });

    const error = await bound.sync().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChatwootSyncError);
    const message = (error as Error).message;
    expect(message).toContain(`conversation ${withheld}`);
    expect(message).toContain(
      `GET /api/v1/accounts/${bound.sim.accountId}/conversations/${withheld}/messages`,
    );
    expect(message).toContain('HTTP 500');
    expect(message).toContain('3 attempts');
    expect(await watermarkOf(bound)).toBeNull();

    const completeness = await bound.session.request(
      'GET',
      `/sources/${bound.sourceId}/completeness`,
    );
    expect(completeness.statusCode).toBe(200);
    const report = completeness.json();
    expect(report.percentage).toBeLessThan(100);
    expect(
      report.gaps.map((g: { conversation_id: number; reason: string }) => [
        g.conversation_id,
        g.reason,
      ]),
    ).toEqual([[withheld, 'fetch_failed']]);
    const { storedIds, truthIds } = await expectConverged(ctx.database, bound.scope, bound.sim);
    const withheldIds = [...control.groundTruth.messages({ conversationId: withheld })].map(
      (m) => m.id as number,
    );
    expect(storedIds).toEqual(truthIds.filter((id) => !withheldIds.includes(id)));

    control.clearFaults();
    const counts = await bound.sync();
    expect(counts.messages_inserted).toBe(withheldIds.length);
    const after = await expectConverged(ctx.database, bound.scope, bound.sim);
    expect(after.storedIds).toEqual(after.truthIds);
    expect(await watermarkOf(bound)).not.toBeNull();
    const healed = (
      await bound.session.request('GET', `/sources/${bound.sourceId}/completeness`)
    ).json();
    expect(healed).toMatchObject({ percentage: 100, gaps: [], gaps_total: 0 });
    expect(healed.conversations_total).toBe(control.groundTruth.conversationIds().length);
  });

  it('resumes after an abort at a random batch without losing or duplicating anything', async () => {
    const bound = await bind();
    const controller = new AbortController();
    const total = [...bound.sim.control.groundTruth.messages()].length;
    const stopAt = 1 + Math.floor(Math.random() * 3);
    let batches = 0;
    // Slow pages keep the run from finishing before the abort lands, however fast the database.
    bound.sim.control.injectFault({
      route: 'messages',
      kind: 'delay',
      delayMs: 150,
      times: 100_000,
    });
    const error = await bound
      .sync({
        signal: controller.signal,
        writeBatchMessages: 40,
        onProgress: (_processed, _total, phase) => {
          if (phase === 'messages' && ++batches > stopAt) controller.abort();
        },
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SyncAbortedError);
    const partial = (error as SyncAbortedError).counts.messages_inserted;
    expect(await watermarkOf(bound)).toBeNull();

    bound.sim.control.clearFaults();
    const counts = await bound.sync();
    const { storedIds, truthIds } = await expectConverged(ctx.database, bound.scope, bound.sim);
    expect(storedIds).toEqual(truthIds);
    expect(partial).toBeLessThan(total);
    expect(partial + counts.messages_inserted).toBe(total);
  });
});
