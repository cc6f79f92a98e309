import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { withDemoAllowlist } from '../../src/demo.js';
import { startTestDatabase } from '../support/database.js';
import { SERVER_MAIN } from '../support/constants.js';

const serverDir = path.resolve(import.meta.dirname, '../..');

describe('configuration', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      DATA_DIR: './.data',
      PORT: 8080,
      WEB_PORT: 3000,
      NEXT_PUBLIC_API_BASE_URL: '/api',
      SESSION_COOKIE_NAME: 'sid',
      CSRF_COOKIE_NAME: 'csrf_token',
      STORAGE_BUDGET_GB: 20,
      STORAGE_ALERT_THRESHOLD_PCT: 85,
      EMBEDDING_DIM: 1536,
    });
  });

  it('names every invalid variable', () => {
    const error = (() => {
      try {
        loadConfig({ PORT: 'abc', DATABASE_URL: 'not a url', LOG_LEVEL: 'loud' });
      } catch (e) {
        return e;
      }
    })() as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.issues.map((i) => i.variable).sort()).toEqual([
      'DATABASE_URL',
      'LOG_LEVEL',
      'PORT',
    ]);
  });

  it('names a list entry that is not an address, a range or a host', () => {
    const error = (() => {
      try {
        loadConfig({ TRUST_PROXY: 'loopback,everyone', SOURCE_HOST_ALLOWLIST: '10.0.0.0/33' });
      } catch (e) {
        return e;
      }
    })() as ConfigError;
    expect(error.issues).toEqual([
      { variable: 'TRUST_PROXY', message: expect.stringContaining('"everyone"') },
      { variable: 'SOURCE_HOST_ALLOWLIST', message: expect.stringContaining('"10.0.0.0/33"') },
    ]);
    expect(loadConfig({}).TRUST_PROXY).toBe('loopback');
  });

  it("opens only the demo simulator's loopback address, and only for the demo", () => {
    expect(withDemoAllowlist(loadConfig({})).SOURCE_HOST_ALLOWLIST).toBe('127.0.0.1');
    expect(
      withDemoAllowlist(loadConfig({ SOURCE_HOST_ALLOWLIST: 'chat.lan' })).SOURCE_HOST_ALLOWLIST,
    ).toBe('chat.lan,127.0.0.1');
    expect(
      withDemoAllowlist(loadConfig({ DATABASE_URL: 'postgres://db/cairn' })).SOURCE_HOST_ALLOWLIST,
    ).toBeUndefined();
  });

  it('stops the process at start-up with a message naming PORT when PORT=abc', () => {
    const result = spawnSync(process.execPath, [...SERVER_MAIN, 'serve'], {
      cwd: serverDir,
      env: { ...process.env, PORT: 'abc' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('PORT');
    expect(result.stderr).not.toMatch(/at .*\.(ts|js):\d+/); // a message, not a stack trace
  });

  it('refuses to start without SECRETS_KEY on a server database before applying any migration', async () => {
    // An empty database (either home: the embedded one is served on loopback like a server).
    const empty = await startTestDatabase({ migrated: false });
    try {
      const child = spawn(process.execPath, [...SERVER_MAIN, 'serve'], {
        cwd: serverDir,
        env: { ...process.env, DATABASE_URL: empty.url, SECRETS_KEY: '', PORT: '0' },
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code).toBe(1);
      expect(stderr).toContain('SECRETS_KEY');
      const client = new pg.Client({ connectionString: empty.url });
      await client.connect();
      try {
        const { rows } = await client.query<{ n: number }>(
          `select count(*)::int as n from pg_tables where schemaname not in ('pg_catalog', 'information_schema')`,
        );
        expect(rows[0]!.n).toBe(0);
      } finally {
        await client.end();
      }
    } finally {
      await empty.drop();
    }
  });
});
