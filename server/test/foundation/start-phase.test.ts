import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { openDatabase } from '../../src/db/database.js';
import { createStartState } from '../../src/modules/system/start-phase.js';
import { testConfig } from '../support/app.js';
import { startTestDatabase } from '../support/database.js';

describe('the start phase on /health', () => {
  it('answers 503 starting while migrating, then reports each phase until ready', async () => {
    const testDb = await startTestDatabase();
    const config = testConfig({ DATABASE_URL: testDb.url });
    const database = await openDatabase(config);
    const start = createStartState('migrating');
    const app = await buildApp({ config, database, logger: false, start, demo: true });
    try {
      const migrating = await app.inject({ method: 'GET', url: '/health' });
      expect(migrating.statusCode).toBe(503);
      expect(migrating.json()).toMatchObject({
        ok: false,
        error: 'starting',
        details: { phase: 'migrating' },
        request_id: migrating.headers['x-request-id'],
      });
      // Nothing else reaches a half-built schema meanwhile.
      const login = await app.inject({
        method: 'POST',
        url: '/auth/login',
        payload: { username: 'a', password: 'b' },
      });
      expect(login.statusCode).toBe(503);
      expect(login.json()).toMatchObject({ error: 'starting' });

      for (const phase of ['syncing the demo', 'indexing', 'ready'] as const) {
        start.set(phase);
        const res = await app.inject({ method: 'GET', url: '/v1/health' });
        expect(res.statusCode).toBe(200);
        expect(res.json()).toMatchObject({ ok: true, status: 'ok', phase, demo: true });
      }
      const after = await app.inject({
        method: 'POST',
        url: '/auth/login',
        payload: { username: 'a', password: 'b' },
      });
      expect(after.statusCode).toBe(401);
    } finally {
      await app.close();
      await database.close();
      await testDb.drop();
    }
  });
});
