import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ProjectRole, WorkspaceRole } from '../../src/db/schema.js';
import {
  grantsInProject,
  grantsOutsideProject,
  isPermission,
  PERMISSIONS,
  type Grantee,
  type TokenPermission,
} from '../../src/modules/access/permissions.js';
import { useTestApp } from '../support/app.js';
import { memberSession, teamWorld, tokenCaller, type Caller } from '../support/team.js';

const MISSING = '00000000-0000-4000-8000-000000000000';
const MUTATIONS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** A principal of the matrix: how it calls, and what the policy tables should make of it. */
interface Principal extends Caller {
  grantee: Grantee;
  /** Effective role in the matrix's project, null when it may not see it. */
  role: ProjectRole | null;
  /** A session works in its active project; a token names it by header. */
  via: 'session' | 'token';
}

type Expected = 'allowed' | 401 | 403 | 404 | 409;

/** What the declarations imply, computed from the permission table the guard uses. */
function expectedFor(
  principal: Principal,
  route: { access: string; permission: string | undefined },
): Expected {
  if (!isPermission(route.permission)) return 403;
  // A token-only route (the MCP server) does not take a session at all.
  if (route.access === 'token' && principal.via === 'session') return 401;
  const permission = route.permission;
  if (PERMISSIONS[permission] !== 'project') {
    return grantsOutsideProject(principal.grantee, permission) ? 'allowed' : 403;
  }
  if (principal.role === null) {
    // A session's active project it may not see reads as no project at all (like a deleted one);
    // a project named in the path or by a token's header is 404, like a missing one.
    return route.access === 'project' && principal.via === 'session' ? 409 : 404;
  }
  return grantsInProject(principal.grantee, principal.role, permission) ? 'allowed' : 403;
}

describe('route-permission matrix, generated from the route table', () => {
  const ctx = useTestApp();
  const principals: Principal[] = [];
  let projectId: string;

  const routes = () =>
    ctx.app.routeTable
      .filter((r) => !r.url.startsWith('/v1/') && r.method !== 'HEAD' && r.method !== 'OPTIONS')
      // Signing out ends the principal's session: it goes last.
      .sort((a, b) => Number(a.url === '/auth/logout') - Number(b.url === '/auth/logout'));

  beforeAll(async () => {
    const team = await teamWorld(ctx.app, ctx.database);
    projectId = team.project.projectId;
    const session = (
      name: string,
      s: Omit<Caller, 'name'>,
      workspaceRole: WorkspaceRole,
      role: ProjectRole | null,
    ): Principal => ({ ...s, name, grantee: { workspaceRole }, role, via: 'session' });
    const token = async (
      name: string,
      owner: typeof team.owner,
      workspaceRole: WorkspaceRole,
      role: ProjectRole | null,
      permission: TokenPermission,
    ): Promise<Principal> => ({
      ...(await tokenCaller(ctx.app, owner, {
        permission,
        project_ids: 'all',
        project: projectId,
      })),
      name,
      grantee: { workspaceRole, tokenPermission: permission },
      role,
      via: 'token',
    });
    // An outsider whose session still points at the project (as after being removed from it).
    const outsider = await memberSession(ctx.app, ctx.database, team.owner, projectId, null);
    await sql`update sessions set active_project_id = ${projectId}::uuid
              where csrf_token = ${outsider.csrf}`.execute(ctx.database.db);
    // A write behind the app's back, as from another process: the app hears of it by NOTIFY
    // cairn_credentials, a moment later on server Postgres and never on the embedded test
    // database, so the test tells the cache itself (credential-notices.test.ts tests the NOTIFY).
    ctx.app.credentials.forgetAll();
    principals.push(
      session('owner', team.owner, 'owner', 'manager'),
      session('manager', team.manager, 'member', 'manager'),
      session('contributor', team.contributor, 'member', 'contributor'),
      session('viewer', team.viewer, 'member', 'viewer'),
      session('non-member', outsider, 'member', null),
      await token('owner read token', team.owner, 'owner', 'manager', 'read'),
      await token('owner draft token', team.owner, 'owner', 'manager', 'draft'),
      await token('viewer draft token', team.viewer, 'member', 'viewer', 'draft'),
      await token('contributor read token', team.contributor, 'member', 'contributor', 'read'),
      await token('non-member draft token', team.outsider, 'member', null, 'draft'),
    );
  });

  it('has every route declare a known permission, and every OpenAPI operation a route', async () => {
    const undeclared = routes()
      .filter((r) => !isPermission(r.permission))
      .map((r) => `${r.method} ${r.url}`);
    expect(undeclared, 'routes without a permission').toEqual([]);

    const spec = (await ctx.app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<string, Record<string, unknown>>;
    };
    const operations = Object.entries(spec.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((m) => ({
        method: m.toUpperCase(),
        url: path.replace(/\{([^}]+)\}/g, ':$1'),
      })),
    );
    expect(operations.length).toBeGreaterThan(40);
    for (const op of operations) {
      const route = ctx.app.routeTable.find((r) => r.method === op.method && r.url === op.url);
      expect(route?.permission, `${op.method} ${op.url}`).toSatisfy(isPermission);
    }
  });

  it('answers each principal exactly as the declarations imply', { timeout: 300_000 }, async () => {
    const table = routes().filter((r) => r.access !== 'public' && r.access !== 'webhook');
    expect(table.length).toBeGreaterThan(40);
    const mismatches: string[] = [];
    const seen = new Set<Expected>();
    for (const route of table) {
      const url = route.url.replace(/:([A-Za-z_]+)/g, (_, name: string) =>
        name === route.projectParam ? projectId : MISSING,
      );
      for (const principal of principals) {
        const expected = expectedFor(principal, route);
        seen.add(expected);
        const res = await principal.request(
          route.method as 'GET',
          url,
          MUTATIONS.has(route.method) ? {} : undefined,
        );
        const body = res.json() as { error?: string; message?: string; details?: unknown };
        const guardSaid404 = res.statusCode === 404 && body.message === 'project not found';
        const ok =
          expected === 'allowed'
            ? ![401, 403, 409].includes(res.statusCode) && !guardSaid404
            : expected === 401
              ? res.statusCode === 401 && body.error === 'unauthorized'
              : expected === 403
                ? res.statusCode === 403 &&
                  body.error === 'forbidden' &&
                  JSON.stringify(body.details) === JSON.stringify({ permission: route.permission })
                : expected === 404
                  ? guardSaid404
                  : res.statusCode === 409 && body.error === 'active_project_required';
        if (!ok) {
          mismatches.push(
            `${principal.name} ${route.method} ${route.url} (${route.permission}): expected ${expected}, got ${res.statusCode} ${res.body.slice(0, 160)}`,
          );
        }
      }
    }
    expect(mismatches).toEqual([]);
    // The matrix exercised every outcome, so none of its branches is vacuous.
    expect([...seen].sort()).toEqual([401, 403, 404, 409, 'allowed'].sort());
  });
});
