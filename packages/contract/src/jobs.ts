import { Type, type Static } from 'typebox';
import { CursorSchema, NullableTimestamp, Ok, TimestampSchema, UuidSchema } from './common.js';

// Request and response schemas of the jobs module.

export const JOB_TYPES = [
  'chatwoot_sync',
  'embeddings_run',
  'outbound_process',
  'signals_run',
  'linear_sync',
  'attio_sync',
] as const;
export const JobTypeSchema = Type.Union([
  Type.Literal('chatwoot_sync'),
  Type.Literal('embeddings_run'),
  Type.Literal('outbound_process'),
  Type.Literal('signals_run'),
  Type.Literal('linear_sync'),
  Type.Literal('attio_sync'),
]);
export type JobType = (typeof JOB_TYPES)[number];

export const RUN_STATUSES = ['queued', 'running', 'ok', 'failed'] as const;
export const RunStatusSchema = Type.Union([
  Type.Literal('queued'),
  Type.Literal('running'),
  Type.Literal('ok'),
  Type.Literal('failed'),
]);
export type RunStatus = (typeof RUN_STATUSES)[number];

const Counts = Type.Record(Type.String(), Type.Unknown());

export const JobRunSchema = Type.Object({
  id: UuidSchema,
  job_name: JobTypeSchema,
  status: RunStatusSchema,
  trigger: Type.Union([Type.Literal('manual'), Type.Literal('schedule'), Type.Literal('system')]),
  phase: Type.Union([Type.String(), Type.Null()]),
  processed: Type.Integer(),
  total: Type.Union([Type.Integer(), Type.Null()]),
  counts: Counts,
  error: Type.Union([Type.String(), Type.Null()]),
  meta: Counts,
  attempt: Type.Integer({ description: 'deliveries so far; above 1 after a crash or hand-back' }),
  worker_id: Type.Union([Type.String(), Type.Null()]),
  heartbeat_at: NullableTimestamp,
  started_at: NullableTimestamp,
  finished_at: NullableTimestamp,
  created_at: TimestampSchema,
  updated_at: TimestampSchema,
});
export type JobRun = Static<typeof JobRunSchema>;

/**
 * GET /jobs/events (Server-Sent Events): the stream's whole schema. `status` when a run is first
 * seen or its status changed, `progress` otherwise; every event's data is the run as
 * `GET /jobs/runs/:id` returns it. Other lines are comments (heartbeats).
 */
export type JobEventName = 'status' | 'progress';
export const JobEventDataSchema = JobRunSchema;
export type JobEventData = JobRun;

export const EnqueueJobQuerySchema = Type.Object(
  {
    wait: Type.Optional(
      Type.Boolean({ default: false, description: 'answer when the run has finished' }),
    ),
    timeout_seconds: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 900,
        default: 300,
        description: 'with wait=true: how long to wait before answering 202 with the run as it is',
      }),
    ),
  },
  { additionalProperties: false },
);
export type EnqueueJobQuery = Static<typeof EnqueueJobQuerySchema>;

export const EnqueueJobResponseSchema = Ok({
  run: JobRunSchema,
  created: Type.Boolean({
    description: 'false when a run of this job was already queued or running and is returned',
  }),
});

export const JobRunsQuerySchema = Type.Object(
  {
    job: Type.Optional(JobTypeSchema),
    status: Type.Optional(RunStatusSchema),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(CursorSchema),
  },
  { additionalProperties: false },
);
export type JobRunsQuery = Static<typeof JobRunsQuerySchema>;

export const JobRunsResponseSchema = Ok({
  runs: Type.Array(JobRunSchema),
  next_cursor: Type.Union([Type.String(), Type.Null()]),
});
export const JobRunResponseSchema = Ok({ run: JobRunSchema });

export const ScheduledJobSchema = Type.Object({
  id: UuidSchema,
  job_type: JobTypeSchema,
  cadence_seconds: Type.Integer(),
  next_run_at: TimestampSchema,
  enabled: Type.Boolean(),
  last_status: Type.Union([
    Type.Literal('queued'),
    Type.Literal('running'),
    Type.Literal('ok'),
    Type.Literal('failed'),
    Type.Literal('skipped'),
    Type.Null(),
  ]),
  last_error: Type.Union([Type.String(), Type.Null()]),
  last_run_at: NullableTimestamp,
  consecutive_failures: Type.Integer(),
  created_at: TimestampSchema,
  updated_at: TimestampSchema,
});
export type ScheduledJob = Static<typeof ScheduledJobSchema>;

export const SchedulerResponseSchema = Ok({ jobs: Type.Array(ScheduledJobSchema) });
export const ScheduledJobResponseSchema = Ok({ job: ScheduledJobSchema });

/** One week: a longer cadence is a disabled job in practice. */
export const MAX_CADENCE_SECONDS = 604_800;

export const PatchScheduledJobBodySchema = Type.Object(
  {
    cadence_seconds: Type.Optional(Type.Integer({ minimum: 10, maximum: MAX_CADENCE_SECONDS })),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type PatchScheduledJobBody = Static<typeof PatchScheduledJobBodySchema>;

export const WorkerRunSchema = Type.Object({
  id: UuidSchema,
  worker_id: Type.String(),
  trigger: Type.Union([Type.Literal('timer'), Type.Literal('manual')]),
  due: Type.Array(Type.Object({ scheduled_job_id: UuidSchema, job_type: JobTypeSchema })),
  enqueued: Type.Array(Type.Object({ job_type: JobTypeSchema, run_id: UuidSchema })),
  skipped: Type.Array(
    Type.Object({
      job_type: JobTypeSchema,
      run_id: Type.Union([UuidSchema, Type.Null()], {
        description: 'the active run it waits for; null if the queue refused it',
      }),
      reason: Type.String(),
    }),
  ),
  started_at: TimestampSchema,
  finished_at: NullableTimestamp,
});
export type WorkerRun = Static<typeof WorkerRunSchema>;

export const TickResponseSchema = Ok({ worker_run: WorkerRunSchema });

export const JobStatusResponseSchema = Ok({
  latest_runs: Type.Array(JobRunSchema, { description: 'the newest run of each job type' }),
  scheduler: Type.Array(ScheduledJobSchema),
  rag_counts: Type.Object({
    pending: Type.Integer(),
    processing: Type.Integer(),
    ready: Type.Integer(),
    failed: Type.Integer(),
  }),
  entities: Type.Object({
    contacts: Type.Integer(),
    conversations: Type.Integer(),
    messages: Type.Integer(),
    chunks: Type.Integer(),
  }),
  storage: Type.Object({
    database_bytes: Type.Integer(),
    budget_bytes: Type.Integer(),
    usage_pct: Type.Number(),
    alert_threshold_pct: Type.Number(),
    alert: Type.Boolean({ description: 'usage_pct is at or above the alert threshold' }),
    largest_tables: Type.Array(Type.Object({ table: Type.String(), bytes: Type.Integer() })),
  }),
  watermarks: Type.Array(
    Type.Object({
      source: Type.String(),
      cursor_ts: NullableTimestamp,
      cursor_id: Type.Union([Type.String(), Type.Null()]),
      updated_at: TimestampSchema,
    }),
  ),
});
