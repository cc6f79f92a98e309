import { startAttioSim, type AttioSim } from '@cairn/attio-sim';
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
import { attioChunks, differences, storedState, truthState, type Json } from './harness.js';

/**
 * An Attio workspace bound through the API (issue 18, items 2 and 8): POST /sources, the
 * connection test, the scheduled `attio_sync` job run by hand, and completeness per kind,
 * against the simulator over real HTTP.
 */

// Retries back off quickly so a failing run fails within the test's patience.
const ctx = useTestApp({
  ATTIO_MAX_RETRIES: '1',
  ATTIO_TIMEOUT_MS: '2000',
  ATTIO_RATE_LIMIT_WAIT_MAX_MS: '50',
});

const SECRET = 'att-wh-secret-cairn-8Jq2Wz5Lp0';

useJobsRuntime(ctx);

describe('Attio sources', { timeout: 90_000 }, () => {
  let sim: AttioSim;
  let other: AttioSim;
  let session: Session;
  let sourceId: string;
  let scope: Awaited<ReturnType<typeof createProject>>;

  beforeAll(async () => {
    sim = await startAttioSim({ size: 'tiny', seed: 'attio-sources' });
    other = await startAttioSim({ size: 'tiny', seed: 'attio-sources-other' });
    session = await signIn(ctx.app, ctx.database);
    scope = await createProject(session);
  });
  afterAll(async () => {
    await sim?.stop();
    await other?.stop();
  });

  it('refuses a body that is not an Attio binding, naming the field', async () => {
    const missing = await bind(session, { source_kind: 'attio_workspace', base_url: sim.url });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().details.fields[0].field).toBe('api_token');
    const foreign = await bind(session, {
      source_kind: 'attio_workspace',
      base_url: sim.url,
      api_token: sim.token,
      team_ids: ['x'],
    });
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json().details.fields[0].field).toBe('team_ids');
    const badIds = await bind(session, {
      source_kind: 'attio_workspace',
      base_url: sim.url,
      api_token: sim.token,
      company_record_ids: ['not-a-uuid'],
    });
    expect(badIds.statusCode).toBe(400);
    expect(JSON.stringify(badIds.json())).toContain('company_record_ids');
  });

  it('says plainly when the token is wrong or revoked, and stores nothing', async () => {
    await expectRefused(
      session,
      {
        source_kind: 'attio_workspace',
        base_url: sim.url,
        api_token: 'wrong-token',
      },
      /^Attio rejected the access token/,
    );

    other.control.revokeToken(true);
    const revoked = await bind(session, {
      source_kind: 'attio_workspace',
      base_url: other.url,
      api_token: other.token,
    });
    other.control.revokeToken(false);
    expect(revoked.statusCode).toBe(502);
    expect(revoked.json().message).toMatch(/not active/);
    expect((await session.request('GET', '/sources')).json().sources).toEqual([]);
  });

  it('refuses a host the guard refuses', async () => {
    await expectHostRefused(session, {
      source_kind: 'attio_workspace',
      base_url: 'http://169.254.169.254',
      api_token: sim.token,
    });
  });

  it('binds the workspace: workspace id as external id, webhook path, no secret shown', async () => {
    const res = await bind(session, {
      source_kind: 'attio_workspace',
      base_url: sim.url,
      api_token: sim.token,
      webhook_secret: SECRET,
    });
    expect(res.statusCode, res.body).toBe(201);
    sourceId = res.json().source.id;
    const listed = await session.request('GET', '/sources');
    expect(listed.json().sources).toEqual([
      expect.objectContaining({
        id: sourceId,
        source_kind: 'attio_workspace',
        external_id: sim.workspaceId,
        account_id: null,
        company_record_ids: [],
        api_token_set: true,
        webhook_secret_set: true,
        webhook_path: `/webhooks/attio/${sourceId}`,
      }),
    ]);
    await expectSecretsKept(ctx, listed.body, sourceId, {
      credential: sim.token,
      webhookSecret: SECRET,
    });
    // Its own schedule, made with it.
    expect(await schedulesOf(session, 'attio_sync')).toBe(1);
  });

  it('one Attio source per project, one project per Attio workspace', async () => {
    await expectOneSourceEach(ctx, session, sourceId, {
      otherWorkspace: {
        source_kind: 'attio_workspace',
        base_url: other.url,
        api_token: other.token,
      },
      sameWorkspace: {
        source_kind: 'attio_workspace',
        base_url: sim.url,
        api_token: sim.token,
      },
    });
  });

  it('POST /sources/:id/test checks the token with GET /v2/self and says when it is revoked', async () => {
    const res = await session.request('POST', `/sources/${sourceId}/test`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      reachable: true,
      source_kind: 'attio_workspace',
      workspace_id: sim.workspaceId,
      workspace_slug: sim.workspaceSlug,
      warnings: [],
    });
    expect(res.json().scopes.length).toBeGreaterThan(0);
    sim.control.revokeToken(true);
    const revoked = await session.request('POST', `/sources/${sourceId}/test`);
    sim.control.revokeToken(false);
    expect(revoked.statusCode).toBe(502);
    expect(revoked.json().message).toMatch(/not active/);
  });

  it('completeness before any sync: nothing reported yet', async () => {
    await expectNothingReported(session, sourceId, 'attio_workspace');
  });

  it('POST /jobs/attio/sync?wait=true stores the workspace; counts in job_runs; status and completeness show it', async () => {
    const res = await session.request('POST', '/jobs/attio/sync?wait=true&timeout_seconds=60');
    expect(res.statusCode, res.body).toBe(200);
    const run = res.json().run;
    expect(run).toMatchObject({ job_name: 'attio_sync', status: 'ok', error: null });
    expect(await differences(ctx.database, scope, sim)).toEqual({});
    expect(run.counts.kinds.notes.inserted).toBe(truthState(sim, 'notes').length);
    expect(run.counts.workspace_id).toBe(sim.workspaceId);
    expect(run.counts.chunks_created).toBeGreaterThan(0);
    expect((await attioChunks(ctx.database, scope)).size).toBeGreaterThan(0);

    const status = (await session.request('GET', '/jobs/status')).json();
    expect(status.latest_runs.map((r: { job_name: string }) => r.job_name)).toContain('attio_sync');

    const completeness = (await session.request('GET', `/sources/${sourceId}/completeness`)).json();
    expect(completeness.percentage).toBe(100);
    expect(completeness.last_sync_at).not.toBeNull();
    const notes = completeness.kinds.find((k: { kind: string }) => k.kind === 'notes');
    const n = truthState(sim, 'notes').length;
    expect(notes).toEqual({ kind: 'notes', reported: n, stored: n, percentage: 100 });

    // A second run with no changes writes nothing.
    const again = (await session.request('POST', '/jobs/attio/sync?wait=true')).json().run;
    expect(again).toMatchObject({ status: 'ok' });
    expect(again.counts.rows_written).toBe(0);
  });

  it('a run that fails records the error in job_runs; the next converges', async () => {
    sim.control.injectFault({ route: 'notes', kind: '500', times: 100 });
    const failed = (await session.request('POST', '/jobs/attio/sync?wait=true')).json().run;
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/Attio .*failed after 2 attempts \(HTTP 500\)/);
    sim.control.clearFaults();
    const ok = (await session.request('POST', '/jobs/attio/sync?wait=true')).json().run;
    expect(ok.status).toBe('ok');
  });

  it('a binding scoped to companies reads only those companies and their people', async () => {
    const scoped = await signIn(ctx.app, ctx.database);
    const scopedScope = await createProject(scoped);
    const companies = [...other.control.groundTruth.records('companies')] as Json[];
    const companyId = companies[0]!.id.record_id as string;
    const res = await bind(scoped, {
      source_kind: 'attio_workspace',
      base_url: other.url,
      api_token: other.token,
      company_record_ids: [companyId],
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().source.company_record_ids).toEqual([companyId]);
    const run = (await scoped.request('POST', '/jobs/attio/sync?wait=true')).json().run;
    expect(run.status, run.error).toBe('ok');
    const stored = (await storedState(ctx.database, scopedScope, 'companies')).map(
      (s) => s.split('|')[0],
    );
    expect(stored).toEqual([companyId]);
    const { rows } = await sql<{ company_id: string | null }>`
      select distinct company_id from att_people where project_id = ${scopedScope.projectId}::uuid`.execute(
      ctx.database.db,
    );
    for (const row of rows) expect(row.company_id).toBe(companyId);
  });

  it('unbinding removes the schedule', async () => {
    await expectUnbindRemovesSchedule(session, sourceId, 'attio_sync');
  });
});
