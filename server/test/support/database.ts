import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { PGlite } from '@electric-sql/pglite';
import { expect, inject } from 'vitest';
import { listenOnLoopback, openPGlite } from '../../src/db/embedded-server.js';
import { QUEUE_SCHEMA } from '../../src/modules/jobs/queue.js';
import { moduleTags } from './module-tags.js';
import { createServerDatabase, dropServerDatabase, withDatabase } from './server-database.js';

export { withDatabase };

export interface TestDatabase {
  url: string;
  /**
   * Stops or drops the database; a server database is kept when KEEP_TEST_DB=1 so a failure's
   * evidence stays.
   */
  drop(): Promise<void>;
}

/**
 * A fresh, migrated database for one test file, copied from what the global setup migrated once
 * (test/support/global-setup.ts). With TEST_DATABASE_URL it is a new database on that server,
 * created from the run's template database; otherwise an embedded database in memory, loaded from
 * the dump of the embedded template and served on its own loopback port (PGlite is one session,
 * so two files never use one at once). In memory, because a file's database lives as long as the
 * file, and loading a dump took half the time of copying the data directory and opening the copy
 * (docs/operations.md, "Continuous integration"). It runs in the test's own thread, as the tests
 * did before the server moved its database to a thread of its own (src/db/embedded.ts): no test
 * measures how the API answers while the database works.
 *
 * Loading the dump was still 1.6 s of each file (40 % of the embedded pass's CPU), so a worker
 * keeps the migrated database its last file dropped and hands it, emptied, to its next file
 * (`recycle`): emptying it takes a fraction of that, and the embedded pass took 126 s instead of
 * 202 s (docs/benchmarks.md, "CI").
 */
export async function startTestDatabase(
  options: { migrated?: boolean } = {},
): Promise<TestDatabase> {
  refuseInFileWithoutDatabase();
  const migrated = options.migrated ?? true;
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (serverUrl) return startServerDatabase(serverUrl, migrated);

  const reused = migrated ? recycled.splice(0, 1)[0] : undefined;
  const db =
    reused?.db ??
    (await openPGlite({
      loadDataDir: new Blob([
        await readFile(inject(migrated ? 'embeddedTemplateDump' : 'embeddedEmptyDump')),
      ]),
    }));
  const catalog = reused?.catalog ?? (migrated ? await catalogOf(db) : undefined);
  const listener = await listenOnLoopback(db);
  return {
    url: listener.connectionString,
    async drop() {
      await listener.close();
      if (catalog && recycled.length === 0 && (await recycle(db, catalog))) {
        recycled.push({ db, catalog });
      } else {
        await db.close();
      }
    },
  };
}

/**
 * A file tagged `no-database` (vitest.config.ts) is left out of the suite's run on server Postgres
 * (the repository's vitest.config.ts): one that opened a database anyway would lose that run
 * without a word, so it fails.
 */
function refuseInFileWithoutDatabase() {
  const file = expect.getState().testPath;
  if (file && moduleTags(file).includes('no-database')) {
    throw new Error(`${file} is tagged no-database but opens a database: remove the tag`);
  }
}

/**
 * The migrated embedded database a worker's last file dropped, emptied for its next file. State
 * kept across files on purpose, like the schema controller (test/support/app.ts): a worker runs
 * its files one after another in one module graph (vitest.config.ts).
 */
const recycled: { db: PGlite; catalog: string }[] = [];

/**
 * Everything of the database's shape a test could have changed: its relations, columns,
 * constraints, functions, triggers, policies, roles, extensions and settings. A database whose
 * shape is not the template's any more (a test created a table, pg-boss its schema) is not reused.
 */
