import { spawn } from 'node:child_process';
import { cp, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, MigrationChecksumError, MIGRATIONS_DIR } from '../../src/db/migrator.js';
import { SERVER_MAIN, TEST_EMBEDDING_DIM } from '../support/constants.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';

const SERVER_DIR = path.resolve(import.meta.dirname, '../..');

function runMigratorProcess(databaseUrl: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...SERVER_MAIN, 'migrate'], {
      cwd: SERVER_DIR,
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        EMBEDDING_DIM: String(TEST_EMBEDDING_DIM),
        SECRETS_KEY: '22'.repeat(32),
      },
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => resolve({ code: code ?? -1, output }));
  });
}

describe('migrations', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await startTestDatabase({ migrated: false });
  });
  afterAll(async () => db?.drop());

  it('lets two migrator processes started together both succeed and apply each migration once', async () => {
    const [first, second] = await Promise.all([
      runMigratorProcess(db.url),
      runMigratorProcess(db.url),
    ]);
    expect(first.code, first.output).toBe(0);
    expect(second.code, second.output).toBe(0);
    const files = (await import('node:fs'))
      .readdirSync(MIGRATIONS_DIR)
      .filter((f) => f.endsWith('.sql'));
    const applied =
      [first.output, second.output].join('\n').match(/applied migration \d{4}/g) ?? [];
    expect(applied.length).toBe(files.length);
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    const { rows } = await pool.query('select version from schema_migrations order by version');
    await pool.end();
    expect(rows.map((r) => r.version)).toEqual(files.map((f) => f.slice(0, 4)).sort());
  });

  it('stops with a clear error when an applied migration was edited', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cairn-migrations-'));
    await cp(MIGRATIONS_DIR, dir, { recursive: true });
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    try {
      await migrate({ pool, embeddingDim: TEST_EMBEDDING_DIM, appRole: 'cairn_app', dir });
      const first = (await import('node:fs'))
        .readdirSync(dir)
        .filter((f) => f.endsWith('.sql'))
        .sort()[0]!;
      await writeFile(path.join(dir, first), '-- edited after it was applied\n', { flag: 'a' });
      const error = await migrate({
        pool,
        embeddingDim: TEST_EMBEDDING_DIM,
        appRole: 'cairn_app',
        dir,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MigrationChecksumError);
      expect((error as Error).message).toContain(first.slice(0, 4));
      expect((error as Error).message).toMatch(/changed after it was applied/);
    } finally {
      await pool.end();
    }
  });
});
