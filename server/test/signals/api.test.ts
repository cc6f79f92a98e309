import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { runSignalsForProject } from '../../src/modules/signals/run-signals.js';
import { useTestApp } from '../support/app.js';
import { createProject, signIn } from '../support/factories.js';
import { memberSession } from '../support/team.js';
import { createConversation } from '../rag/factories.js';

const ctx = useTestApp();
const ACCOUNT_ID = 7;

/** A project with two unanswered client messages (from 2026-01-01) and its signals detected. */
async function world() {
  const owner = await signIn(ctx.app, ctx.database);
  const scope = await createProject(owner);
  const project = { ...scope, accountId: ACCOUNT_ID };
  const [first] = await createConversation(ctx.database, project, {
    contactName: 'Анна Петрова',
    messages: [{ text: 'Пришлите, пожалуйста, счёт и макеты главной страницы.' }],
  });
  const [second] = await createConversation(ctx.database, project, {
    contactName: 'Tom Baker',
    messages: [{ text: 'Could you send the revised logo, please?' }],
  });
  const run = await runSignalsForProject({ database: ctx.database, scope });
  expect(run.inserted).toBeGreaterThanOrEqual(2);
  const viewer = await memberSession(ctx.app, ctx.database, owner, scope.projectId, 'viewer');
  const contributor = await memberSession(
    ctx.app,
    ctx.database,
    owner,
    scope.projectId,
    'contributor',
  );
  const list = await owner.request('GET', '/signals?kind=awaiting_reply&status=open');
  expect(list.statusCode).toBe(200);
  const waiting = list.json().signals as { id: string; evidence_refs: { ref: string }[] }[];
  return { owner, scope, viewer, contributor, first: first!, second: second!, waiting };
}