async function catalogOf(db: PGlite): Promise<string> {
  const { rows } = await db.query<{ catalog: string }>(`
    with user_namespaces as (
      select oid, nspname from pg_namespace
      where nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
        and not starts_with(nspname, 'pg_temp_') and not starts_with(nspname, 'pg_toast_temp_')
    )
    select md5(string_agg(entry, e'\n' order by entry)) as catalog from (
      select 'namespace ' || nspname from user_namespaces
      union all
      select 'relation ' || n.nspname || '.' || c.relname || ' ' || c.relkind::text || ' '
        || coalesce(c.relacl::text, '') || ' ' || c.relrowsecurity
      from pg_class c join user_namespaces n on n.oid = c.relnamespace
      union all
      select 'column ' || a.attrelid::regclass || '.' || a.attname || ' ' || a.atttypid
        || ' ' || a.attnotnull || ' ' || coalesce(pg_get_expr(d.adbin, d.adrelid), '')
      from pg_attribute a
      join pg_class c on c.oid = a.attrelid
      join user_namespaces n on n.oid = c.relnamespace
      left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
      where a.attnum > 0 and not a.attisdropped
      union all
      select 'constraint ' || conrelid::regclass || ' ' || pg_get_constraintdef(c.oid)
      from pg_constraint c join user_namespaces n on n.oid = c.connamespace
      union all
      select 'function ' || p.oid::regprocedure || ' ' || md5(p.prosrc)
      from pg_proc p join user_namespaces n on n.oid = p.pronamespace
      union all
      select 'trigger ' || tgrelid::regclass || ' ' || tgname || ' ' || tgenabled::text
      from pg_trigger where not tgisinternal
      union all
      select 'policy ' || polrelid::regclass || ' ' || polname from pg_policy
      union all
      select 'role ' || rolname || ' ' || rolsuper || ' ' || rolbypassrls || ' ' || rolcanlogin
      from pg_roles
      union all
      select 'extension ' || extname || ' ' || extversion from pg_extension
      union all
      select 'setting ' || setdatabase || ' ' || setrole || ' ' || array_to_string(setconfig, ',')
      from pg_db_role_setting
    ) entries(entry)
  `);
  return rows[0]!.catalog;
}

/**
 * Empties a dropped database for the next file, as it was when migrated: every table's rows but
 * the migrator's ledger, the job queue's schema dropped, every sequence back to its start, the
 * session's settings, prepared statements, listeners and locks discarded (PGlite is one session:
 * they would outlive the file's connections). The triggers that keep the audit trail unwritable refuse TRUNCATE, so the
 * emptying runs as a replica, for which ordinary triggers do not fire. Returns false (and the
 * database is closed instead) when its shape is not the template's.
 */
async function recycle(db: PGlite, catalog: string): Promise<boolean> {
  if (db.isInTransaction()) await db.exec('rollback');
  await db.exec('discard all'); // alone: it cannot run in the implicit transaction of a batch
  // The job queue's schema is not the migrations': pg-boss creates it when it first starts.
  await db.exec(`drop schema if exists ${QUEUE_SCHEMA} cascade`);
  if ((await catalogOf(db)) !== catalog) return false;
  const { rows } = await db.query<{ tables: string | null; sequences: string | null }>(`
    select
      (select string_agg(format('%I.%I', schemaname, tablename), ', ') from pg_tables
        where schemaname not in ('pg_catalog', 'information_schema')
          and tablename <> 'schema_migrations') as tables,
      (select string_agg(format('select setval(%L, %s, false);',
                                format('%I.%I', schemaname, sequencename), start_value), ' ')
        from pg_sequences) as sequences
  `);
  const { tables, sequences } = rows[0]!;
  await db.exec(`
    set session_replication_role = replica;
    ${tables ? `truncate ${tables};` : ''}
    ${sequences ?? ''}
  `);
  await db.exec('discard all');
  return true;
}

async function startServerDatabase(serverUrl: string, migrated: boolean): Promise<TestDatabase> {
  const name = `cairn_test_${randomBytes(6).toString('hex')}`;
  await createServerDatabase(
    serverUrl,
    name,
    migrated ? inject('serverTemplateDatabase') : undefined,
  );
  return {
    url: withDatabase(serverUrl, name),
    async drop() {
      if (!process.env.KEEP_TEST_DB) await dropServerDatabase(serverUrl, name);
    },
  };
}
