import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.js';
import {
  attemptsOf,
  createApproved,
  deliveriesOf,
  outboundRow,
  outboundWorld,
  sendWithCrash,
  type World,
} from './world.js';

describe('exactly one delivery per message', () => {
  const ctx = useTestApp();
  let world: World;
  beforeAll(async () => {
    world = await outboundWorld(ctx);
  });
  afterAll(async () => {
    await world?.sim.stop();
  });

  it('delivers once when the same message is sent 20 times concurrently', async () => {
    const id = await createApproved(world.session, world.targets[0]!);
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => world.session.request('POST', `/outbound/${id}/send`)),
    );
    expect(deliveriesOf(world.sim, id)).toHaveLength(1);
    const sent = responses.filter((r) => r.statusCode === 200 && r.json().result === 'sent');
    expect(sent).toHaveLength(1);
    for (const r of responses.filter((r) => !sent.includes(r))) {
      // Losers either saw the reservation (409) or the finished send (409 invalid_transition from sent).
      expect([409, 200]).toContain(r.statusCode);
      if (r.statusCode === 200) expect(r.json().result).toBe('already_sent');
    }
    expect((await outboundRow(ctx.database, world.scope, id)).status).toBe('sent');
    expect(await attemptsOf(ctx.database, world.scope, id)).toHaveLength(1);
  });

  it('does not deliver again after a crash between the provider call and the commit', async () => {
    const id = await createApproved(world.session, world.targets[1]!);
    const crash = new Error('injected crash after the provider accepted');
    expect(await sendWithCrash(ctx, world.scope, id, 'afterProviderCall', crash)).toBe(crash);
    expect(deliveriesOf(world.sim, id)).toHaveLength(1);
    const stranded = await attemptsOf(ctx.database, world.scope, id);
    expect(stranded.map((a) => a.status)).toEqual(['reserved']);
    expect((await outboundRow(ctx.database, world.scope, id)).status).toBe('approved');

    const retry = await world.session.request('POST', `/outbound/${id}/send`);
    expect(retry.statusCode).toBe(200);
    expect(retry.json().result).toBe('sent');
    expect(deliveriesOf(world.sim, id)).toHaveLength(1);
    const [attempt] = await attemptsOf(ctx.database, world.scope, id);
    expect(attempt!.status).toBe('succeeded');
    expect(attempt!.provider_response).toMatchObject({ reconciled: true });

    // The job path reconciles the same way and finds nothing left to send.
    const processed = await world.session.request('POST', '/outbound/process');
    expect(processed.json().sent).toBe(0);
    expect(deliveriesOf(world.sim, id)).toHaveLength(1);
  });

  it('closes an attempt that crashed before reaching the provider and delivers once on retry', async () => {
    const id = await createApproved(world.session, world.targets[0]!);
    const crash = new Error('injected crash before the provider call');
    expect(await sendWithCrash(ctx, world.scope, id, 'beforeProviderCall', crash)).toBe(crash);
    expect(deliveriesOf(world.sim, id)).toHaveLength(0);

    // While the reservation's lease runs, nobody may send beside it.
    const early = await world.session.request('POST', `/outbound/${id}/send`);
    expect(early.statusCode).toBe(409);
    expect(deliveriesOf(world.sim, id)).toHaveLength(0);

    // The lease runs out (moved on the database clock): the next send finds no delivery and sends.
    await ctx.database.db
      .updateTable('outbound_attempts')
      .set({ lease_until: new Date(Date.now() - 1000) } as never)
      .where('outbound_message_id', '=', id)
      .execute();
    const retry = await world.session.request('POST', `/outbound/${id}/send`);
    expect(retry.json().result).toBe('sent');
    expect(deliveriesOf(world.sim, id)).toHaveLength(1);
    const attempts = await attemptsOf(ctx.database, world.scope, id);
    expect(attempts.map((a) => a.status)).toEqual(['failed', 'succeeded']);
    expect(attempts[0]!.error).toMatch(/abandoned/);
  });

  it('retries a provider failure with backoff and still delivers once', async () => {
    const id = await createApproved(world.session, world.targets[2]!);
    world.sim.control.injectFault({ route: 'create_message', kind: '500', times: 1 });
    const first = await world.session.request('POST', `/outbound/${id}/send`);
    expect(first.statusCode).toBe(200);
    expect(first.json().result).toBe('failed');
    const failed = await outboundRow(ctx.database, world.scope, id);
    expect(failed.status).toBe('failed');
    expect(failed.retry_count).toBe(1);
    expect(failed.next_attempt_at).not.toBeNull();

    // Not due yet: the run leaves it alone.
    expect((await world.session.request('POST', '/outbound/process')).json().sent).toBe(0);
    // The backoff passes (moved on the database clock, as the scheduler would see it).
    await ctx.database.db
      .updateTable('outbound_messages')
      .set({ next_attempt_at: new Date(Date.now() - 1000) })
      .where('id', '=', id)
      .execute();
    const run = await world.session.request('POST', '/outbound/process');
    expect(run.json()).toMatchObject({ sent: 1 });
    expect(deliveriesOf(world.sim, id)).toHaveLength(1);
    const attempts = await attemptsOf(ctx.database, world.scope, id);
    expect(attempts.map((a) => a.status)).toEqual(['failed', 'succeeded']);
    expect(attempts[0]!.error).toMatch(/HTTP 500/);
    expect((await outboundRow(ctx.database, world.scope, id)).status).toBe('sent');
  });

  it('stops retrying automatically after max_retries and keeps the manual retry path', async () => {
    const id = await createApproved(world.session, world.targets[3]!, { max_retries: 0 });
    world.sim.control.injectFault({ route: 'create_message', kind: '503', times: 1 });
    expect((await world.session.request('POST', `/outbound/${id}/send`)).json().result).toBe(
      'failed',
    );
    const failed = await outboundRow(ctx.database, world.scope, id);
    expect(failed.next_attempt_at).toBeNull();
    expect((await world.session.request('POST', `/outbound/${id}/send`)).statusCode).toBe(409);

    const retried = await world.session.request('POST', `/outbound/${id}/retry`);
    expect(retried.json().message.status).toBe('approved');
    const sent = await world.session.request('POST', `/outbound/${id}/send`);
    expect(sent.json().result).toBe('sent');
    expect(deliveriesOf(world.sim, id)).toHaveLength(1);
  });

  it('posts into the conversation as an outgoing public reply carrying our handle', async () => {
    const target = world.targets[4]!;
    const id = await createApproved(world.session, target, {
      payload: { content: 'The revised proposal is attached.' },
    });
    await world.session.request('POST', `/outbound/${id}/send`);
    const [delivered] = deliveriesOf(world.sim, id);
    expect(delivered).toMatchObject({
      conversationId: target.conversationId,
      content: 'The revised proposal is attached.',
      messageType: 1,
      private: false,
    });
    const detail = await world.session.request('GET', `/outbound/${id}`);
    expect(detail.statusCode).toBe(200);
    expect(detail.json().message.provider_message_id).toBe(String(delivered!.messageId));
    expect(detail.json().attempts[0]).toMatchObject({
      status: 'succeeded',
      provider_handle: `cairn-${id}`,
    });
    expect(detail.json().audit.map((a: { action: string }) => a.action)).toEqual([
      'outbound.draft',
      'outbound.approve',
      'outbound.send',
    ]);
  });
});
