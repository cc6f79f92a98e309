import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ensureWebBuild, prepareDataTemplate } from './stack';

/**
 * Once for the run, before any file starts a stack (files run side by side): the compiled server
 * and the web UI are built, and the data directory every stack starts from is migrated.
 */
export default async function setup() {
  const script = path.resolve(import.meta.dirname, '../../scripts/build-server.mjs');
  const build = spawnSync(process.execPath, [script], { stdio: 'inherit' });
  if (build.status !== 0) throw new Error('scripts/build-server.mjs failed');
  ensureWebBuild();
  return prepareDataTemplate();
}
