import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../db/migrations/', import.meta.url));

/** Thrown when a migration that was applied has since been edited: migrations are forward-only. */
export class MigrationChecksumError extends Error {
  constructor(readonly version: string) {
    super(
      `migration ${version} was changed after it was applied (checksum differs); ` +
        'migrations are forward-only: restore the file and add a new migration instead',
    );
    this.name = 'MigrationChecksumError';
  }
}

interface MigrationFile {
  version: string;
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrateOptions {
  pool: pg.Pool;
  embeddingDim: number;
  appRole: string;
  dir?: string;
  log?: (message: string) => void;
}

// One key for every Cairn migrator on a database: two processes starting together take turns.
const MIGRATION_LOCK_KEY = 'cairn.migrate';

/**
 * Applies every pending migration, each in its own transaction, under a transaction-scoped
 * advisory lock, re-checking inside the lock whether another process applied it meanwhile.
 * Transaction-scoped rather than session-scoped because the embedded database is one shared
 * session, where a session lock would be re-entrant and protect nothing.
 */
export async function migrate(options: MigrateOptions): Promise<string[]> {
  const files = await readMigrationFiles(options.dir ?? MIGRATIONS_DIR);
  const client = await options.pool.connect();
  const applied: string[] = [];
  try {
    await withLock(client, async () => {
      await client.query(`create extension if not exists vector`);
      await client.query(`create extension if not exists pgcrypto`);
      await client.query(`create table if not exists schema_migrations (
        version text primary key,
        name text not null,
        checksum text not null,
        applied_at timestamptz not null default now())`);
    });
    for (const file of files) {
      const didApply = await withLock(client, async () => {
        const { rows } = await client.query<{ checksum: string }>(
          'select checksum from schema_migrations where version = $1',
          [file.version],
        );
        if (rows[0]) {
          if (rows[0].checksum !== file.checksum) throw new MigrationChecksumError(file.version);
          return false;
        }
        await client.query(file.sql.replaceAll('${EMBEDDING_DIM}', String(options.embeddingDim)));
        await client.query(
          'insert into schema_migrations (version, name, checksum) values ($1, $2, $3)',
          [file.version, file.name, file.checksum],
        );
        return true;
      });
      if (didApply) {
        applied.push(file.version);
        options.log?.(`applied migration ${file.version}_${file.name}`);
      }
    }
    await withLock(client, () => grantAppRole(client, options.appRole));
  } finally {
    client.release();
  }
  return applied;
}

async function withLock<T>(client: pg.PoolClient, fn: () => Promise<T>): Promise<T> {
  await client.query('begin');
  try {
    await client.query('select pg_advisory_xact_lock(hashtext($1))', [MIGRATION_LOCK_KEY]);
    const result = await fn();
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback');
    throw error;
  }
}

/**
 * The role that requests and jobs run as (SET LOCAL ROLE): it owns no table and has no
 * BYPASSRLS, so row-level security applies to it. Re-granted at every start so a new table is
 * covered; audit_events stays append-only for it.
 */
async function grantAppRole(client: pg.PoolClient, role: string): Promise<void> {
  const ident = `"${role}"`;
  const { rows } = await client.query('select 1 from pg_roles where rolname = $1', [role]);
  if (rows.length === 0) {
    await client.query(`create role ${ident} nologin nosuperuser nobypassrls`);
  }
  await client.query(`grant ${ident} to current_user`).catch(() => undefined);
  await client.query(`grant usage on schema public to ${ident}`);
  await client.query(
    `grant select, insert, update, delete on all tables in schema public to ${ident}`,
  );
  await client.query(`grant usage, select on all sequences in schema public to ${ident}`);
  await client.query(`revoke update, delete, truncate on audit_events from ${ident}`);
  await client.query(`revoke all on schema_migrations from ${ident}`);
}

export async function readMigrationFiles(dir: string): Promise<MigrationFile[]> {
  const names = (await readdir(dir)).filter((n) => /^\d{4}_[\w-]+\.sql$/.test(n)).sort();
  return Promise.all(
    names.map(async (fileName) => {
      const sql = await readFile(path.join(dir, fileName), 'utf8');
      const [version, ...rest] = path.basename(fileName, '.sql').split('_');
      return {
        version: version!,
        name: rest.join('_'),
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    }),
  );
}
