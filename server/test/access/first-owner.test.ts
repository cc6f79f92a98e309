import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.js';
import { migrate, MIGRATIONS_DIR } from '../../src/db/migrator.js';
import { ensureInitialAdmin } from '../../src/modules/auth/service.js';
import { testConfig } from '../support/app.js';
import { TEST_EMBEDDING_DIM } from '../support/constants.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';

describe('owners at start and on upgrade', () => {
  let testDb: TestDatabase;
  let database: Database;
  beforeAll(async () => {
    testDb = await startTestDatabase({ migrated: false });
    database = await openDatabase(testConfig({ DATABASE_URL: testDb.url }));
  });
  afterAll(async () => {
    await database?.close();
    await testDb?.drop();
  });

  it('makes the users of a database that predates roles owners, so an upgrade locks nobody out', async () => {
    // The schema as it was before roles: every migration before 0015.
    const before = await mkdtemp(path.join(os.tmpdir(), 'cairn-before-roles-'));
    for (const file of await readdir(MIGRATIONS_DIR)) {
      if (file < '0015') await cp(path.join(MIGRATIONS_DIR, file), path.join(before, file));
    }
    const options = { pool: database.pool, embeddingDim: TEST_EMBEDDING_DIM, appRole: 'cairn_app' };
    await migrate({ ...options, dir: before });
    await rm(before, { recursive: true, force: true });
    await database.pool.query(
      `insert into app_users (username, password_hash) values ('existing-1', 'x'), ('existing-2', 'y')`,
    );

    await migrate(options);
    const { rows } = await database.pool.query<{ username: string; role: string; active: boolean }>(
      `select username, role, active from app_users order by username`,
    );
    expect(rows).toEqual([
      { username: 'existing-1', role: 'owner', active: true },
      { username: 'existing-2', role: 'owner', active: true },
    ]);
    // New users default to members.
    await database.pool.query(
      `insert into app_users (username, password_hash) values ('later', 'z')`,
    );
    const later = await database.pool.query(`select role from app_users where username = 'later'`);
    expect(later.rows[0]).toEqual({ role: 'member' });
  });

  it('creates the first admin as an owner, once', async () => {
    await database.pool.query(`delete from app_users`);
    const config = testConfig({
      AUTH_USERNAME: 'first-admin',
      AUTH_PASSWORD: 'a long admin password',
    });
    expect(await ensureInitialAdmin(database, config)).toEqual({ username: 'first-admin' });
    expect(await ensureInitialAdmin(database, config)).toBeNull();
    const { rows } = await database.pool.query(`select username, role from app_users`);
    expect(rows).toEqual([{ username: 'first-admin', role: 'owner' }]);
  });
});
