import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { migrate } from '../../src/db/migrator.js';
import { TEST_EMBEDDING_DIM } from './constants.js';

declare module 'vitest' {
  export interface ProvidedContext {
    embeddedTemplateDir: string;
    embeddedEmptyTemplateDir: string;
  }
}

/**
 * Initialising PGlite takes seconds; copying an initialised data directory takes milliseconds.
 * So the run builds two templates once (empty, and migrated) and each test file copies one.
 */
export default async function setup(project: TestProject) {
  if (process.env.TEST_DATABASE_URL) {
    project.provide('embeddedTemplateDir', '');
    project.provide('embeddedEmptyTemplateDir', '');
    return;
  }
  const root = await mkdtemp(path.join(os.tmpdir(), 'cairn-template-'));
  const emptyDir = path.join(root, 'empty');
  const migratedDir = path.join(root, 'migrated');
  for (const [dir, migrated] of [
    [emptyDir, false],
    [migratedDir, true],
  ] as const) {
    const embedded = await startEmbeddedPostgres({ dataDir: dir });
    if (migrated) {
      const pool = new pg.Pool({ connectionString: embedded.connectionString, max: 1 });
      await migrate({ pool, embeddingDim: TEST_EMBEDDING_DIM, appRole: 'cairn_app' });
      await pool.end();
    }
    await embedded.stop();
  }
  project.provide('embeddedTemplateDir', migratedDir);
  project.provide('embeddedEmptyTemplateDir', emptyDir);
}
