import type { JobType } from '@cairn/contract';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../../config.js';
import type { Database, Scope } from '../../db/database.js';

export { JOB_TYPES, type JobType, type RunStatus } from '@cairn/contract';

export type RunTrigger = 'manual' | 'schedule' | 'system';

/** What a handler reports while it runs; every field is optional and replaces the last value. */
export interface JobProgress {
  phase?: string;
  processed?: number;
  total?: number | null;
  counts?: Record<string, unknown>;
}

export interface JobContext {
  database: Database;
  config: Config;
  scope: Scope;
  runId: string;
  trigger: RunTrigger;
  /** Aborted on shutdown past the grace period, or when this attempt was taken over. */
  signal: AbortSignal;
  /** Cheap to call often: written to job_runs at most once a second. */
  onProgress: (progress: JobProgress) => void;
  logger: FastifyBaseLogger;
}

/**
 * A job handler: does one run's work for one project and returns its counts. Throwing fails the
 * run (its message becomes `job_runs.error`); the scheduler backs off. Handlers must be safe to
 * run again after a crash, since a run whose worker died is delivered again.
 */
export type JobHandler = (context: JobContext) => Promise<Record<string, unknown> | void>;

export type JobHandlers = Partial<Record<JobType, JobHandler>>;

/** The message put on the queue; the run row holds everything else. */
export interface QueuedRun {
  runId: string;
  projectId: string;
  accountScopeId: string;
}
