import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrator.js';
import { testConfig } from '../support/app.js';

describe.skipIf(Boolean(process.env.TEST_DATABASE_URL))('embedded database', () => {
  it('keeps data written before a restart', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'cairn-persist-'));
    try {
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
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
