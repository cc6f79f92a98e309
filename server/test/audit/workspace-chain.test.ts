import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.js';
import { createProject, signIn } from '../support/factories.js';
import { memberSession } from '../support/team.js';

interface Chain {
  chain: 'workspace' | 'project';
  project_id: string | null;
  valid: boolean;
  checked: number;
  first_broken: { id: number | null; reason: string } | null;
}

describe('the workspace audit chain', () => {
  const ctx = useTestApp();

  it('verifies the workspace chain beside every project chain, and finds a row altered in the database', async () => {
    const owner = await signIn(ctx.app, ctx.database);
    const a = await createProject(owner);
    const b = await createProject(owner);
    const member = await memberSession(ctx.app, ctx.database, owner, a.projectId, 'viewer');
    await owner.request('POST', `/projects/${b.projectId}/select`);

    const verify = async (s = owner) => (await s.request('GET', '/audit/verify')).json();
    const first = await verify();
    expect(first.all_valid).toBe(true);
    const chains = first.chains as Chain[];
    expect(chains[0]).toMatchObject({ chain: 'workspace', project_id: null, valid: true });
    // Both sign-ins and the membership are in it.
    expect(chains[0]!.checked).toBeGreaterThanOrEqual(3);
    expect(chains.filter((c) => c.chain === 'project').map((c) => c.project_id)).toEqual(
      expect.arrayContaining([a.projectId, b.projectId]),
    );
    expect(first).toMatchObject({ valid: true, first_broken: null });

    // A viewer verifies their own project's chain only, and never the workspace's.
    const seen = (await verify(member)).chains as Chain[];
    expect(seen.map((c) => c.project_id)).toEqual([a.projectId]);
    const refused = await member.request('GET', '/audit/workspace');
    expect(refused.statusCode).toBe(403);

    // Rewrite a sign-in behind the triggers, as a superuser could.
    const victim = await ctx.database.db
      .selectFrom('audit_events')
      .select('id')
      .where('project_id', 'is', null)
      .where('action', '=', 'auth.login')
      .orderBy('id')
      .executeTakeFirstOrThrow();
    await ctx.database.db.transaction().execute(async (trx) => {
      await sql`set local session_replication_role = replica`.execute(trx);
      await sql`update audit_events set actor = 'someone else' where id = ${victim.id}`.execute(
        trx,
      );
    });
    const after = await verify();
    expect(after.all_valid).toBe(false);
    expect((after.chains as Chain[])[0]).toMatchObject({
      chain: 'workspace',
      valid: false,
      first_broken: { id: victim.id, reason: 'hash_mismatch' },
    });
    // The project chains are untouched, and so is the active project's verdict.
    expect(
      (after.chains as Chain[]).filter((c) => c.chain === 'project').every((c) => c.valid),
    ).toBe(true);
    expect(after.valid).toBe(true);
  });
});
