import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.js';
import { createProject, signIn, signInWithProject } from '../support/factories.js';
import { SEED_KINDS, seedEveryKind } from '../support/seed-kinds.js';
import { memberSession } from '../support/team.js';

const messageOf = (body: string) => {
  try {
    return String((JSON.parse(body) as { message?: unknown }).message);
  } catch {
    return body;
  }
};
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Tables that carry (project_id, account_scope_id), read from the catalog. */
async function scopedTables(ctx: ReturnType<typeof useTestApp>): Promise<string[]> {
  const { rows } = await sql<{ table_name: string }>`
    select c.table_name from information_schema.columns c
    join information_schema.tables t on t.table_name = c.table_name and t.table_schema = c.table_schema
    where c.table_schema = 'public' and t.table_type = 'BASE TABLE' and c.column_name = 'project_id'
    and exists (select 1 from information_schema.columns c2 where c2.table_schema = 'public'
                and c2.table_name = c.table_name and c2.column_name = 'account_scope_id')
    order by 1`.execute(ctx.database.db);
  return rows.map((r) => r.table_name);
}

describe('project scope isolation', () => {
  const ctx = useTestApp();

  it("holds every scoped table to its project's account scope with one composite key", async () => {
    const tables = await scopedTables(ctx);
    expect(tables.length).toBeGreaterThanOrEqual(14);
    const { rows } = await sql<{ table_name: string }>`
      select c.relname as table_name
      from pg_constraint f join pg_class c on c.oid = f.conrelid
      where f.contype = 'f' and f.confrelid = 'projects'::regclass and f.confmatchtype = 'f'
        and array(select a.attname::text from unnest(f.conkey) with ordinality k(n, i)
                  join pg_attribute a on a.attrelid = f.conrelid and a.attnum = k.n order by k.i)
            = array['project_id', 'account_scope_id']
        and array(select a.attname::text from unnest(f.confkey) with ordinality k(n, i)
                  join pg_attribute a on a.attrelid = f.confrelid and a.attnum = k.n order by k.i)
            = array['id', 'account_scope_id']`.execute(ctx.database.db);
    const keyed = new Set(rows.map((r) => r.table_name));
    for (const table of tables) expect(keyed.has(table), table).toBe(true);
  });

  it("refuses a row whose account scope is not its project's, on insert and on update", async () => {
    const a = await signInWithProject(ctx.app, ctx.database);
    const foreign = (
      await a.session.request('POST', '/projects', {
        name: 'Foreign',
        account_scope_key: 'foreign-scope',
      })
    ).json().project;
    const refused = (statement: { execute: (db: typeof ctx.database.db) => Promise<unknown> }) =>
      statement.execute(ctx.database.db).then(
        () => null,
        (e: Error) => e.message,
      );

    expect(
      await refused(
        sql`insert into sync_watermarks (project_id, account_scope_id, source) values (${a.project.projectId}, ${foreign.account_scope_id}, 'x')`,
      ),
    ).toMatch(/sync_watermarks_scope_fkey/);

    await sql`insert into sync_watermarks (project_id, account_scope_id, source) values (${a.project.projectId}, ${a.project.accountScopeId}, 'x')`.execute(
      ctx.database.db,
    );
    expect(
      await refused(
        sql`update sync_watermarks set account_scope_id = ${foreign.account_scope_id} where project_id = ${a.project.projectId}`,
      ),
    ).toMatch(/sync_watermarks_scope_fkey/);
  });

  it('has row-level security enabled and forced on every table with project_id, for a role that cannot bypass it', async () => {
    const { rows } = await sql<{
      relname: string;
      relrowsecurity: boolean;
      relforcerowsecurity: boolean;
    }>`
      select c.relname, c.relrowsecurity, c.relforcerowsecurity from pg_class c
      join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind = 'r'
      and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'project_id' and not a.attisdropped)`.execute(
      ctx.database.db,
    );
    expect(rows.length).toBeGreaterThanOrEqual(14);
    for (const row of rows) {
      expect(row.relrowsecurity, row.relname).toBe(true);
      expect(row.relforcerowsecurity, row.relname).toBe(true);
    }
    const role = await sql<{
      rolsuper: boolean;
      rolbypassrls: boolean;
    }>`select rolsuper, rolbypassrls from pg_roles where rolname = ${ctx.config.DB_APP_ROLE}`.execute(
      ctx.database.db,
    );
    expect(role.rows[0]).toEqual({ rolsuper: false, rolbypassrls: false });
    const owns = await sql<{
      n: number;
    }>`select count(*)::int as n from pg_tables where tableowner = ${ctx.config.DB_APP_ROLE}`.execute(
      ctx.database.db,
    );
    expect(owns.rows[0]!.n).toBe(0);
  });

  it("gives every table with a project_id a policy that also requires the actor to see the row's project", async () => {
    const { rows } = await sql<{
      relname: string;
      policies: number;
      qual: string | null;
      check: string | null;
    }>`
      select c.relname, count(p.polname)::int as policies,
             string_agg(pg_get_expr(p.polqual, p.polrelid), ' ') as qual,
             string_agg(pg_get_expr(p.polwithcheck, p.polrelid), ' ') as check
      from pg_class c
      join pg_namespace n on n.oid = c.relnamespace
      left join pg_policy p on p.polrelid = c.oid
      where n.nspname = 'public' and c.relkind = 'r'
        and exists (select 1 from pg_attribute a where a.attrelid = c.oid
                    and a.attname = 'project_id' and not a.attisdropped)
      group by c.relname order by 1`.execute(ctx.database.db);
    expect(rows.length).toBeGreaterThanOrEqual(17);
    for (const row of rows) {
      // One permissive policy: a second one would be OR-ed with it and could widen access.
      expect(row.policies, row.relname).toBe(1);
      for (const expr of [row.qual, row.check]) {
        expect(expr, row.relname).toContain("current_setting('app.project_id'");
        // The membership check as an uncorrelated subquery: one evaluation per statement.
        expect(expr, row.relname).toMatch(/\(\s*SELECT app_actor_may_see_project\(\)/);
      }
    }
  });

  it('returns only the active project rows from a query that forgets its filter, and none without a project', async () => {
    const a = await signInWithProject(ctx.app, ctx.database);
    const b = await signInWithProject(ctx.app, ctx.database);
    for (const p of [a.project, b.project]) {
      await sql`insert into sync_watermarks (project_id, account_scope_id, source, cursor_id) values (${p.projectId}, ${p.accountScopeId}, 'chatwoot:1', 'same')`.execute(
        ctx.database.db,
      );
    }
    const seen = await ctx.database.withScope(a.project, (trx) =>
      sql<{ project_id: string }>`select project_id from sync_watermarks`.execute(trx),
    );
    expect(seen.rows.length).toBeGreaterThan(0);
    expect(new Set(seen.rows.map((r) => r.project_id))).toEqual(new Set([a.project.projectId]));

    const none = await ctx.database.db.transaction().execute(async (trx) => {
      await sql`set local role ${sql.id(ctx.config.DB_APP_ROLE)}`.execute(trx);
      return sql`select * from sync_watermarks`.execute(trx);
    });
    expect(none.rows).toHaveLength(0);

    const error = await ctx.database
      .withScope(a.project, (trx) =>
        sql`insert into sync_watermarks (project_id, account_scope_id, source) values (${b.project.projectId}, ${b.project.accountScopeId}, 'sneaky')`.execute(
          trx,
        ),
      )
      .then(
        () => null,
        (e: Error) => e,
      );
    expect(error?.message).toMatch(/row-level security/);
  });

  it(
    "answers another project's ids, a row of every kind, on every by-id route exactly like a missing id",
    { timeout: 300_000 },
    async () => {
      // An owner holds both projects; the member manages A only and tries B's ids from A.
      const owner = await signIn(ctx.app, ctx.database);
      const a = await createProject(owner);
      const b = await createProject(owner);
      const seeded = await seedEveryKind({ database: ctx.database, session: owner, scope: b });
      const member = await memberSession(ctx.app, ctx.database, owner, a.projectId, 'manager');
      expect((await member.request('GET', '/auth/me')).json().active_project_id).toBe(a.projectId);

      const listings = ctx.app.routeTable.filter(
        (r) =>
          r.method === 'GET' &&
          r.access === 'project' &&
          !r.url.includes(':') &&
          !r.url.startsWith('/v1/'),
      );
      const byId = ctx.app.routeTable.filter(
        (r) =>
          (r.access === 'project' || r.projectParam) &&
          /:[a-z_]*id\b/.test(r.url) &&
          !r.url.startsWith('/v1/'),
      );
      expect(byId.length).toBeGreaterThan(10);
      const concrete = (url: string, id: string) => url.replace(/:[a-z_]*id\b/g, id);

      // Every seeded id is real: its owner reads it by id or finds it in a listing of B.
      const listed = (await Promise.all(listings.map((r) => owner.request('GET', r.url)))).map(
        (res) => res.body,
      );
      for (const kind of SEED_KINDS.map(([k]) => k)) {
        const id = seeded[kind]!;
        let found = listed.some((body) => body.includes(id));
        for (const route of byId.filter((r) => r.method === 'GET')) {
          if (found) break;
          found = (await owner.request('GET', concrete(route.url, id))).statusCode === 200;
        }
        expect(found, `seeded ${kind} ${id} is not reachable in its own project`).toBe(true);
      }

      // Every id B can see through its own API is a candidate too (one per listing).
      const ids = new Set<string>([...Object.values(seeded), b.projectId]);
      for (const body of listed) {
        const uuid = body.match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g);
        const first = uuid?.find((id) => id !== b.accountScopeId && id !== a.projectId);
        if (first) ids.add(first);
      }
      // A missing id of the same shape: what a leak would be told apart from.
      const missingTwin = (id: string) => (UUID.test(id) ? randomUUID() : `${id}999999`);
      const mismatches: string[] = [];
      for (const route of byId) {
        const body = route.method === 'GET' || route.method === 'DELETE' ? undefined : {};
        for (const id of ids) {
          const twin = missingTwin(id);
          const res = await member.request(route.method as 'GET', concrete(route.url, id), body);
          const missing = await member.request(
            route.method as 'GET',
            concrete(route.url, twin),
            body,
          );
          if (
            res.statusCode !== missing.statusCode ||
            ![400, 404].includes(res.statusCode) ||
            messageOf(res.body) !== messageOf(missing.body).replaceAll(twin, id)
          ) {
            mismatches.push(`${route.method} ${route.url} ${id}: ${res.statusCode} ${res.body}`);
          }
        }
      }
      expect(mismatches).toEqual([]);
    },
  );
});
