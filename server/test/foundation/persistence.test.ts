import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrator.js';
import { testConfig } from '../support/app.js';

describe.skipIf(Boolean(process.env.TEST_DATABASE_URL))('embedded database', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'cairn-persist-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('keeps data written before a restart', async () => {
    const config = testConfig({ DATA_DIR: dataDir });
    const first = await openDatabase(config);
    await migrate({
      pool: first.pool,
      embeddingDim: config.EMBEDDING_DIM,
      appRole: config.DB_APP_ROLE,
    });
    await first.db
      .insertInto('account_scopes')
      .values({ scope_key: 'kept', name: 'Kept across restarts' })
      .execute();
    await first.close();

    const second = await openDatabase(config);
    const applied = await migrate({
      pool: second.pool,
      embeddingDim: config.EMBEDDING_DIM,
      appRole: config.DB_APP_ROLE,
    });
    const row = await second.db
      .selectFrom('account_scopes')
      .select('name')
      .where('scope_key', '=', 'kept')
      .executeTakeFirst();
    await second.close();
    expect(applied).toEqual([]);
    expect(row?.name).toBe('Kept across restarts');
  });

  // The embedded database is one Postgres session: a connection that opens while another holds a
  // transaction waits for it to end (src/db/embedded-server.ts). A long sync transaction on a
  // loaded machine once outlasted the pool's 5 s connection timeout, failing the demo's first
  // Chatwoot sync with "Connection terminated due to connection timeout" halfway through.
  it('lets a new connection wait its turn behind a transaction longer than 5 s', async () => {
    const database = await openDatabase(testConfig({ DATA_DIR: dataDir }));
    try {
      const holder = await database.pool.connect();
      await holder.query('begin');
      await holder.query('select 1');
      const waiting = database.pool.connect();
      await new Promise((resolve) => setTimeout(resolve, 5_500));
      await holder.query('commit');
      holder.release();
      const next = await waiting;
      expect((await next.query<{ one: number }>('select 1 as one')).rows).toEqual([{ one: 1 }]);
      next.release();
    } finally {
      await database.close();
    }
  });
});
