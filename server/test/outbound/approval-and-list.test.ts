import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.js';
import { signIn, type Session } from '../support/factories.js';
import { createDraft, outboundWorld, type World } from './world.js';

describe('approval with four eyes, and the message list', () => {
  const ctx = useTestApp({ OUTBOUND_FOUR_EYES: 'true' });
  let world: World;
  let reviewer: Session;
  beforeAll(async () => {
    world = await outboundWorld(ctx, { conversations: 3 });
    reviewer = await signIn(ctx.app, ctx.database);
    const selected = await reviewer.request('POST', `/projects/${world.scope.projectId}/select`);
    expect(selected.statusCode).toBe(200);
  });
  afterAll(async () => {
    await world?.sim.stop();
  });

  it('refuses the author approving their own draft and records who approved and when', async () => {
    const id = await createDraft(world.session, world.targets[0]!);
    const own = await world.session.request('POST', `/outbound/${id}/approve`);
    expect(own.statusCode).toBe(403);
    expect(own.json().error).toBe('forbidden');

    const before = Date.now();
    const approved = await reviewer.request('POST', `/outbound/${id}/approve`);
    expect(approved.statusCode).toBe(200);
    const message = approved.json().message;
    const { id: reviewerId } = await ctx.database.db
      .selectFrom('app_users')
      .select('id')
      .where('username', '=', reviewer.username)
      .executeTakeFirstOrThrow();
    expect(message).toMatchObject({ status: 'approved', approved_by: reviewerId });
    expect(new Date(message.approved_at).getTime()).toBeGreaterThanOrEqual(before - 5_000);
    const audit = await world.session.request(
      'GET',
      `/audit?action=outbound.approve&entity_id=${id}`,
    );
    expect(audit.json().events[0]).toMatchObject({
      actor: reviewer.username,
      payload: { approved_by: reviewerId, four_eyes: true },
    });
  });

  it('lists messages newest first, filters by status and pages with a cursor without gaps or repeats', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await createDraft(world.session, world.targets[1]!));
    await world.session.request('POST', `/outbound/${ids[0]}/cancel`);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await world.session.request(
        'GET',
        `/outbound?status=draft&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.items.length).toBeLessThanOrEqual(2);
      for (const item of body.items) expect(item.status).toBe('draft');
      seen.push(...body.items.map((m: { id: string }) => m.id));
      cursor = body.next_cursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of ids.slice(1)) expect(seen).toContain(id);
    expect(seen).not.toContain(ids[0]);
    expect(seen.indexOf(ids[4]!)).toBeLessThan(seen.indexOf(ids[1]!));
    const bad = await world.session.request('GET', '/outbound?cursor=not-a-cursor');
    expect(bad.statusCode).toBe(400);
  });
});
