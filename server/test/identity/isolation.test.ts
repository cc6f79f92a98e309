import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.js';
import { signInWithProject } from '../support/factories.js';

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
    "answers 404 for another project's ids on every scoped route with an id, exactly like a missing id",
    { timeout: 180_000 },
    async () => {
      const a = await signInWithProject(ctx.app, ctx.database);
      const b = await signInWithProject(ctx.app, ctx.database);
      const bound = await b.session.request('POST', '/sources', {
        source_kind: 'chatwoot_account',
        base_url: 'http://127.0.0.1:9/isolation',
        account_id: 7,
        api_token: 'token-of-b',
      });
      expect(bound.statusCode).toBe(201);
      // Every uuid B can see through its own API is a candidate id for A to try.
      const bIds = new Set<string>([bound.json().source.id]);
      for (const route of ctx.app.routeTable.filter(
        (r) =>
          r.method === 'GET' &&
          r.access === 'project' &&
          !r.url.includes(':') &&
          !r.url.startsWith('/v1/'),
      )) {
        const res = await b.session.request('GET', route.url);
        if (res.statusCode !== 200) continue;
        const ids = (
          res.body.match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g) ?? []
        ).filter((id) => id !== b.project.projectId && id !== b.project.accountScopeId);
        // One id per listing is one resource kind; every route is then tried with every kind.
        if (ids[0]) bIds.add(ids[0]);
      }
      bIds.delete(b.project.projectId);
      bIds.delete(b.project.accountScopeId);
      const routes = ctx.app.routeTable.filter(
        (r) => r.access === 'project' && /:[a-z_]*id\b/.test(r.url) && !r.url.startsWith('/v1/'),
      );
      expect(routes.length).toBeGreaterThan(0);
      for (const route of routes) {
        for (const id of bIds) {
          const url = route.url.replace(/:[a-z_]*id\b/g, id);
          const res = await a.session.request(
            route.method as 'GET',
            url,
            route.method === 'GET' || route.method === 'DELETE' ? undefined : {},
          );
          const missing = await a.session.request(
            route.method as 'GET',
            route.url.replace(/:[a-z_]*id\b/g, '00000000-0000-4000-8000-000000000000'),
            route.method === 'GET' || route.method === 'DELETE' ? undefined : {},
          );
          expect(res.statusCode, `${route.method} ${url}`).toBe(missing.statusCode);
          expect([400, 404], `${route.method} ${url}`).toContain(res.statusCode);
        }
      }
    },
  );
});
