import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.js';
import { createProject, signIn } from '../support/factories.js';
import { insertSignal } from '../support/signals.js';
import { memberSession, tokenCaller } from '../support/team.js';

const ctx = useTestApp();
const HOUR = 3_600_000;

interface PortfolioProject {
  project_id: string;
  name: string;
  role: string;
  open_total: number;
  by_kind: Record<string, number>;
  by_severity: Record<string, number>;
  oldest_waiting_reply: { id: string; title: string; link: string | null } | null;
  overdue_commitments: { total: number; items: { id: string }[] };
}

/** Two projects of one owner, with a mix of open and closed signals in the first. */
async function world() {
  const owner = await signIn(ctx.app, ctx.database);
  const quiet = await createProject(owner, 'Quiet studio');
  const busy = await createProject(owner, 'Busy studio');
  const conv = `cw:${busy.projectId}:7:1`;
  const msg = (n: number) => ({ conversation: conv, message: `cwmsg:${busy.projectId}:7:${n}` });
  const past = (hours: number) => new Date(Date.now() - hours * HOUR);
  const newer = await insertSignal(ctx.database, busy, msg(1), {
    title: 'Waiting since yesterday',
    due_at: past(20),
  });
  const older = await insertSignal(ctx.database, busy, msg(2), {
    title: 'Waiting since last week',
    severity: 'critical',
    due_at: past(24 * 7),
  });
  const overdueIds: string[] = [];
  for (let i = 0; i < 7; i += 1) {
    overdueIds.push(
      await insertSignal(ctx.database, busy, msg(10 + i), {
        kind: 'commitment',
        severity: 'info',
        title: `Promise ${i}`,
        due_at: past(i + 1),
      }),
    );
  }
  // Not overdue yet, closed or snoozed: none counts as overdue or open.
  await insertSignal(ctx.database, busy, msg(30), {
    kind: 'commitment',
    severity: 'info',
    due_at: new Date(Date.now() + 24 * HOUR),
  });
  await insertSignal(ctx.database, busy, msg(31), {
    kind: 'risk',
    status: 'resolved',
    resolved_at: new Date(),
  });
  await insertSignal(ctx.database, busy, msg(32), {
    kind: 'commitment',
    status: 'snoozed',
    snoozed_until: new Date(Date.now() + HOUR),
    due_at: past(5),
  });
  return { owner, quiet, busy, newer, older, overdueIds };
}

const find = (body: { projects: PortfolioProject[] }, id: string) =>
  body.projects.find((p) => p.project_id === id);

describe('GET /portfolio', () => {
  it('counts open signals by kind and severity, with the oldest wait and overdue promises', async () => {
    const { owner, quiet, busy, older, overdueIds } = await world();
    const res = await owner.request('GET', '/portfolio');
    expect(res.statusCode).toBe(200);
    const body = res.json() as { projects: PortfolioProject[] };
    const summary = find(body, busy.projectId)!;
    expect(summary).toMatchObject({
      name: 'Busy studio',
      role: 'manager',
      open_total: 10,
      by_kind: {
        awaiting_reply: 2,
        commitment: 8,
        client_deadline: 0,
        payment: 0,
        risk: 0,
        stalled: 0,
      },
      by_severity: { info: 8, warning: 1, critical: 1 },
    });
    expect(summary.oldest_waiting_reply).toMatchObject({
      id: older,
      title: 'Waiting since last week',
      link: `/conversations/view?id=${encodeURIComponent(`cw:${busy.projectId}:7:1`)}&message=${encodeURIComponent(`cwmsg:${busy.projectId}:7:2`)}`,
    });
    // Seven overdue, the five most overdue listed, most overdue first.
    expect(summary.overdue_commitments.total).toBe(7);
    expect(summary.overdue_commitments.items.map((s) => s.id)).toEqual(
      overdueIds.slice(2).reverse(),
    );
    expect(find(body, quiet.projectId)).toMatchObject({
      open_total: 0,
      oldest_waiting_reply: null,
      overdue_commitments: { total: 0, items: [] },
    });
  });

  it('leaves out projects the caller is not a member of, and a token sees only its projects', async () => {
    const { owner, quiet, busy } = await world();
    const member = await memberSession(ctx.app, ctx.database, owner, busy.projectId, 'viewer');
    const mine = (await member.request('GET', '/portfolio')).json() as {
      projects: PortfolioProject[];
    };
    expect(mine.projects.map((p) => p.project_id)).toEqual([busy.projectId]);
    expect(mine.projects[0]).toMatchObject({ role: 'viewer', open_total: 10 });

    const token = await tokenCaller(ctx.app, owner, {
      permission: 'read',
      project_ids: [quiet.projectId],
    });
    const viaToken = await token.request('GET', '/portfolio');
    expect(viaToken.statusCode).toBe(200);
    expect(viaToken.json().projects.map((p: PortfolioProject) => p.project_id)).toEqual([
      quiet.projectId,
    ]);

    const outsider = await memberSession(ctx.app, ctx.database, owner, quiet.projectId, null);
    expect((await outsider.request('GET', '/portfolio')).json().projects).toEqual([]);
    expect((await ctx.app.inject({ method: 'GET', url: '/portfolio' })).statusCode).toBe(401);
  });
});
