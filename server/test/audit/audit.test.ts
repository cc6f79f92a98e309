import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordAudit } from '../../src/modules/audit/service.js';
import { useTestApp } from '../support/app.js';
import { signInWithProject } from '../support/factories.js';
import { createApproved, draftBody, outboundWorld, type World } from '../outbound/world.js';

describe('audit trail', () => {
  const ctx = useTestApp();
  let world: World;
  beforeAll(async () => {
    world = await outboundWorld(ctx, { conversations: 3 });
  });
  afterAll(async () => {
    await world?.sim.stop();
  });

  const appRole = (statement: ReturnType<typeof sql>) =>
    ctx.database.withScope(world.scope, (trx) => statement.execute(trx));
  const owner = (statement: ReturnType<typeof sql>) =>
    ctx.database.db.executeQuery(statement.compile(ctx.database.db));

  it('records every outbound action with actor, request id and a hash chained to the previous row', async () => {
    const id = await createApproved(world.session, world.targets[0]!);
    await world.session.request('POST', `/outbound/${id}/send`);
    const res = await world.session.request('GET', `/audit?entity_id=${id}`);
    expect(res.statusCode).toBe(200);
    const events = res.json().events as {
      action: string;
      actor: string;
      request_id: string;
      prev_hash: string;
      hash: string;
      id: number;
    }[];
    expect(events.map((e) => e.action)).toEqual([
      'outbound.send',
      'outbound.approve',
      'outbound.draft',
    ]);
    for (const e of events) {
      expect(e.actor).toBe(world.session.username);
      expect(e.request_id).toBeTruthy();
      expect(e.hash).toMatch(/^[0-9a-f]{64}$/);
    }
    // Newest first: each row's prev_hash is the hash of the project's row before it.
    const all = (await world.session.request('GET', '/audit?limit=500')).json()
      .events as typeof events;
    for (let i = 0; i < all.length - 1; i++) expect(all[i]!.prev_hash).toBe(all[i + 1]!.hash);
    expect(all[all.length - 1]!.prev_hash).toBeNull();
    expect((await world.session.request('GET', '/audit/verify')).json()).toMatchObject({
      valid: true,
      first_broken: null,
      checked: all.length,
    });
  });

  it('filters by action and pages with limit and offset', async () => {
    const approvals = await world.session.request(
      'GET',
      '/audit?action=outbound.approve&limit=1&offset=0',
    );
    expect(approvals.json().events).toHaveLength(1);
    expect(approvals.json().events[0].action).toBe('outbound.approve');
    const total = approvals.json().total as number;
    const page2 = await world.session.request(
      'GET',
      `/audit?action=outbound.approve&limit=1&offset=${total}`,
    );
    expect(page2.json().events).toHaveLength(0);
  });

  it('rejects UPDATE and DELETE on audit_events for the app role and, by trigger, for the owner', async () => {
    await expect(appRole(sql`update audit_events set actor = 'someone else'`)).rejects.toThrow(
      /permission denied/,
    );
    await expect(appRole(sql`delete from audit_events`)).rejects.toThrow(/permission denied/);
    await expect(owner(sql`update audit_events set actor = 'someone else'`)).rejects.toThrow(
      /append-only/,
    );
    await expect(owner(sql`delete from audit_events`)).rejects.toThrow(/append-only/);
    await expect(owner(sql`truncate audit_events`)).rejects.toThrow(/append-only/);
  });

  it('reports the first altered row when a superuser rewrites history behind the triggers', async () => {
    const { session, project } = await signInWithProject(ctx.app, ctx.database);
    for (let i = 0; i < 4; i++) {
      await ctx.database.withScope(project, (trx) =>
        recordAudit(trx, {
          projectId: project.projectId,
          accountScopeId: project.accountScopeId,
          actor: 'test',
          action: 'test.event',
          entityType: 'thing',
          entityId: String(i),
          payload: { i },
        }),
      );
    }
    expect((await session.request('GET', '/audit/verify')).json().valid).toBe(true);
    const { rows } = await owner(
      sql<{
        id: number;
      }>`select id from audit_events where project_id = ${project.projectId}::uuid and action = 'test.event' order by id`,
    );
    const victim = (rows as { id: number }[])[1]!.id;
    // A superuser can switch triggers off; the chain still tells.
    await ctx.database.db.transaction().execute(async (trx) => {
      await sql`set local session_replication_role = replica`.execute(trx);
      await sql`update audit_events set payload = '{"i": 99}' where id = ${victim}`.execute(trx);
    });
    const verify = await session.request('GET', '/audit/verify');
    expect(verify.json()).toMatchObject({
      valid: false,
      first_broken: { id: victim, reason: 'hash_mismatch' },
    });
    // Other projects' chains are unaffected.
    expect((await world.session.request('GET', '/audit/verify')).json().valid).toBe(true);
  });

  it('notices a row deleted from the end of a chain', async () => {
    const { session, project } = await signInWithProject(ctx.app, ctx.database);
    await ctx.database.withScope(project, (trx) =>
      recordAudit(trx, {
        projectId: project.projectId,
        accountScopeId: project.accountScopeId,
        actor: 'test',
        action: 'test.last',
        entityType: 'thing',
      }),
    );
    await ctx.database.db.transaction().execute(async (trx) => {
      await sql`set local session_replication_role = replica`.execute(trx);
      await sql`delete from audit_events where project_id = ${project.projectId}::uuid and action = 'test.last'`.execute(
        trx,
      );
    });
    expect((await session.request('GET', '/audit/verify')).json()).toMatchObject({
      valid: false,
      first_broken: { reason: 'tail_missing' },
    });
  });

  it('chains concurrent writers of one project without a fork', async () => {
    const { session, project } = await signInWithProject(ctx.app, ctx.database);
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        ctx.database.withScope(project, (trx) =>
          recordAudit(trx, {
            projectId: project.projectId,
            accountScopeId: project.accountScopeId,
            actor: 'test',
            action: 'test.parallel',
            entityType: 'thing',
            entityId: String(i),
          }),
        ),
      ),
    );
    expect((await session.request('GET', '/audit/verify')).json()).toMatchObject({ valid: true });
  });

  it('rejects evidence refs that do not resolve in the active project, and keeps external refs as given', async () => {
    const other = await outboundWorld(ctx, { conversations: 2 });
    try {
      const foreign = await ctx.database.withScope(other.scope, async (trx) => {
        const message = await trx
          .selectFrom('cw_messages')
          .select('id')
          .limit(1)
          .executeTakeFirstOrThrow();
        const chunk = await trx.selectFrom('rag_chunks').select('id').limit(1).executeTakeFirst();
        return {
          message: message.id,
          conversation: other.targets[0]!.conversationGlobalId,
          chunk: chunk?.id,
        };
      });
      const refs = [
        { source: 'cw_messages', ref: foreign.message },
        { source: 'cw_conversations', ref: foreign.conversation },
        ...(foreign.chunk ? [{ source: 'rag_chunks', ref: foreign.chunk }] : []),
        { source: 'rag_chunks', ref: 'not-a-uuid' },
        { source: 'cw_messages', ref: 'cwmsg:missing' },
      ];
      for (const ref of refs) {
        const res = await world.session.request(
          'POST',
          '/outbound/draft',
          draftBody(world.targets[0]!, { evidence_refs: [ref] }),
        );
        expect(res.statusCode, JSON.stringify(ref)).toBe(400);
        expect(res.json().error).toBe('invalid_input');
        expect(res.json().details.fields[0].field).toBe('evidence_refs.0.ref');
      }
      const own = await ctx.database.withScope(world.scope, (trx) =>
        trx.selectFrom('cw_messages').select(['id']).limit(1).executeTakeFirstOrThrow(),
      );
      const ok = await world.session.request(
        'POST',
        '/outbound/draft',
        draftBody(world.targets[0]!, {
          evidence_refs: [
            { source: 'cw_messages', ref: own.id, snippet: 'the client asked for a revised quote' },
            {
              source: 'external',
              ref: 'https://drive.example/brief.pdf',
              meta: { title: 'Brief' },
            },
          ],
        }),
      );
      expect(ok.statusCode).toBe(201);
      const audit = await world.session.request(
        'GET',
        `/audit?action=outbound.draft&entity_id=${ok.json().message.id}`,
      );
      expect(audit.json().events[0].evidence_refs).toEqual([
        { source: 'cw_messages', ref: own.id, snippet: 'the client asked for a revised quote' },
        { source: 'external', ref: 'https://drive.example/brief.pdf', meta: { title: 'Brief' } },
      ]);
    } finally {
      await other.sim.stop();
    }
  });

  it('indexes audit rows into evidence_items of their project', async () => {
    const marker = `marker${randomUUID().replaceAll('-', '')}`;
    await ctx.database.withScope(world.scope, (trx) =>
      recordAudit(trx, {
        projectId: world.scope.projectId,
        accountScopeId: world.scope.accountScopeId,
        actor: 'test',
        action: 'test.indexed',
        entityType: 'thing',
        payload: { note: marker },
      }),
    );
    const items = await ctx.database.withScope(world.scope, (trx) =>
      trx
        .selectFrom('evidence_items')
        .select(['source', 'search_text', 'meta'])
        .where('source', '=', 'audit_events')
        .where('search_text', 'like', `%${marker}%`)
        .execute(),
    );
    expect(items).toHaveLength(1);
    expect(items[0]!.meta).toMatchObject({ action: 'test.indexed' });
  });

  it('answers 404 for another project’s outbound message and shows none of its audit', async () => {
    const id = await createApproved(world.session, world.targets[0]!);
    const { session } = await signInWithProject(ctx.app, ctx.database);
    for (const [method, url] of [
      ['GET', `/outbound/${id}`],
      ['GET', `/outbound/${id}/preflight`],
      ['POST', `/outbound/${id}/send`],
      ['POST', `/outbound/${id}/approve`],
      ['POST', `/outbound/${id}/cancel`],
      ['PATCH', `/outbound/${id}`],
    ] as const) {
      const res = await session.request(
        method,
        url,
        method === 'PATCH' ? { payload: { content: 'x' } } : undefined,
      );
      expect(res.statusCode, `${method} ${url}`).toBe(404);
    }
    expect((await session.request('GET', `/audit?entity_id=${id}`)).json().events).toEqual([]);
    expect((await session.request('GET', '/outbound')).json().items).toEqual([]);
    expect(deliveriesFor(id)).toBe(0);
  });

  const deliveriesFor = (id: string) =>
    world.sim.control.listSentMessages().filter((m) => m.echoId === `cairn-${id}`).length;
});
