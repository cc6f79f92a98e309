import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Scope } from '../../src/db/database.js';
import {
  getConversation,
  listConversations,
} from '../../src/modules/connectors/chatwoot/review.js';
import { listMessages as listOutbound } from '../../src/modules/outbound/service.js';
import { useTestApp } from '../support/app.js';
import { createProject, signIn } from '../support/factories.js';
import { seedEveryKind } from '../support/seed-kinds.js';
import { memberSession } from '../support/team.js';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/** Tables under row-level security, from the catalog. */
async function rlsTables(ctx: ReturnType<typeof useTestApp>): Promise<string[]> {
  const { rows } = await sql<{ relname: string }>`
    select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind = 'r' and c.relrowsecurity order by 1`.execute(
    ctx.database.db,
  );
  return rows.map((r) => r.relname);
}

describe('row-level security keyed to membership', () => {
  const ctx = useTestApp();
  let a: Scope;
  let b: Scope;
  let ownerId: string;
  let memberId: string;

  const as = (scope: Scope, userId: string): Scope => ({
    projectId: scope.projectId,
    accountScopeId: scope.accountScopeId,
    actor: { kind: 'user', userId },
  });

  beforeAll(async () => {
    const owner = await signIn(ctx.app, ctx.database);
    a = await createProject(owner);
    b = await createProject(owner);
    await seedEveryKind({ database: ctx.database, session: owner, scope: b });
    const member = await memberSession(ctx.app, ctx.database, owner, a.projectId, 'manager');
    memberId = member.userId;
    ownerId = (await owner.request('GET', '/auth/me')).json().user_id;
  });

  it('shows a member no row of another project, with the route guard bypassed', async () => {
    // The guard would never build this scope for the member: build it by hand, as a route that
    // forgot its check would, and call the services and the tables directly.
    const forged = as(b, memberId);
    const conversations = await listConversations(ctx.database, forged, { limit: 50 });
    expect(conversations.conversations).toEqual([]);
    const outbound = await listOutbound(ctx.database, forged, { limit: 50 });
    expect(outbound.items).toEqual([]);
    const real = (await listConversations(ctx.database, as(b, ownerId), { limit: 50 }))
      .conversations[0]!;
    await expect(getConversation(ctx.database, forged, real.id)).rejects.toMatchObject({
      code: 'not_found',
    });

    const tables = await rlsTables(ctx);
    expect(tables.length).toBeGreaterThanOrEqual(17);
    let seenByOwner = 0;
    for (const table of tables) {
      const count = (scope: Scope) =>
        ctx.database.withScope(scope, async (trx) => {
          const { rows } = await sql<{
            n: number;
          }>`select count(*)::int as n from ${sql.table(table)}`.execute(trx);
          return rows[0]!.n;
        });
      expect(await count(forged), table).toBe(0);
      seenByOwner += await count(as(b, ownerId));
    }
    // The same queries as the owner see B's rows: the zeros above are the policy, not empty tables.
    expect(seenByOwner).toBeGreaterThan(10);
    // And the member's own project is theirs to read.
    const own = await ctx.database.withScope(as(a, memberId), (trx) =>
      trx.selectFrom('scheduled_jobs').select('id').execute(),
    );
    expect(own.length).toBeGreaterThan(0);
  });

  it('refuses a write into another project for a member, and anything for a scope with no actor', async () => {
    const write = (scope: Scope) =>
      ctx.database
        .withScope(scope, (trx) =>
          sql`insert into sync_watermarks (project_id, account_scope_id, source)
              values (${scope.projectId}::uuid, ${scope.accountScopeId}::uuid, ${`w-${Math.random()}`})`.execute(
            trx,
          ),
        )
        .then(
          () => 'written',
          (e: Error) => e.message,
        );
    expect(await write(as(b, memberId))).toMatch(/row-level security/);
    expect(await write({ projectId: b.projectId, accountScopeId: b.accountScopeId })).toMatch(
      /row-level security/,
    );
    expect(await write(as(b, ownerId))).toBe('written');
    const none = await ctx.database.withScope(
      { projectId: b.projectId, accountScopeId: b.accountScopeId },
      (trx) => trx.selectFrom('cw_messages').select('id').execute(),
    );
    expect(none).toEqual([]);
  });

  it('hides every row from a deactivated user at once', async () => {
    const before = await ctx.database.withScope(as(a, memberId), (trx) =>
      trx.selectFrom('scheduled_jobs').select('id').execute(),
    );
    expect(before.length).toBeGreaterThan(0);
    await ctx.database.db
      .updateTable('app_users')
      .set({ active: false })
      .where('id', '=', memberId)
      .execute();
    const after = await ctx.database.withScope(as(a, memberId), (trx) =>
      trx.selectFrom('scheduled_jobs').select('id').execute(),
    );
    expect(after).toEqual([]);
    await ctx.database.db
      .updateTable('app_users')
      .set({ active: true })
      .where('id', '=', memberId)
      .execute();
  });

  it('evaluates the membership check once per statement, not once per row (EXPLAIN)', async () => {
    await sql`
      insert into sync_watermarks (project_id, account_scope_id, source)
      select ${b.projectId}::uuid, ${b.accountScopeId}::uuid, 'explain-' || g
      from generate_series(1, 300) g`.execute(ctx.database.db);
    const plan = (scope: Scope, statement: string) =>
      ctx.database.withScope(scope, async (trx) => {
        const { rows } = await sql<{
          'QUERY PLAN': string;
        }>`${sql.raw(`explain (analyze, costs off, timing off, summary off) ${statement}`)}`.execute(
          trx,
        );
        return rows.map((r) => r['QUERY PLAN']).join('\n');
      });

    const read = await plan(as(b, ownerId), 'select * from sync_watermarks');
    // One InitPlan computes the check, once; each of the 300+ rows only reads its cached result
    // (`$0` before Postgres 16, `(InitPlan 1).col1` after).
    expect(read).toMatch(/InitPlan 1[^\n]*\n\s*->\s+Result \(actual rows=1(\.00)? loops=1\)/);
    expect(read).toMatch(/Filter: (\$0|\(InitPlan 1\)\.col1)\n/);
    expect(read).toMatch(/on sync_watermarks \(actual rows=\d{3,}(\.00)? loops=1\)/);
    expect(read).not.toMatch(/SubPlan/);

    // For an actor who may not see the project: the same single evaluation, and no row.
    const denied = await plan(as(b, memberId), 'select * from sync_watermarks');
    expect(denied).toMatch(/InitPlan 1[^\n]*\n\s*->\s+Result \(actual rows=1(\.00)? loops=1\)/);
    expect(denied).toMatch(/on sync_watermarks \(actual rows=0(\.00)? loops=1\)/);

    // A search-shaped read keeps its index: the check adds no per-row work to it.
    const search = await plan(
      as(b, ownerId),
      `select id from rag_chunks where project_id = '${b.projectId}' `,
    );
    expect(search).toMatch(/InitPlan 1[^\n]*\n\s*->\s+Result \(actual rows=1(\.00)? loops=1\)/);
    expect(search).not.toMatch(/SubPlan/);

    // Writes check it once per statement too (WITH CHECK).
    const write = await plan(
      as(b, ownerId),
      `insert into sync_watermarks (project_id, account_scope_id, source)
       select '${b.projectId}', '${b.accountScopeId}', 'explain-write-' || g from generate_series(1, 200) g`,
    );
    expect(write).toMatch(/InitPlan 1[^\n]*\n\s*->\s+Result \(actual rows=1(\.00)? loops=1\)/);
    expect(write).not.toMatch(/SubPlan/);
  });

  it('creates the system actor only on the worker path, and sets the actor only in withScope', async () => {
    const files: string[] = [];
    const walk = async (dir: string) => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) await walk(full);
        else if (entry.name.endsWith('.ts')) files.push(full);
      }
    };
    await walk(SRC);
    const using = (pattern: RegExp) =>
      Promise.all(
        files.map(async (f) =>
          (await readFile(f, 'utf8')).match(pattern) ? path.relative(SRC, f) : null,
        ),
      ).then((found) => found.filter((f): f is string => f !== null).sort());
    // Each is work that no signed-in user does: queued jobs, a signed webhook, a signed link, the
    // demo's own setup. A route handler appearing here would be a route acting as the system.
    expect(await using(/systemScope\(/)).toEqual([
      'demo.ts',
      'modules/access/system-actor.ts',
      'modules/jobs/execute-run.ts',
      'modules/outbound/unsubscribe.ts',
      'modules/sources/service.ts',
    ]);
    expect(await using(/kind: 'system'/)).toEqual([
      'db/database.ts',
      'modules/access/system-actor.ts',
    ]);
    expect(await using(/app\.user_id/)).toEqual(['db/database.ts']);
  });
});
