import { buildWebhookPayload, signedDelivery } from '@cairn/chatwoot-sim';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEBHOOK_SECRET } from '../chatwoot/harness.js';
import { useTestApp } from '../support/app.js';
import {
  createApproved,
  deliveriesOf,
  outboundRow,
  outboundWorld,
  setPolicy,
  type Target,
  type World,
} from './world.js';

describe('contact policies at send time', () => {
  const ctx = useTestApp();
  let world: World;
  let target: (i: number) => Target;
  beforeAll(async () => {
    world = await outboundWorld(ctx, { conversations: 30 });
    target = (i) => world.targets[i]!;
  });
  afterAll(async () => {
    await world?.sim.stop();
  });

  const send = (id: string) => world.session.request('POST', `/outbound/${id}/send`);
  const sourceId = async () =>
    (
      await ctx.database.db
        .selectFrom('project_sources')
        .select('id')
        .where('project_id', '=', world.scope.projectId)
        .executeTakeFirstOrThrow()
    ).id;

  it('blocks an opted-out contact with reason opt_out, delivers nothing, and only an explicit opt-in unlocks', async () => {
    const t = target(0);
    const id = await createApproved(world.session, t);
    await setPolicy(world.session, {
      contact_global_id: t.contactGlobalId,
      channel: 'chatwoot',
      opted_out: true,
    });
    const res = await send(id);
    expect(res.json()).toMatchObject({
      result: 'blocked',
      message: { status: 'blocked_opt_out', block_reason: 'opt_out' },
    });
    expect(deliveriesOf(world.sim, id)).toHaveLength(0);

    // Setting another policy field does not opt the contact back in.
    await setPolicy(world.session, {
      contact_global_id: t.contactGlobalId,
      channel: 'chatwoot',
      stop_on_reply: false,
    });
    const still = await createApproved(world.session, t);
    expect((await send(still)).json().result).toBe('blocked');

    await setPolicy(world.session, {
      contact_global_id: t.contactGlobalId,
      channel: 'chatwoot',
      opted_out: false,
    });
    const later = await createApproved(world.session, t);
    expect((await send(later)).json().result).toBe('sent');
    expect(deliveriesOf(world.sim, later)).toHaveLength(1);
    expect((await outboundRow(ctx.database, world.scope, id)).status).toBe('blocked_opt_out');

    const policies = await world.session.request(
      'GET',
      `/outbound/policies?contact_global_id=${encodeURIComponent(t.contactGlobalId)}`,
    );
    expect(policies.json().policies).toEqual([
      expect.objectContaining({ channel: 'chatwoot', opted_out: false }),
    ]);
    const audit = await world.session.request(
      'GET',
      `/audit?action=outbound.policy_change&entity_id=${encodeURIComponent(`${t.contactGlobalId}:chatwoot`)}`,
    );
    expect(audit.json().total).toBe(3);
  });

  it('blocks with reason stop_on_reply when the contact wrote after the draft, and the preflight names the reply', async () => {
    const t = target(1);
    await setPolicy(world.session, {
      contact_global_id: t.contactGlobalId,
      channel: 'chatwoot',
      stop_on_reply: true,
    });
    const id = await createApproved(world.session, t);
    const before = await world.session.request('GET', `/outbound/${id}/preflight`);
    expect(before.json()).toMatchObject({ would_send: true });

    // A reply stored by a path that did not run the ingestion hook: the send-time check still holds.
    const replyId = `cwmsg:${world.scope.projectId}:999:${Date.now()}`;
    await ctx.database.db.executeQuery(
      sql`insert into cw_messages (id, project_id, account_scope_id, account_id, message_id, conversation_global_id,
            contact_global_id, message_type, content, source_created_at)
          values (${replyId}, ${world.scope.projectId}::uuid, ${world.scope.accountScopeId}::uuid, 999, ${Date.now()},
                  ${t.conversationGlobalId}, ${t.contactGlobalId}, 0, 'Please hold off, we are reviewing internally', now())`.compile(
        ctx.database.db,
      ),
    );
    const preflight = await world.session.request('GET', `/outbound/${id}/preflight`);
    expect(preflight.json().would_send).toBe(false);
    const check = preflight
      .json()
      .checks.find((c: { check: string }) => c.check === 'stop_on_reply');
    expect(check).toMatchObject({
      outcome: 'block',
      evidence: [{ source: 'cw_messages', ref: replyId }],
    });
    expect(check.evidence[0].snippet).toContain('hold off');

    expect((await send(id)).json()).toMatchObject({
      result: 'blocked',
      message: { block_reason: 'stop_on_reply' },
    });
    expect(deliveriesOf(world.sim, id)).toHaveLength(0);
  });

  it('blocks a pending stop-on-reply message as soon as sync stores the contact’s reply', async () => {
    const t = target(2);
    await setPolicy(world.session, {
      contact_global_id: t.contactGlobalId,
      channel: 'chatwoot',
      stop_on_reply: true,
    });
    const id = await createApproved(world.session, t);
    const other = await createApproved(world.session, target(3));
    world.sim.control.addMessage({
      conversationId: t.conversationId,
      content: 'Thanks, we have what we need.',
      message_type: 'incoming',
    });
    await world.sync();
    const row = await outboundRow(ctx.database, world.scope, id);
    expect(row).toMatchObject({ status: 'blocked_opt_out', block_reason: 'stop_on_reply' });
    expect((await outboundRow(ctx.database, world.scope, other)).status).toBe('approved');
    const audit = await world.session.request(
      'GET',
      `/audit?action=outbound.block&entity_id=${id}`,
    );
    expect(audit.json().events[0]).toMatchObject({
      actor: 'system:ingestion',
      status: 'blocked',
      payload: { reason: 'stop_on_reply' },
    });
    // The reply and the block committed together: the reply is stored, the message is already blocked.
    expect((await send(id)).statusCode).toBe(409);
    expect(deliveriesOf(world.sim, id)).toHaveLength(0);
  });

  it('holds each contact to its own reply time when one sync stores replies from several', async () => {
    const early = target(7);
    const late = target(8);
    for (const t of [early, late])
      await setPolicy(world.session, {
        contact_global_id: t.contactGlobalId,
        channel: 'chatwoot',
        stop_on_reply: true,
      });
    const beforeReply = await createApproved(world.session, late);
    world.sim.control.addMessage({
      conversationId: early.conversationId,
      content: 'Got it, thank you, no need to write again.',
      message_type: 'incoming',
    });
    // Written a whole second after the early reply (the check compares at second precision).
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const afterReply = await createApproved(world.session, early);
    world.sim.control.addMessage({
      conversationId: late.conversationId,
      content: 'Thanks, that answers everything we asked.',
      message_type: 'incoming',
    });
    await world.sync();
    expect((await outboundRow(ctx.database, world.scope, afterReply)).status).toBe('approved');
    expect(await outboundRow(ctx.database, world.scope, beforeReply)).toMatchObject({
      status: 'blocked_opt_out',
      block_reason: 'stop_on_reply',
    });
  });

  it('blocks a pending stop-on-reply message when a webhook delivers the contact’s reply', async () => {
    const t = target(4);
    await setPolicy(world.session, {
      contact_global_id: t.contactGlobalId,
      channel: 'chatwoot',
      stop_on_reply: true,
    });
    const id = await createApproved(world.session, t);
    const message = world.sim.control.addMessage({
      conversationId: t.conversationId,
      content: 'Actually, please wait.',
      message_type: 'incoming',
    });
    const payload = buildWebhookPayload(world.sim, 'message_created', {
      conversationId: t.conversationId,
      messageId: message.id as number,
    });
    const delivery = signedDelivery(WEBHOOK_SECRET, payload);
    const res = await ctx.app.inject({
      method: 'POST',
      url: `/webhooks/chatwoot/${await sourceId()}`,
      headers: delivery.headers,
      payload: delivery.body,
    });
    expect(res.statusCode).toBe(200);
    expect(await outboundRow(ctx.database, world.scope, id)).toMatchObject({
      status: 'blocked_opt_out',
      block_reason: 'stop_on_reply',
    });
  });

  it('holds a message over the frequency cap as approved with reason frequency_cap_reached', async () => {
    const t = target(5);
    await setPolicy(world.session, {
      contact_global_id: t.contactGlobalId,
      channel: 'chatwoot',
      max_per_window: 1,
      window_hours: 24,
    });
    const first = await createApproved(world.session, t);
    const second = await createApproved(world.session, t);
    expect((await send(first)).json().result).toBe('sent');
    const held = await send(second);
    expect(held.json()).toMatchObject({
      result: 'deferred',
      message: { status: 'approved', block_reason: 'frequency_cap_reached' },
    });
    const eligible = new Date(held.json().message.next_attempt_at).getTime();
    const sentAt = new Date(
      (await outboundRow(ctx.database, world.scope, first)).sent_at!,
    ).getTime();
    expect(Math.abs(eligible - (sentAt + 24 * 3_600_000))).toBeLessThan(5_000);
    expect(deliveriesOf(world.sim, second)).toHaveLength(0);

    const preflight = await world.session.request('GET', `/outbound/${second}/preflight`);
    expect(
      preflight.json().checks.find((c: { check: string }) => c.check === 'frequency_cap'),
    ).toMatchObject({
      outcome: 'defer',
      details: { used: 1, max_per_window: 1, window_hours: 24 },
    });
    // Not due: the run leaves it; once the window has moved past the first send, it goes out.
    await world.session.request('POST', '/outbound/process');
    expect(deliveriesOf(world.sim, second)).toHaveLength(0);
    await ctx.database.db
      .updateTable('outbound_messages')
      .set({
        sent_at: new Date(Date.now() - 25 * 3_600_000),
        next_attempt_at: new Date(Date.now() - 1000),
      })
      .where('id', 'in', [first, second])
      .execute();
    await world.session.request('POST', '/outbound/process');
    expect(deliveriesOf(world.sim, second)).toHaveLength(1);
  });

  it('lets exactly N of many concurrent sends to one contact through a cap of N', async () => {
    const t = target(6);
    await setPolicy(world.session, {
      contact_global_id: t.contactGlobalId,
      channel: 'chatwoot',
      max_per_window: 2,
      window_hours: 24,
    });
    const ids = [];
    for (let i = 0; i < 6; i++) ids.push(await createApproved(world.session, t));
    const results = await Promise.all(ids.map((id) => send(id)));
    expect(results.map((r) => r.statusCode)).toEqual(ids.map(() => 200));
    const delivered = ids.filter((id) => deliveriesOf(world.sim, id).length === 1);
    expect(delivered).toHaveLength(2);
    expect(results.filter((r) => r.json().result === 'deferred')).toHaveLength(4);
  });

  it('refuses a policy for a contact outside the project', async () => {
    const res = await world.session.request('POST', '/outbound/opt-out', {
      contact_global_id: 'cwc:not-here:1:1',
      channel: 'email',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('invalid_input');
  });
});
