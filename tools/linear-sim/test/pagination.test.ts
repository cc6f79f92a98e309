import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LinearSim } from '../src/index.js';
import { crawl, gql, startTinySim, type Json } from './helpers.js';

let sim: LinearSim;
beforeAll(async () => {
  sim = await startTinySim({
    seed: 'paging',
    size: { studio: 'tiny', issues: 130, comments: 300 },
  });
});
afterAll(async () => {
  await sim.stop();
});

const ids = (nodes: Json[]) => nodes.map((n) => n['id'] as string);

describe('Relay pagination', () => {
  it('pages 50 by default and refuses more than 250 with INVALID_INPUT', async () => {
    const first = await gql(sim, '{ issues { nodes { id } pageInfo { hasNextPage endCursor } } }');
    expect(first.body['data']['issues']['nodes']).toHaveLength(50);
    expect(first.body['data']['issues']['pageInfo']['hasNextPage']).toBe(true);
    const tooMany = await gql(sim, '{ issues(first: 251) { nodes { id } } }');
    expect(tooMany.status).toBe(200);
    expect(tooMany.body['data']).toBeNull();
    expect(tooMany.body['errors'][0]['extensions']).toMatchObject({
      code: 'INVALID_INPUT',
      type: 'invalid input',
    });
    const max = await gql(sim, '{ issues(first: 250) { nodes { id } } }');
    expect(max.body['data']['issues']['nodes'].length).toBe(
      [...sim.control.groundTruth.issues({ includeArchived: false })].length,
    );
  });

  it('walks every live issue exactly once with first/after, ordered by createdAt by default', async () => {
    const truth = [...sim.control.groundTruth.issues({ includeArchived: false })];
    const { pages, nodes } = await crawl(sim, 'issues', 'id createdAt', { first: 20 });
    expect(ids(nodes)).toEqual(ids(truth));
    expect(pages).toBe(Math.ceil(truth.length / 20));
    const created = nodes.map((n) => n['createdAt'] as string);
    expect([...created].sort()).toEqual(created);
  });

  it('orders by updatedAt, and includeArchived brings archived issues with archivedAt set', async () => {
    const { nodes } = await crawl(sim, 'issues', 'id updatedAt archivedAt', {
      first: 100,
      orderBy: 'updatedAt',
      includeArchived: true,
    });
    const updated = nodes.map((n) => n['updatedAt'] as string);
    expect([...updated].sort()).toEqual(updated);
    const all = [...sim.control.groundTruth.issues()];
    expect(nodes).toHaveLength(all.length);
    const archived = nodes.filter((n) => n['archivedAt'] !== null);
    expect(archived.length).toBeGreaterThan(0);
    const { nodes: live } = await crawl(sim, 'issues', 'id archivedAt', { first: 100 });
    expect(live.some((n) => n['archivedAt'] !== null)).toBe(false);
    expect(live.length).toBe(all.length - archived.length);
  });

  it('keeps cursors valid while issues change behind the page', async () => {
    const page = await gql(sim, '{ issues(first: 10) { nodes { id } pageInfo { endCursor } } }');
    const cursor = page.body['data']['issues']['pageInfo']['endCursor'] as string;
    const before = await gql(
      sim,
      'query($a: String) { issues(first: 5, after: $a) { nodes { id } } }',
      { a: cursor },
    );
    sim.control.editIssue(page.body['data']['issues']['nodes'][0]['id'], { title: 'Moved up' });
    const after = await gql(
      sim,
      'query($a: String) { issues(first: 5, after: $a) { nodes { id } } }',
      { a: cursor },
    );
    expect(after.body['data']['issues']['nodes']).toEqual(before.body['data']['issues']['nodes']);
    const bad = await gql(sim, '{ issues(after: "not-a-cursor") { nodes { id } } }');
    expect(bad.body['errors'][0]['extensions']['code']).toBe('INVALID_INPUT');
  });

  it('gives edges with cursors and pageInfo start and end', async () => {
    const result = await gql(
      sim,
      '{ comments(first: 3) { edges { cursor node { id } } nodes { id } pageInfo { startCursor endCursor hasPreviousPage } } }',
    );
    const connection = result.body['data']['comments'];
    expect(connection['edges'].map((e: Json) => e['node']['id'])).toEqual(ids(connection['nodes']));
    expect(connection['pageInfo']['startCursor']).toBe(connection['edges'][0]['cursor']);
    expect(connection['pageInfo']['endCursor']).toBe(connection['edges'][2]['cursor']);
    expect(connection['pageInfo']['hasPreviousPage']).toBe(false);
  });
});

