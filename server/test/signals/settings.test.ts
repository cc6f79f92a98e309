import { describe, expect, it } from 'vitest';
import { runSignalsForProject } from '../../src/modules/signals/run-signals.js';
import { useTestApp } from '../support/app.js';
import { createProject, signIn } from '../support/factories.js';
import { memberSession } from '../support/team.js';
import { createConversation } from '../rag/factories.js';

const ctx = useTestApp();

async function world() {
  const owner = await signIn(ctx.app, ctx.database);
  const scope = await createProject(owner);
  const url = `/projects/${scope.projectId}/signal-settings`;
  return { owner, scope, url };
}

const fieldsOf = (body: string) =>
  (JSON.parse(body).details.fields as { field: string }[]).map((f) => f.field);

describe('project signal settings', () => {
  it('reads the defaults, stores a partial change complete, and audits it', async () => {
    const { owner, scope, url } = await world();
    const initial = await owner.request('GET', url);
    expect(initial.statusCode).toBe(200);
    expect(initial.json().settings).toEqual({
      time_zone: 'UTC',
      business_hours: { days: [1, 2, 3, 4, 5], start: '09:00', end: '18:00' },
      holidays: [],
      response_target_minutes: 240,
      stalled_days: 5,
      deal_stalled_days: 14,
    });
    const res = await owner.request('PATCH', url, {
      time_zone: 'Europe/Moscow',
      business_hours: { start: '10:00', end: '19:00' },
      holidays: ['2026-01-07', '2026-01-02', '2026-01-07'],
      stalled_days: 3,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().settings).toMatchObject({
      time_zone: 'Europe/Moscow',
      business_hours: { days: [1, 2, 3, 4, 5], start: '10:00', end: '19:00' },
      holidays: ['2026-01-02', '2026-01-07'],
      response_target_minutes: 240,
      stalled_days: 3,
    });
    expect((await owner.request('GET', url)).json().settings).toEqual(res.json().settings);
    const audit = await ctx.database.db
      .selectFrom('audit_events')
      .select(['action', 'payload', 'actor'])
      .where('project_id', '=', scope.projectId)
      .where('action', '=', 'project.signal_settings')
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actor).toBe(owner.username);
    expect(audit[0]!.payload).toMatchObject({
      changed: ['time_zone', 'business_hours', 'holidays', 'stalled_days'],
      before: { time_zone: 'UTC', stalled_days: 5 },
      after: { time_zone: 'Europe/Moscow', stalled_days: 3 },
    });
  });

  it('refuses bad input with a 400 naming the field, and keeps what was stored', async () => {
    const { owner, url } = await world();
    const cases: [unknown, string][] = [
      [{ time_zone: 'Mars/Olympus' }, 'time_zone'],
      [{ time_zone: 'UTC+3' }, 'time_zone'],
      [{ business_hours: { start: '18:00', end: '09:00' } }, 'business_hours.end'],
      [{ business_hours: { end: '08:00' } }, 'business_hours.end'],
      [{ business_hours: { days: [1, 8] } }, 'days'],
      [{ business_hours: { days: ['monday'] } }, 'days'],
      [{ business_hours: { days: [] } }, 'days'],
      [{ business_hours: { start: '9am' } }, 'start'],
      [{ holidays: ['2026-02-30'] }, 'holidays'],
      [{ response_target_minutes: 0 }, 'response_target_minutes'],
      [{ stalled_days: 1.5 }, 'stalled_days'],
      [{ colour: 'blue' }, 'colour'],
    ];
    for (const [body, field] of cases) {
      const res = await owner.request('PATCH', url, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(fieldsOf(res.body).join(' '), JSON.stringify(body)).toContain(field);
    }
    expect((await owner.request('GET', url)).json().settings.time_zone).toBe('UTC');
  });

  it('lets every member read but only managers change; others’ projects are 404', async () => {
    const { owner, scope, url } = await world();
    const viewer = await memberSession(ctx.app, ctx.database, owner, scope.projectId, 'viewer');
    const contributor = await memberSession(
      ctx.app,
      ctx.database,
      owner,
      scope.projectId,
      'contributor',
    );
    const manager = await memberSession(ctx.app, ctx.database, owner, scope.projectId, 'manager');
    const outsider = await memberSession(ctx.app, ctx.database, owner, scope.projectId, null);
    for (const reader of [viewer, contributor, manager]) {
      expect((await reader.request('GET', url)).statusCode).toBe(200);
    }
    for (const member of [viewer, contributor]) {
      const res = await member.request('PATCH', url, { stalled_days: 2 });
      expect(res.statusCode).toBe(403);
    }
    expect((await manager.request('PATCH', url, { stalled_days: 2 })).statusCode).toBe(200);
    expect((await outsider.request('GET', url)).statusCode).toBe(404);
    expect((await outsider.request('PATCH', url, { stalled_days: 9 })).statusCode).toBe(404);
  });

  it('the next signals run reads the new response target', async () => {
    const { owner, scope, url } = await world();
    // Thursday 2026-01-01 10:00 UTC; the run looks at 15:00 the same day.
    await createConversation(
      ctx.database,
      { ...scope, accountId: 7 },
      {
        messages: [
          {
            text: 'Could you send the revised logo, please?',
            at: new Date('2026-01-01T10:00:00Z'),
          },
        ],
      },
    );
    const now = new Date('2026-01-01T15:00:00Z');
    const waiting = async () =>
      (await owner.request('GET', '/signals?kind=awaiting_reply&status=open')).json().signals as {
        due_at: string;
      }[];

    // Ten working hours: due Friday 11:00, so nothing is waiting yet.
    expect((await owner.request('PATCH', url, { response_target_minutes: 600 })).statusCode).toBe(
      200,
    );
    await runSignalsForProject({ database: ctx.database, scope, now });
    expect(await waiting()).toEqual([]);

    // One working hour: due at 11:00 Thursday, passed.
    expect((await owner.request('PATCH', url, { response_target_minutes: 60 })).statusCode).toBe(
      200,
    );
    await runSignalsForProject({ database: ctx.database, scope, now });
    const after = await waiting();
    expect(after).toHaveLength(1);
    expect(after[0]!.due_at).toBe('2026-01-01T11:00:00.000Z');

    // Working hours that start at noon move the due time with them.
    await owner.request('PATCH', url, {
      response_target_minutes: 120,
      business_hours: { start: '12:00', end: '20:00' },
    });
    await runSignalsForProject({ database: ctx.database, scope, now });
    expect((await waiting())[0]?.due_at).toBe('2026-01-01T14:00:00.000Z');

    // A target that has not passed yet clears the open signal on the next run.
    await owner.request('PATCH', url, { response_target_minutes: 600 });
    await runSignalsForProject({ database: ctx.database, scope, now });
    expect(await waiting()).toEqual([]);
  });
});
