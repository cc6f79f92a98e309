import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../src/app.js';
import { openDatabase, type Database } from '../../src/db/database.js';
import { useTestApp } from '../support/app.js';
import { createUser, loginAs, signInWithProject } from '../support/factories.js';
import { tokenCaller } from '../support/team.js';

// Notices travel through the server's LISTEN/NOTIFY; the embedded database's socket server does
// not deliver them (there, one process owns the database and forgets on its own writes).
describe.skipIf(!process.env.TEST_DATABASE_URL)(
  'credential cache across API processes (LISTEN/NOTIFY cairn_credentials)',
  () => {
    // An hour: anything this test sees change comes from a notice, never from the cache expiring.
    const ctx = useTestApp({ AUTH_CACHE_TTL_SECONDS: '3600' });
    let other: FastifyInstance;
    let otherDatabase: Database;

    beforeAll(async () => {
      otherDatabase = await openDatabase(ctx.config);
      other = await buildApp({ config: ctx.config, database: otherDatabase, logger: false });
      await other.ready();
      // Both processes' cache works only once their LISTEN connection is up.
      await vi.waitFor(
        () => expect(ctx.app.credentials.usable && other.credentials.usable).toBe(true),
        {
          timeout: 5_000,
        },
      );
    });
    afterAll(async () => {
      await other?.close();
      await otherDatabase?.close();
    });

    /** Polls the first process until `request` answers `status` (the notice is asynchronous). */
    const eventually = (request: () => Promise<{ statusCode: number }>, status: number) =>
      vi.waitFor(async () => expect((await request()).statusCode).toBe(status), {
        timeout: 3_000,
        interval: 20,
      });

    it('a session ended through another process is refused by this one', async () => {
      const user = await createUser(ctx.database);
      const here = await loginAs(ctx.app, user.username, user.password);
      expect((await here.request('GET', '/projects')).statusCode).toBe(200);
      expect(ctx.app.credentials.size).toBeGreaterThan(0);

      const there = await loginAs(other, user.username, user.password);
      const revoked = await there.request('POST', '/auth/sessions/revoke-others');
      expect(revoked.json()).toMatchObject({ revoked: 1 });
      await eventually(() => here.request('GET', '/projects'), 401);
    });

    it('a token revoked, or its user deactivated, through another process is refused here', async () => {
      const world = await signInWithProject(ctx.app, ctx.database);
      const token = await tokenCaller(ctx.app, world.session, {
        permission: 'read',
        project_ids: [world.project.projectId],
      });
      expect((await token.request('GET', '/outbound')).statusCode).toBe(200);
      const owner = await loginAs(other, world.session.username, 'correct horse battery');
      expect((await owner.request('DELETE', `/auth/tokens/${token.id}`)).statusCode).toBe(200);
      await eventually(() => token.request('GET', '/outbound'), 401);

      // A member's session, cached here, ends when an owner deactivates them over there.
      const member = await createUser(ctx.database, undefined, undefined, 'member');
      const memberHere = await loginAs(ctx.app, member.username, member.password);
      const me = (await memberHere.request('GET', '/auth/me')).json() as { user_id: string };
      expect(me.user_id).toBeTruthy();
      const patched = await owner.request('PATCH', `/users/${me.user_id}`, { active: false });
      expect(patched.statusCode).toBe(200);
      await eventually(() => memberHere.request('GET', '/projects'), 401);
    });

    it("GET /auth/me's remembered answer here follows a role change and a revocation made there", async () => {
      const world = await signInWithProject(ctx.app, ctx.database);
      const owner = await loginAs(other, world.session.username, 'correct horse battery');
      const member = await createUser(ctx.database, undefined, undefined, 'member');
      const here = await loginAs(ctx.app, member.username, member.password);
      const userId = ((await here.request('GET', '/auth/me')).json() as { user_id: string })
        .user_id;
      const path = `/projects/${world.project.projectId}/members/${userId}`;
      expect((await owner.request('PUT', path, { role: 'contributor' })).statusCode).toBe(200);
      await here.request('POST', `/projects/${world.project.projectId}/select`);
      const token = await tokenCaller(ctx.app, here, {
        permission: 'read',
        project_ids: [world.project.projectId],
      });
      // Asked twice, so the answers come from this process's memo.
      for (let i = 0; i < 2; i++) {
        expect((await here.request('GET', '/auth/me')).json().project_role).toBe('contributor');
        expect((await token.request('GET', '/auth/me')).json().authenticated).toBe(true);
      }

      expect((await owner.request('PUT', path, { role: 'viewer' })).statusCode).toBe(200);
      await vi.waitFor(
        async () =>
          expect((await here.request('GET', '/auth/me')).json().project_role).toBe('viewer'),
        { timeout: 3_000, interval: 20 },
      );
      const there = await loginAs(other, member.username, member.password);
      expect((await there.request('DELETE', `/auth/tokens/${token.id}`)).statusCode).toBe(200);
      await vi.waitFor(
        async () =>
          expect((await token.request('GET', '/auth/me')).json().authenticated).toBe(false),
        { timeout: 3_000, interval: 20 },
      );
    });
  },
);