describe('filters', () => {
  const issues = () => [...sim.control.groundTruth.issues({ includeArchived: false })] as Json[];

  it('filters by updatedAt gt and gte, the incremental sync', async () => {
    const sorted = issues().sort((a, b) =>
      String(a['updatedAt']).localeCompare(String(b['updatedAt'])),
    );
    const watermark = sorted[Math.floor(sorted.length / 2)]!['updatedAt'] as string;
    const gt = await crawl(sim, 'issues', 'id updatedAt', {
      orderBy: 'updatedAt',
      filter: { updatedAt: { gt: watermark } },
    });
    expect(ids(gt.nodes)).toEqual(
      ids(sorted.filter((i) => (i['updatedAt'] as string) > watermark)),
    );
    const gte = await crawl(sim, 'issues', 'id', { filter: { updatedAt: { gte: watermark } } });
    expect(gte.nodes.length).toBe(gt.nodes.length + 1);
  });

  it('accepts a relative duration (-P…) as Linear does', async () => {
    const dayAgo = new Date(Date.now() - 86_400_000).toISOString();
    const recent = await crawl(sim, 'issues', 'id', { filter: { updatedAt: { gt: '-P1D' } } });
    expect(ids(recent.nodes)).toEqual(
      ids(issues().filter((i) => (i['updatedAt'] as string) > dayAgo)),
    );
    const all = await crawl(sim, 'issues', 'id', { filter: { updatedAt: { gt: '-P100Y' } } });
    expect(all.nodes).toHaveLength(issues().length);
  });

  it('filters by team id, project id and project null, and combines with and/or', async () => {
    const truth = issues();
    const web = truth.filter((i) => i['team']['key'] === 'WEB');
    const teamId = web[0]!['teamId'] as string;
    const byTeam = await crawl(sim, 'issues', 'id', { filter: { team: { id: { eq: teamId } } } });
    expect(ids(byTeam.nodes)).toEqual(ids(web));

    const projectId = truth.find((i) => i['projectId'])!['projectId'] as string;
    const inProject = truth.filter((i) => i['projectId'] === projectId);
    const byProject = await crawl(sim, 'issues', 'id', {
      filter: { project: { id: { eq: projectId } } },
    });
    expect(ids(byProject.nodes)).toEqual(ids(inProject));
    const noProject = await crawl(sim, 'issues', 'id', { filter: { project: { null: true } } });
    expect(ids(noProject.nodes)).toEqual(ids(truth.filter((i) => i['projectId'] === null)));

    const either = await crawl(sim, 'issues', 'id', {
      filter: { or: [{ team: { id: { eq: teamId } } }, { project: { id: { eq: projectId } } }] },
    });
    expect(ids(either.nodes)).toEqual(
      ids(truth.filter((i) => i['teamId'] === teamId || i['projectId'] === projectId)),
    );
    const both = await crawl(sim, 'issues', 'id', {
      filter: { and: [{ team: { key: { eq: 'BRD' } } }, { project: { id: { eq: projectId } } }] },
    });
    expect(ids(both.nodes)).toEqual(ids(inProject.filter((i) => i['team']['key'] === 'BRD')));
  });

  it('filters comments by issue and updatedAt, and nests them under issues', async () => {
    const issue = issues().find(
      (i) => [...sim.control.groundTruth.comments({ issueId: i['id'] as string })].length > 1,
    )!;
    const truth = [
      ...sim.control.groundTruth.comments({
        issueId: issue['id'] as string,
        includeArchived: false,
      }),
    ];
    const filtered = await crawl(sim, 'comments', 'id', {
      filter: { issue: { id: { eq: issue['id'] } } },
    });
    expect(ids(filtered.nodes)).toEqual(ids(truth));
    const nested = await gql(
      sim,
      'query($id: String!) { issue(id: $id) { comments { nodes { id } } } }',
      { id: issue['id'] },
    );
    expect(ids(nested.body['data']['issue']['comments']['nodes'])).toEqual(ids(truth));
  });

  it('finds an issue by id or by identifier, and says when it does not exist', async () => {
    const issue = issues()[3]!;
    const byIdentifier = await gql(sim, `{ issue(id: "${issue['identifier']}") { id } }`);
    expect(byIdentifier.body['data']['issue']['id']).toBe(issue['id']);
    const missing = await gql(sim, '{ issue(id: "00000000-0000-4000-8000-000000000000") { id } }');
    expect(missing.status).toBe(200);
    expect(missing.body['errors'][0]).toMatchObject({
      message: 'Entity not found: Issue',
      extensions: {
        code: 'INVALID_INPUT',
        userPresentableMessage: 'Could not find referenced Issue.',
      },
    });
  });
});
