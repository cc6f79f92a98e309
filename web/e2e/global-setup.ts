import { ensureServerBuild, ensureWebBuild, prepareDataTemplate } from './stack';

/**
 * Once for the run, before any file starts a stack (files run side by side): the compiled server
 * and the web UI are built, and the data directory every stack starts from is migrated.
 */
export default async function setup() {
  ensureServerBuild();
  ensureWebBuild();
  return prepareDataTemplate();
}
