// @module-tag api-client
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startJobs, type JobsRuntime } from '../../src/modules/jobs/runtime.js';
import { useTestApp } from '../support/app.js';
import { runCairn } from '../support/cli.js';
import { LOOPBACK } from '../support/constants.js';
import { signInWithProject } from '../support/factories.js';
import { tokenCaller } from '../support/team.js';
import {
  createInvocationsTable,
  fastWorker,
  recordingHandlers,
  slowly,
} from '../jobs/recording-handlers.js';

describe('cairn sync --wait', () => {
  const ctx = useTestApp();
  let worker: JobsRuntime;
  let env: Record<string, string>;
  let configHome: string;

  beforeAll(async () => {
    await createInvocationsTable(ctx.database);
    // A worker whose sync reports progress in six steps (test/jobs/recording-handlers.ts).
    worker = await startJobs({
      config: ctx.config,
      database: ctx.database,
      logger: pino({ level: 'silent' }),
      handlers: recordingHandlers(ctx.database, 'cli-worker', slowly(6, 150)),
      metrics: ctx.app.metrics,
      workerId: 'cli-worker',
      signals: ctx.app.jobs.signals,
      ...fastWorker,
    });
    const base = await ctx.app.listen({ port: 0, host: LOOPBACK });
    const { session, project } = await signInWithProject(ctx.app, ctx.database);
    const token = await tokenCaller(ctx.app, session, {
      permission: 'draft',
      project_ids: [project.projectId],
    });
    env = { CAIRN_URL: base, CAIRN_TOKEN: token.secret };
    configHome = await mkdtemp(path.join(os.tmpdir(), 'cairn-sync-'));
  });
  afterAll(async () => {
    await worker?.stop();
  });

  it('follows the run on the event stream to its end', async () => {
    const out = await runCairn(['sync', '--wait', '--json'], { configHome, env });
    expect(out.code, out.stderr).toBe(0);
    const final = JSON.parse(out.stdout) as { status: string; processed: number; total: number };
    expect(final).toMatchObject({ status: 'ok', processed: 6, total: 6 });
    const progress = await runCairn(['sync', '--wait'], { configHome, env });
    expect(progress.code).toBe(0);
    // Piped, progress is a line per update the stream carried, the last one full.
    expect(progress.stderr.trim().split('\n').at(-1)).toMatch(/^\[#{30}\] ok .*6\/6$/);
    expect(progress.stdout).toContain('Sync ok');
  });
});
