import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, expect } from 'vitest';
import { defaultJobHandlers } from '../../src/modules/jobs/handlers.js';
import { startJobs, type JobsRuntime } from '../../src/modules/jobs/runtime.js';
import type { TestContext } from '../support/app.js';
import { createProject, signIn, type Session } from '../support/factories.js';

/**
 * What the Linear and Attio source tests (linear/sources.test.ts, attio/sources.test.ts) check
 * alike about a workspace binding (sources/workspace-source.ts): the jobs runtime their runs need,
 * no credential shown or stored in clear, one schedule, one source per project and workspace,
 * completeness before a sync, and the schedule gone with the source.
 */

export type SyncJob = 'linear_sync' | 'attio_sync';

/** A jobs runtime (no scheduler) for the file's `?wait=true` runs, stopped after the file. */
export function useJobsRuntime(ctx: TestContext): void {
  let jobs: JobsRuntime | undefined;
  beforeAll(async () => {
    jobs = await startJobs({
      config: ctx.config,
      database: ctx.database,
      logger: pino({ level: 'silent' }),
      handlers: defaultJobHandlers(ctx.config),
      queue: { pollingIntervalSeconds: 0.5 },
      signals: ctx.app.jobs.signals,
      scheduler: false,
    });
  });
  afterAll(async () => {
    await jobs?.stop();
  });
}

export const bind = (s: Session, body: Record<string, unknown>) =>
  s.request('POST', '/sources', body);

/** A refused credential is a 502 saying so plainly (`message` is how it starts). */
export async function expectRefused(
  session: Session,
  body: Record<string, unknown>,
  message: RegExp,
): Promise<void> {
  const res = await bind(session, body);
  expect(res.statusCode).toBe(502);
  expect(res.json()).toMatchObject({ error: 'upstream_error' });
  expect(res.json().message).toMatch(message);
}

/** A base URL the outbound guard refuses is a 400 naming `base_url`. */
export async function expectHostRefused(
  session: Session,
  body: Record<string, unknown>,
): Promise<void> {
  const res = await bind(session, body);
  expect(res.statusCode).toBe(400);
  expect(res.json().details.fields[0].field).toBe('base_url');
}

/** How many schedules of the job the session's project has. */
export async function schedulesOf(session: Session, jobType: SyncJob): Promise<number> {
  const schedules = (await session.request('GET', '/jobs/scheduler')).json().jobs as {
    job_type: string;
  }[];
  return schedules.filter((j) => j.job_type === jobType).length;
}

/** Neither the credential nor the webhook secret is shown, the credential is stored encrypted. */
export async function expectSecretsKept(
  ctx: TestContext,
  listedBody: string,
  sourceId: string,
  secrets: { credential: string; webhookSecret: string },
): Promise<void> {
  expect(listedBody).not.toContain(secrets.credential);
  expect(listedBody).not.toContain(secrets.webhookSecret);
  const stored = await sql<{ api_token_enc: string }>`
    select api_token_enc from project_sources where id = ${sourceId}::uuid`.execute(
    ctx.database.db,
  );
  expect(stored.rows[0]!.api_token_enc).not.toContain(secrets.credential);
}

/**
 * A second workspace in the same project is a `conflict`; the bound workspace in another project
 * is `source_already_bound`, and that project does not find the source, by id either.
 */
export async function expectOneSourceEach(
  ctx: TestContext,
  session: Session,
  sourceId: string,
  bodies: { otherWorkspace: Record<string, unknown>; sameWorkspace: Record<string, unknown> },
): Promise<void> {
  const again = await bind(session, bodies.otherWorkspace);
  expect(again.statusCode).toBe(409);
  expect(again.json().error).toBe('conflict');

  const elsewhere = await signIn(ctx.app, ctx.database);
  await createProject(elsewhere);
  const taken = await bind(elsewhere, bodies.sameWorkspace);
  expect(taken.statusCode).toBe(409);
  expect(taken.json().error).toBe('source_already_bound');
  expect((await elsewhere.request('POST', `/sources/${sourceId}/test`)).statusCode).toBe(404);
  expect((await elsewhere.request('GET', `/sources/${sourceId}/completeness`)).statusCode).toBe(
    404,
  );
}

export async function expectNothingReported(
  session: Session,
  sourceId: string,
  sourceKind: 'linear_workspace' | 'attio_workspace',
): Promise<void> {
  const res = await session.request('GET', `/sources/${sourceId}/completeness`);
  expect(res.statusCode, res.body).toBe(200);
  expect(res.json()).toMatchObject({ source_kind: sourceKind, last_sync_at: null });
  expect(res.json().kinds[0]).toMatchObject({ reported: null, stored: 0, percentage: null });
}

export async function expectUnbindRemovesSchedule(
  session: Session,
  sourceId: string,
  jobType: SyncJob,
): Promise<void> {
  expect((await session.request('DELETE', `/sources/${sourceId}`)).statusCode).toBe(200);
  expect(await schedulesOf(session, jobType)).toBe(0);
}
