// What other modules do when a source's rows changed (a webhook applied, a sync finished), held
// on the app (`app.sourceSyncedHooks`) so that a connector calls them without importing those
// modules: people linking registers its rebuild here (people/plugin.ts).
import type { FastifyBaseLogger } from 'fastify';
import type { Scope } from '../../db/database.js';

export interface SourceChange {
  source_kind: 'chatwoot_account' | 'linear_workspace' | 'attio_workspace';
}

export type SourceSyncedHook = (scope: Scope, change: SourceChange) => Promise<unknown>;

/** Runs every hook in turn; one failing is logged and does not undo what the source applied. */
export async function runSourceSyncedHooks(
  hooks: readonly SourceSyncedHook[],
  scope: Scope,
  change: SourceChange,
  log: FastifyBaseLogger,
): Promise<void> {
  for (const hook of hooks) {
    try {
      await hook(scope, change);
    } catch (error) {
      log.error({ err: error, project_id: scope.projectId, ...change }, 'source hook failed');
    }
  }
}
