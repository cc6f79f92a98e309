import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { testConfig } from '../support/app.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';

/**
 * `npm run migrate` talks to the pool alone (src/db/migrator.ts), never through Kysely, and Kysely
 * ends the pool only if it ever ran a query: closing the database left the migrator's idle client
 * connected, which held the process open for the pool's 30 s idle timeout after the work was done.
 */
describe('closing the database', () => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await startTestDatabase();
  });
  afterAll(async () => testDb?.drop());

  it('ends the pool and its clients when only the pool was used', async () => {
    const database = await openDatabase(testConfig({ DATABASE_URL: testDb.url }));
    await database.pool.query('select 1');
    expect(database.pool.totalCount).toBe(1);
    await database.close();
    expect(database.pool.ended).toBe(true);
    expect(database.pool.totalCount).toBe(0);
  });
});
