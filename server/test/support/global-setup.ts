import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { openPGlite } from '../../src/db/embedded-server.js';
import { migrate } from '../../src/db/migrator.js';
import { TEST_EMBEDDING_DIM } from './constants.js';
import { createServerDatabase, dropServerDatabase, withDatabase } from './server-database.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The migrated embedded data directory (test/foundation/embedded-lock.test.ts copies it). */
    embeddedTemplateDir: string;
    /** Dumps (tar) of the migrated and of the never-migrated embedded database. */
    embeddedTemplateDump: string;
    embeddedEmptyDump: string;
    /** With TEST_DATABASE_URL: the migrated database each test file's database is copied from. */
    serverTemplateDatabase: string;
  }
}

/**
 * Applying the 29 migrations takes seconds per database; copying a migrated database takes a
 * fraction of that. So the run migrates once and each test file copies the result: on the
 * embedded database a dump of the migrated data directory, loaded into memory
 * (test/support/database.ts), on server Postgres a template database
 * (`create database … template …`). The migration tests (test/foundation/migrations.test.ts,
 * persistence.test.ts) still migrate from scratch.
 */
export default async function setup(project: TestProject) {
  buildCompiledServer();
  // The project's own setting first: the repository's run has the suite once with it and once
  // with it empty (vitest.config.ts at the root); the workers get the same.
  // (`env` is undefined in a config that sets none, whatever its type says.)
  const serverUrl = project.config.env?.TEST_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (serverUrl) {
    project.provide('embeddedTemplateDir', '');
    project.provide('embeddedTemplateDump', '');
    project.provide('embeddedEmptyDump', '');
    const template = await createServerTemplate(serverUrl);
    project.provide('serverTemplateDatabase', template);
    return () => dropServerDatabase(serverUrl, template);
  }
  project.provide('serverTemplateDatabase', '');
  const root = await mkdtemp(path.join(os.tmpdir(), 'cairn-template-'));
  const emptyDir = path.join(root, 'empty');
  const migratedDir = path.join(root, 'migrated');
  await Promise.all(
    (
      [
        [emptyDir, false],
        [migratedDir, true],
      ] as const
    ).map(async ([dir, migrated]) => {
      const embedded = await startEmbeddedPostgres({ dataDir: dir });
      if (migrated) {
        const pool = new pg.Pool({ connectionString: embedded.connectionString, max: 1 });
        await migrate({ pool, embeddingDim: TEST_EMBEDDING_DIM, appRole: 'cairn_app' });
        await pool.end();
      }
      await embedded.stop();
      const closed = await openPGlite({ dataDir: dir });
      await writeFile(
        `${dir}.tar`,
        Buffer.from(await (await closed.dumpDataDir('none')).arrayBuffer()),
      );
      await closed.close();
    }),
  );
  project.provide('embeddedTemplateDir', migratedDir);
  project.provide('embeddedTemplateDump', `${migratedDir}.tar`);
  project.provide('embeddedEmptyDump', `${emptyDir}.tar`);
  return () => rm(root, { recursive: true, force: true });
}

/**
 * A migrated database named for this run (several runs may share one server), dropped when the
 * run ends. Nothing stays connected to it: Postgres copies a template only while it is unused.
 */
async function createServerTemplate(serverUrl: string): Promise<string> {
  const name = `cairn_template_${randomBytes(6).toString('hex')}`;
  await createServerDatabase(serverUrl, name);
  const pool = new pg.Pool({ connectionString: withDatabase(serverUrl, name), max: 1 });
  await migrate({ pool, embeddingDim: TEST_EMBEDDING_DIM, appRole: 'cairn_app' });
  await pool.end();
  return name;
}

/**
 * dist/ for the tests that start the server as a process (support/constants.ts `SERVER_MAIN`),
 * built here, before any worker starts, so that no test loads files another is rewriting.
 */
function buildCompiledServer() {
  const script = path.resolve(import.meta.dirname, '../../../scripts/build-server.mjs');
  const build = spawnSync(process.execPath, [script], { encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`scripts/build-server.mjs failed:\n${build.stderr}`);
}
