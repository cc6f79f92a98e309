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

  it('has the scope trigger reject a cross-scope insert on every scoped table', async () => {
    const a = await signInWithProject(ctx.app, ctx.database);
    const b = await signInWithProject(ctx.app, ctx.database);
    // Different account scopes, so A's project with B's scope is a mismatch.
    const other = await b.session.request('POST', '/projects', {
      name: 'Other scope',
      account_scope_key: 'other-scope',
    });
    const foreignScope = other.json().project.account_scope_id;
    const tables = await scopedTables(ctx);
    expect(tables.length).toBeGreaterThanOrEqual(14);
    for (const table of tables) {
      // The BEFORE trigger runs before NOT NULL and CHECK constraints, so a bare row suffices:
      // without the trigger this would fail with a different error and the assertion catches it.
      const error =
        await sql`insert into ${sql.table(table)} (project_id, account_scope_id) values (${a.project.projectId}, ${foreignScope})`
          .execute(ctx.database.db)
          .then(
            () => null,
            (e: Error) => e,
          );
      expect(error?.message, table).toMatch(new RegExp(`scope mismatch on ${table}`));
    }
  });

  it('has the scope trigger fire on update too, on every scoped table', async () => {
    const tables = await scopedTables(ctx);
    const { rows } = await sql<{ table_name: string; fires_on_update: boolean }>`
      select c.relname as table_name, (t.tgtype & 16) <> 0 as fires_on_update
      from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_proc p on p.oid = t.tgfoid
      where p.proname = 'enforce_project_scope_match' and not t.tgisinternal`.execute(
      ctx.database.db,
    );
    const onUpdate = new Set(rows.filter((r) => r.fires_on_update).map((r) => r.table_name));
    for (const table of tables) expect(onUpdate.has(table), table).toBe(true);

    const a = await signInWithProject(ctx.app, ctx.database);
    const foreign = (
      await a.session.request('POST', '/projects', {
        name: 'Foreign',
        account_scope_key: 'foreign-scope',
      })
    ).json().project;
    await sql`insert into sync_watermarks (project_id, account_scope_id, source) values (${a.project.projectId}, ${a.project.accountScopeId}, 'x')`.execute(
      ctx.database.db,
    );
    const error =
      await sql`update sync_watermarks set account_scope_id = ${foreign.account_scope_id} where project_id = ${a.project.projectId}`
        .execute(ctx.database.db)
        .then(
          () => null,
          (e: Error) => e,
        );
    expect(error?.message).toMatch(/scope mismatch on sync_watermarks/);
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