describe('signals API', () => {
  it('lists open signals with their evidence, filtered and keyset-paged', async () => {
    const { owner, first, second, waiting } = await world();
    expect(waiting.map((s) => s.evidence_refs[0]!.ref).sort()).toEqual(
      [first.messageGlobalId, second.messageGlobalId].sort(),
    );
    const page1 = await owner.request('GET', '/signals?kind=awaiting_reply&limit=1');
    expect(page1.json().signals).toHaveLength(1);
    const cursor = page1.json().next_cursor as string;
    expect(cursor).toEqual(expect.any(String));
    const page2 = await owner.request(
      'GET',
      `/signals?kind=awaiting_reply&limit=1&cursor=${encodeURIComponent(cursor)}`,
    );
    expect(page2.json().signals).toHaveLength(1);
    expect(page2.json().signals[0].id).not.toBe(page1.json().signals[0].id);
    expect(page2.json().next_cursor).toBeNull();

    // Due before the epoch: nothing; bad input names its field.
    const none = await owner.request('GET', '/signals?due_before=2000-01-01T00:00:00Z');
    expect(none.json().signals).toEqual([]);
    const bad = await owner.request('GET', '/signals?status=pending');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('status');
    const badCursor = await owner.request('GET', '/signals?cursor=not-a-cursor');
    expect(badCursor.statusCode).toBe(400);
    expect(badCursor.body).toContain('cursor');
  });

  it('expands the evidence in the project: quote, author side, time, conversation', async () => {
    const { owner, first, waiting } = await world();
    const signal = waiting.find((s) => s.evidence_refs[0]!.ref === first.messageGlobalId)!;
    const res = await owner.request('GET', `/signals/${signal.id}`);
    expect(res.statusCode).toBe(200);
    const [evidence] = res.json().evidence;
    expect(evidence).toMatchObject({
      source: 'cw_messages',
      ref: first.messageGlobalId,
      found: true,
      direction: 'inbound',
      conversation_id: first.conversationGlobalId,
      at: '2026-01-01T10:00:00.000Z',
    });
    expect(evidence.quote).toContain('Пришлите');
    expect((await owner.request('GET', `/signals/${randomUUID()}`)).statusCode).toBe(404);
    expect((await owner.request('GET', '/signals/not-an-id')).statusCode).toBe(404);
  });

  it('lets a viewer read but not resolve, dismiss or draft; a contributor resolves, audited, once', async () => {
    const { owner, viewer, contributor, waiting } = await world();
    const [a, b] = waiting;
    expect((await viewer.request('GET', '/signals')).statusCode).toBe(200);
    expect((await viewer.request('GET', `/signals/${a!.id}`)).statusCode).toBe(200);
    for (const action of ['resolve', 'dismiss']) {
      const res = await viewer.request('POST', `/signals/${a!.id}/${action}`, { reason: 'x' });
      expect(res.statusCode).toBe(403);
    }
    const draft = await viewer.request('POST', `/signals/${a!.id}/draft`, {
      content: 'Hello',
      idempotency_key: randomUUID(),
    });
    expect(draft.statusCode).toBe(403);

    const resolved = await contributor.request('POST', `/signals/${a!.id}/resolve`, {
      reason: 'answered by phone',
    });
    expect(resolved.statusCode).toBe(200);
    expect(resolved.json().signal).toMatchObject({ status: 'resolved' });
    expect(resolved.json().signal.resolution).toContain('answered by phone');
    expect(resolved.json().signal.resolved_by).toBe(contributor.userId);
    const again = await contributor.request('POST', `/signals/${a!.id}/dismiss`, {});
    expect(again.statusCode).toBe(409);
    const dismissed = await owner.request('POST', `/signals/${b!.id}/dismiss`, {
      reason: 'not for us',
    });
    expect(dismissed.statusCode).toBe(200);
    expect(dismissed.json().signal.status).toBe('dismissed');

    const audit = await ctx.database.db
      .selectFrom('audit_events')
      .select(['action', 'entity_id', 'evidence_refs'])
      .where('entity_type', '=', 'signal')
      .where('entity_id', 'in', [a!.id, b!.id])
      .orderBy('created_at')
      .execute();
    expect(audit.map((e) => e.action)).toEqual(['signal.resolve', 'signal.dismiss']);
    expect(audit[0]!.evidence_refs[0]!.ref).toBe(a!.evidence_refs[0]!.ref);
    // Resolved by hand: the next detector run leaves it closed.
    const { scope } = await (async () => ({
      scope: await ctx.database.db
        .selectFrom('signals')
        .select(['project_id as projectId', 'account_scope_id as accountScopeId'])
        .where('id', '=', a!.id)
        .executeTakeFirstOrThrow(),
    }))();
    await runSignalsForProject({
      database: ctx.database,
      scope: { ...scope, actor: { kind: 'system', reason: 'test' } },
    });
    expect((await owner.request('GET', `/signals/${a!.id}`)).json().signal.status).toBe('resolved');
  });

  it('drafts a follow-up through the outbound draft operation, citing the signal’s evidence', async () => {
    const { contributor, first, waiting } = await world();
    const signal = waiting.find((s) => s.evidence_refs[0]!.ref === first.messageGlobalId)!;
    const body = { content: 'Анна, счёт и макеты пришлём сегодня.', idempotency_key: randomUUID() };
    const res = await contributor.request('POST', `/signals/${signal.id}/draft`, body);
    expect(res.statusCode).toBe(201);
    const message = res.json().message;
    expect(message).toMatchObject({
      status: 'draft',
      channel: 'chatwoot',
      recipient_ref: first.conversationGlobalId,
    });
    expect(message.evidence_refs.map((r: { source: string; ref: string }) => r.ref)).toEqual(
      signal.evidence_refs.map((r) => r.ref),
    );
    // The outbound rules hold: the draft is audited as one, and a replay is the same draft.
    const replay = await contributor.request('POST', `/signals/${signal.id}/draft`, body);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json().message.id).toBe(message.id);
    const outbound = await contributor.request('GET', `/outbound/${message.id}`);
    expect(outbound.statusCode).toBe(200);
    const audit = await ctx.database.db
      .selectFrom('audit_events')
      .select('action')
      .where('entity_id', '=', message.id)
      .execute();
    expect(audit.map((a) => a.action)).toContain('outbound.draft');
    // The author may not approve their own draft (OUTBOUND policy), exactly as for any draft.
    const approve = await contributor.request('POST', `/outbound/${message.id}/approve`);
    expect(approve.statusCode).toBe(403);
  });

  it('snoozes a signal out of the open list until its time, when the signals run reopens it', async () => {
    const { owner, viewer, contributor, scope, waiting } = await world();
    const signal = waiting[0]!;
    const past = await contributor.request('POST', `/signals/${signal.id}/snooze`, {
      until: '2020-01-01T00:00:00Z',
    });
    expect(past.statusCode).toBe(400);
    expect(past.body).toContain('until');
    const until = new Date(Date.now() + 3_600_000).toISOString();
    expect(
      (await viewer.request('POST', `/signals/${signal.id}/snooze`, { until })).statusCode,
    ).toBe(403);
    const snoozed = await contributor.request('POST', `/signals/${signal.id}/snooze`, { until });
    expect(snoozed.statusCode).toBe(200);
    expect(snoozed.json().signal).toMatchObject({ status: 'snoozed', snoozed_until: until });
    const open = await owner.request('GET', '/signals?status=open&kind=awaiting_reply');
    expect(open.json().signals.map((s: { id: string }) => s.id)).not.toContain(signal.id);
    // A run before the time leaves it snoozed; one after reopens it.
    await runSignalsForProject({ database: ctx.database, scope });
    expect((await owner.request('GET', `/signals/${signal.id}`)).json().signal.status).toBe(
      'snoozed',
    );
    await runSignalsForProject({
      database: ctx.database,
      scope,
      now: new Date(Date.now() + 2 * 3_600_000),
    });
    expect((await owner.request('GET', `/signals/${signal.id}`)).json().signal.status).toBe('open');
  });
});
