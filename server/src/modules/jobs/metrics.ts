import type { Kysely } from 'kysely';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DB } from '../../db/schema.js';
import { queueDepth } from './queue.js';

export interface JobMetrics {
  /** One finished attempt of a run in this process, by job type and outcome. */
  observeRun(jobType: string, status: string, seconds: number): void;
}

/**
 * Run counters and durations of the runs this process executed (Prometheus sums them across
 * processes). Idempotent per registry, since the jobs plugin is registered at / and at /v1 and
 * tests build several apps in one process.
 */
export function jobMetrics(registry: Registry = new Registry()): JobMetrics {
  const runs =
    (registry.getSingleMetric('cairn_job_runs_total') as Counter<'job' | 'status'> | undefined) ??
    new Counter({
      name: 'cairn_job_runs_total',
      help: 'Job runs finished by this process, by job type and status',
      labelNames: ['job', 'status'] as const,
      registers: [registry],
    });
  const duration =
    (registry.getSingleMetric('cairn_job_run_duration_seconds') as
      Histogram<'job' | 'status'> | undefined) ??
    new Histogram({
      name: 'cairn_job_run_duration_seconds',
      help: 'Duration of job runs finished by this process, by job type and status',
      labelNames: ['job', 'status'] as const,
      // Outbound passes take milliseconds, first syncs take hours.
      buckets: [0.05, 0.25, 1, 5, 15, 60, 300, 900, 3600, 14400],
      registers: [registry],
    });
  return {
    observeRun(jobType, status, seconds) {
      runs.inc({ job: jobType, status });
      duration.observe({ job: jobType, status }, seconds);
    },
  };
}

/** Jobs waiting on each queue, read from the database at scrape time (so it is cluster-wide). */
export function registerQueueDepthGauge(registry: Registry, db: Kysely<DB>): void {
  if (registry.getSingleMetric('cairn_job_queue_depth')) return;
  new Gauge({
    name: 'cairn_job_queue_depth',
    help: 'Jobs waiting to be picked up (created or awaiting retry), by job type',
    labelNames: ['job'] as const,
    registers: [registry],
    async collect() {
      try {
        const depth = await queueDepth(db);
        for (const [job, waiting] of Object.entries(depth)) this.set({ job }, waiting);
      } catch {
        // A scrape must not fail because the database blinked; the series just keeps its value.
      }
    },
  });
}
