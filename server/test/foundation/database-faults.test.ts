import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { openDatabase } from '../../src/db/database.js';
import { testConfig } from '../support/app.js';

describe('when the database is unreachable', () => {
  it('answers /health with 503 db_unavailable and the request id, not a 500', async () => {
    // Port 9 on loopback: nothing listens, the connection is refused at once.
    const config = testConfig({ DATABASE_URL: 'postgres://postgres@127.0.0.1:9/none' });
    const database = await openDatabase(config);
    const app = await buildApp({ config, database, logger: false });
    try {
      const res = await app.inject({ method: 'GET', url: '/health' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({
        ok: false,
        error: 'db_unavailable',
        request_id: res.headers['x-request-id'],
      });
      const login = await app.inject({
        method: 'POST',
        url: '/auth/login',
        payload: { username: 'a', password: 'b' },
      });
      expect(login.statusCode).toBe(503);
      expect(login.body).not.toMatch(/ECONNREFUSED|stack/);
    } finally {
      await app.close();
      await database.close();
    }
  });
});
