import { startLinearSim, type LinearSim } from '@cairn/linear-sim';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../../support/app.js';
import {
  bind,
  expectHostRefused,
  expectNothingReported,
  expectOneSourceEach,
  expectRefused,
  expectSecretsKept,
  expectUnbindRemovesSchedule,
  schedulesOf,
  useJobsRuntime,
} from '../workspace-sources.js';
import { createProject, signIn, type Session } from '../../support/factories.js';
import { expectConverged, storedState, truthState } from './harness.js';

/**
 * A Linear workspace bound through the API (issue 18, items 2 and 8): POST /sources, the
 * connection test, the scheduled `linear_sync` job run by hand, and completeness per kind,
 * against the simulator over real HTTP.
 */

// Retries back off quickly so a failing run fails within the test's patience.
const ctx = useTestApp({
  LINEAR_MAX_RETRIES: '1',
  LINEAR_TIMEOUT_MS: '2000',
  LINEAR_RATE_LIMIT_WAIT_MAX_MS: '50',
  LINEAR_ID_LISTING_HOURS: '0',
});

const SECRET = 'lin-wh-secret-cairn-4Kd9Qw2Zr7';

type Truth = { id: string; teamId: string; projectId: string | null };

useJobsRuntime(ctx);

describe('Linear sources', { timeout: 90_000 }, () => {
  let sim: LinearSim;
  let other: LinearSim;
  let session: Session;
  let sourceId: string;
  let scope: Awaited<ReturnType<typeof createProject>>;

  beforeAll(async () => {
    sim = await startLinearSim({ size: 'tiny', seed: 'linear-sources' });
    other = await startLinearSim({ size: 'tiny', seed: 'linear-sources-other' });
    session = await signIn(ctx.app, ctx.database);
    scope = await createProject(session);
  });
  afterAll(async () => {
    await sim?.stop();
    await other?.stop();
  });

  it('refuses a body that is not a Linear binding, naming the field', async () => {
    const missing = await bind(session, {
      source_kind: 'linear_workspace',
      base_url: sim.graphqlUrl,
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().details.fields[0].field).toBe('api_key');
    const foreign = await bind(session, {
      source_kind: 'linear_workspace',
      base_url: sim.graphqlUrl,
      api_key: sim.apiKey,
      account_id: 3,
    });
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json().details.fields[0].field).toBe('account_id');
  });

  it('says plainly when the key is wrong, and stores nothing', async () => {
    await expectRefused(
      session,
      {
        source_kind: 'linear_workspace',
        base_url: sim.graphqlUrl,
        api_key: 'lin_api_wrong',
      },
      /^Linear rejected the API key/,
    );
    expect((await session.request('GET', '/sources')).json().sources).toEqual([]);
  });

  it('refuses a host the guard refuses', async () => {
    await expectHostRefused(session, {
      source_kind: 'linear_workspace',
      base_url: 'http://169.254.169.254/graphql',
      api_key: sim.apiKey,
    });
  });

  it('binds the workspace: organization id as external id, webhook path, no secret shown', async () => {
    const res = await bind(session, {
      source_kind: 'linear_workspace',
      base_url: sim.graphqlUrl,
      api_key: sim.apiKey,
      webhook_secret: SECRET,
    });
    expect(res.statusCode, res.body).toBe(201);
    sourceId = res.json().source.id;
    const listed = await session.request('GET', '/sources');
    expect(listed.json().sources).toEqual([
      expect.objectContaining({
        id: sourceId,
        source_kind: 'linear_workspace',
        external_id: sim.organizationId,
        base_url: sim.graphqlUrl,
        account_id: null,
        team_ids: [],
        project_ids: [],
        api_token_set: true,
        webhook_secret_set: true,
        webhook_path: `/webhooks/linear/${sourceId}`,
      }),
    ]);
    await expectSecretsKept(ctx, listed.body, sourceId, {
      credential: sim.apiKey,
      webhookSecret: SECRET,
    });
    // Its own schedule, made with it.
    expect(await schedulesOf(session, 'linear_sync')).toBe(1);
  });

  it('one Linear source per project, one project per Linear workspace', async () => {
    await expectOneSourceEach(ctx, session, sourceId, {
      otherWorkspace: {
        source_kind: 'linear_workspace',
        base_url: other.graphqlUrl,
        api_key: other.apiKey,
      },
      sameWorkspace: {
        source_kind: 'linear_workspace',
        base_url: sim.graphqlUrl,
        api_key: sim.apiKey,
      },
    });
  });

  it('POST /sources/:id/test checks the key with viewer and organization', async () => {
    const res = await session.request('POST', `/sources/${sourceId}/test`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      reachable: true,
      source_kind: 'linear_workspace',
      organization_id: sim.organizationId,
      viewer: { id: expect.any(String), email: expect.any(String) },
      warnings: [],
    });
  });

  it('completeness before any sync: nothing reported yet', async () => {
    await expectNothingReported(session, sourceId, 'linear_workspace');
  });

  it('POST /jobs/linear/sync?wait=true stores the workspace; counts in job_runs; status and completeness show it', async () => {
    const res = await session.request('POST', '/jobs/linear/sync?wait=true&timeout_seconds=60');
    expect(res.statusCode, res.body).toBe(200);
    const run = res.json().run;
    expect(run).toMatchObject({ job_name: 'linear_sync', status: 'ok', error: null });
    expect(await expectConverged(ctx.database, scope, sim)).toEqual({});
    expect(run.counts.kinds.issues.inserted).toBe(truthState(sim, 'issues').length);
    expect(run.counts.organization_id).toBe(sim.organizationId);

    const status = (await session.request('GET', '/jobs/status')).json();
    expect(status.latest_runs.map((r: { job_name: string }) => r.job_name)).toContain(
      'linear_sync',
    );

    const completeness = (await session.request('GET', `/sources/${sourceId}/completeness`)).json();
    expect(completeness.percentage).toBe(100);
    const issues = completeness.kinds.find((k: { kind: string }) => k.kind === 'issues');
    const archived = [...sim.control.groundTruth.issues()].filter(
      (i) => (i as { archivedAt: string | null }).archivedAt,
    ).length;
    expect(issues).toEqual({
      kind: 'issues',
      reported: truthState(sim, 'issues').length,
      stored: truthState(sim, 'issues').length,
      archived,
      percentage: 100,
    });

    // A second run with no changes writes nothing.
    const again = (await session.request('POST', '/jobs/linear/sync?wait=true')).json().run;
    expect(again).toMatchObject({ status: 'ok' });
    expect(again.counts.rows_written).toBe(0);
  });

  it('a run that fails records the error in job_runs and the schedule; the next converges', async () => {
    sim.control.injectFault({ route: 'issues', kind: 'ratelimited_400', times: 100 });
    const failed = (await session.request('POST', '/jobs/linear/sync?wait=true')).json().run;
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(
      /Linear issues failed after 2 attempts \(HTTP 400\): rate limited/,
    );
    sim.control.clearFaults();
    const ok = (await session.request('POST', '/jobs/linear/sync?wait=true')).json().run;
    expect(ok.status).toBe('ok');
  });

  it('a binding scoped to a team reads only that team’s issues and their comments', async () => {
    const scoped = await signIn(ctx.app, ctx.database);
    const scopedScope = await createProject(scoped);
    const teamId = ([...other.control.groundTruth.issues()] as unknown as Truth[])[0]!.teamId;
    const res = await bind(scoped, {
      source_kind: 'linear_workspace',
      base_url: other.graphqlUrl,
      api_key: other.apiKey,
      team_ids: [teamId],
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().source.team_ids).toEqual([teamId]);
    const run = (await scoped.request('POST', '/jobs/linear/sync?wait=true')).json().run;
    expect(run.status, run.error).toBe('ok');
    const inTeam = new Set(
      ([...other.control.groundTruth.issues()] as unknown as Truth[])
        .filter((i) => i.teamId === teamId)
        .map((i) => i.id),
    );
    const stored = (await storedState(ctx.database, scopedScope, 'issues')).map(
      (s) => s.split('|')[0],
    );
    expect(new Set(stored)).toEqual(inTeam);
    expect(inTeam.size).toBeLessThan(truthState(other, 'issues').length);
    const { rows } = await sql<{ issue_id: string }>`
      select distinct issue_id from lin_comments where project_id = ${scopedScope.projectId}::uuid`.execute(
      ctx.database.db,
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(inTeam.has(row.issue_id)).toBe(true);
  });

  it('unbinding removes the schedule', async () => {
    await expectUnbindRemovesSchedule(session, sourceId, 'linear_sync');
  });
});
