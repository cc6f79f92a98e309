import type { FastifyBaseLogger } from 'fastify';
import type { Database, Scope } from '../../db/database.js';
import { enqueueSystemRun } from './enqueue-run.js';
import type { JobQueue } from './queue.js';
import { waitForRun } from './runs.js';

/**
 * Bursts of writes (a webhook per message of a busy conversation) within this window share one
 * request; short, because the point is a fresh message found by meaning within a second or two.
 */
const DEBOUNCE_MS = 100;
// Waiting on a running embeddings run before asking for the next one: never longer than a run may take.
const FOLLOW_UP_WAIT_MS = 3 * 3600 * 1000;

export interface EmbeddingsWake {
  /** New or changed chunks of the project have committed: get them embedded soon. */
  chunksWritten(scope: Scope): void;
  /** Stops pending requests (shutdown); the scheduled embeddings run catches up later. */
  close(): void;
}

interface ProjectState {
  timer?: NodeJS.Timeout;
  draining: boolean;
  again: boolean;
}

/**
 * Turns "chunks were written" into one embeddings run per project at a time. A request starts
 * after a short debounce; if the project's run is still `queued`, it will claim the new chunks, so
 * nothing more is needed; if it is already `running`, it may have made its last claim before the
 * chunks committed, so one follow-up run is requested when it ends (requests meanwhile fold into
 * that one). Held by the app and by each worker runtime, not module state. Best effort by design:
 * a process that stops loses only its pending requests, and the scheduled embeddings run (every
 * JOB_CADENCE_EMBEDDINGS_RUN_SECONDS) embeds whatever is left.
 */
export function createEmbeddingsWake(options: {
  database: Database;
  queue: () => Promise<JobQueue>;
  logger: FastifyBaseLogger;
}): EmbeddingsWake {
  const { database, logger } = options;
  const projects = new Map<string, ProjectState>();
  const stopping = new AbortController();

  const drain = async (scope: Scope, state: ProjectState) => {
    state.draining = true;
    try {
      do {
        state.again = false;
        const queue = await options.queue();
        const { run } = await enqueueSystemRun({
          database,
          queue,
          scope,
          jobType: 'embeddings_run',
          meta: { reason: 'new chunks' },
        });
        if (run.status === 'running') {
          await waitForRun(database, scope, run.id, {
            timeoutMs: FOLLOW_UP_WAIT_MS,
            signal: stopping.signal,
            signals: queue.signals,
          });
          state.again = true;
        }
      } while (state.again && !stopping.signal.aborted);
    } catch (error) {
      logger.warn(
        { err: error, projectId: scope.projectId },
        'could not request an embeddings run for new chunks; the schedule catches up',
      );
    } finally {
      state.draining = false;
      if (!state.timer) projects.delete(scope.projectId);
    }
  };

  return {
    chunksWritten(scope) {
      if (stopping.signal.aborted) return;
      let state = projects.get(scope.projectId);
      if (!state) {
        state = { draining: false, again: false };
        projects.set(scope.projectId, state);
      }
      if (state.draining) {
        state.again = true;
        return;
      }
      if (state.timer) return;
      const current = state;
      current.timer = setTimeout(() => {
        current.timer = undefined;
        void drain(scope, current);
      }, DEBOUNCE_MS);
      current.timer.unref();
    },
    close() {
      stopping.abort();
      for (const state of projects.values()) clearTimeout(state.timer);
      projects.clear();
    },
  };
}
