import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { QUEUE_SCHEMA } from '../../src/modules/jobs/queue.js';
import { startTestDatabase } from '../support/database.js';

/**
 * The embedded pass hands the migrated database a file dropped to the worker's next file
 * (test/support/database.ts): every test file of that pass relies on getting it back as the
 * migration left it. The server-Postgres pass creates a new database per file instead.
 */
describe.skipIf(process.env.TEST_DATABASE_URL)('a test file’s embedded database, reused', () => {
  /** One connection, so a session setting made through it is seen by its next query. */
  async function withSession<T>(url: string, use: (session: pg.Pool) => Promise<T>): Promise<T> {
    const session = new pg.Pool({ connectionString: url, max: 1 });
    return use(session).finally(() => session.end());
  }
  const startedAt = (client: pg.Pool) =>
    client
      .query<{ at: Date }>('select pg_postmaster_start_time() as at')
      .then((r) => r.rows[0]!.at);

  it('comes back to the next file empty, its sequences and session as migrated', async () => {
    const first = await startTestDatabase();
    const before = await withSession(first.url, async (client) => {
      await client.query(`insert into account_scopes (scope_key, name) values ('reuse', 'Reuse')`);
      await client.query(`select nextval('login_attempts_id_seq')`);
      await client.query(`set statement_timeout = 1234`);
      const ledger = await client.query('select version from schema_migrations order by version');
      return { at: await startedAt(client), ledger: ledger.rows };
    });
    await first.drop();

    const second = await startTestDatabase();
    await withSession(second.url, async (client) => {
      expect(await startedAt(client)).toEqual(before.at); // the same database, not a new one
      const scopes = await client.query('select count(*)::int as n from account_scopes');
      expect(scopes.rows[0].n).toBe(0);
      const next = await client.query<{ id: string }>(
        `select nextval('login_attempts_id_seq')::text as id`,
      );
      expect(next.rows[0]!.id).toBe('1');
      expect((await client.query('show statement_timeout')).rows[0].statement_timeout).toBe('0');
      const ledger = await client.query('select version from schema_migrations order by version');
      expect(ledger.rows).toEqual(before.ledger);
    });
    await second.drop();
  });

  it('comes back without the job queue’s schema, which pg-boss creates when it starts', async () => {
    const first = await startTestDatabase();
    const at = await withSession(first.url, async (client) => {
      await client.query(`create schema ${QUEUE_SCHEMA}`);
      await client.query(`create table ${QUEUE_SCHEMA}.job (id int)`);
      return startedAt(client);
    });
    await first.drop();

    const second = await startTestDatabase();
    await withSession(second.url, async (client) => {
      expect(await startedAt(client)).toEqual(at);
      const schema = await client.query('select 1 from pg_namespace where nspname = $1', [
        QUEUE_SCHEMA,
      ]);
      expect(schema.rowCount).toBe(0);
    });
    await second.drop();
  });

  it('is not reused once a test changed its shape', async () => {
    const first = await startTestDatabase();
    const at = await withSession(first.url, async (client) => {
      await client.query('create table stray (id int)');
      return startedAt(client);
    });
    await first.drop();

    const second = await startTestDatabase();
    await withSession(second.url, async (client) => {
      expect(await startedAt(client)).not.toEqual(at);
      expect((await client.query(`select to_regclass('stray') as t`)).rows[0].t).toBeNull();
    });
    await second.drop();
  });
});
