import { buildWebhookPayload, signedDelivery } from '@cairn/chatwoot-sim';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboundRepliesHook } from '../../src/modules/ingest/events.js';
import { WEBHOOK_SECRET } from '../chatwoot/harness.js';
import { useTestApp } from '../support/app.js';
import { createApproved, outboundRow, outboundWorld, setPolicy, type World } from './world.js';

/**
 * Stop-on-reply is an ingest subscriber (ingest/events.ts, outbound/stop-on-reply.ts): it must
 * run inside the transaction that stores the reply, so the block and the reply commit or roll
 * back together. A later subscriber that fails makes the delivery roll back; the block must go
 * with it, and a redelivery then applies both.
 */
describe('stop-on-reply runs in the ingest transaction', () => {
  const ctx = useTestApp();
  let world: World;
  beforeAll(async () => {
    world = await outboundWorld(ctx);
  });
  afterAll(async () => {
    await world?.sim.stop();
  });

  it('blocks with the reply, sees its block inside the write, and rolls back with it', async () => {
    const t = world.targets[0]!;
    await setPolicy(world.session, {
      contact_global_id: t.contactGlobalId,
      channel: 'chatwoot',
      stop_on_reply: true,
    });
    const id = await createApproved(world.session, t);
    const message = world.sim.control.addMessage({
      conversationId: t.conversationId,
      content: 'Please hold everything until Monday.',
      message_type: 'incoming',
    });
    const payload = buildWebhookPayload(world.sim, 'message_created', {
      conversationId: t.conversationId,
      messageId: message.id as number,
    });
    const source = await ctx.database.db
      .selectFrom('project_sources')
      .select('id')
      .where('project_id', '=', world.scope.projectId)
      .executeTakeFirstOrThrow();
    const deliver = () => {
      const delivery = signedDelivery(WEBHOOK_SECRET, payload);
      return ctx.app.inject({
        method: 'POST',
        url: `/webhooks/chatwoot/${source.id}`,
        headers: delivery.headers,
        payload: delivery.body,
      });
    };
    const stored = () =>
      ctx.database.withScope(world.scope, async (trx) => {
        const { rows } = await sql<{ n: number }>`
          select count(*)::integer as n from cw_messages
          where project_id = ${world.scope.projectId}::uuid and message_id = ${message.id as number}`.execute(
          trx,
        );
        return rows[0]!.n;
      });

    // Runs after stop-on-reply (the outbound plugin registered first), on the same transaction.
    const seenInside: string[] = [];
    const failing: InboundRepliesHook = async (trx) => {
      const { rows } = await sql<{ status: string }>`
        select status from outbound_messages where id = ${id}::uuid`.execute(trx);
      seenInside.push(rows[0]!.status);
      throw new Error('a later subscriber failed');
    };
    const subscribers = ctx.app.ingestSubscribers.onInboundReplies;
    subscribers.push(failing);
    try {
      expect((await deliver()).statusCode).toBe(500);
    } finally {
      subscribers.splice(subscribers.indexOf(failing), 1);
    }
    expect(seenInside).toEqual(['blocked_opt_out']);
    expect(await stored()).toBe(0);
    expect(await outboundRow(ctx.database, world.scope, id)).toMatchObject({
      status: 'approved',
    });

    expect((await deliver()).statusCode).toBe(200);
    expect(await stored()).toBe(1);
    expect(await outboundRow(ctx.database, world.scope, id)).toMatchObject({
      status: 'blocked_opt_out',
      block_reason: 'stop_on_reply',
    });
  });
});
