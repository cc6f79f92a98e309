import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LinearSim } from '../src/index.js';
import { crawl, gql, startTinySim, type Json } from './helpers.js';

let sim: LinearSim;
beforeAll(async () => {
  sim = await startTinySim({ seed: 'control' });
});
afterAll(async () => {
  await sim.stop();
});

const maxUpdatedAt = async () => {
  const { nodes } = await crawl(sim, 'issues', 'updatedAt', { first: 250, includeArchived: true });
  return nodes
    .map((n) => n['updatedAt'] as string)
    .sort()
    .at(-1)!;
};

describe('control API', () => {
  it('adds an issue that the next incremental query sees, numbered after the team’s last', async () => {
    const watermark = await maxUpdatedAt();
    const project = [...sim.control.groundTruth.projects()][0]!;
    const added = sim.control.addIssue({
      title: 'Макеты упаковки: третий круг',
      description: 'Клиент прислал **новые** референсы.',
      projectId: project['id'] as string,
      assigneeId: [...sim.control.groundTruth.users()][1]!['id'] as string,
      labels: ['Макеты'],
      priority: 2,
    });
    expect((added['updatedAt'] as string) > watermark).toBe(true);
    const { nodes } = await crawl(
      sim,
      'issues',
      'id identifier title description labels { nodes { name } } project { id }',
      {
        orderBy: 'updatedAt',
        filter: { updatedAt: { gt: watermark } },
      },
    );
    expect(nodes).toEqual([
      {
        id: added['id'],
        identifier: added['identifier'],
        title: 'Макеты упаковки: третий круг',
        description: 'Клиент прислал **новые** референсы.',
        labels: { nodes: [{ name: 'Макеты' }] },
        project: { id: project['id'] },
      },
    ]);
    const sameTeam = [...sim.control.groundTruth.issues()].filter(
      (i) => (i['team'] as Json)['key'] === (added['team'] as Json)['key'],
    );
    expect(added['number']).toBe(Math.max(...sameTeam.map((i) => i['number'] as number)));
  });

  it('edits, moves through states, archives and deletes, each change newer than the last', async () => {
    const issue = [...sim.control.groundTruth.issues({ includeArchived: false })][5]!;
    const id = issue['id'] as string;
    const edited = sim.control.editIssue(id, {
      title: 'Правки по логотипу',
      stateType: 'completed',
    });
    expect(edited['title']).toBe('Правки по логотипу');
    expect((edited['state'] as Json)['type']).toBe('completed');
    expect(edited['completedAt']).toBe(edited['updatedAt']);
    expect((edited['updatedAt'] as string) > (issue['updatedAt'] as string)).toBe(true);

    const archived = sim.control.archiveIssue(id);
    expect(archived['archivedAt']).toBe(archived['updatedAt']);
    const hidden = await gql(sim, `{ issues(first: 250) { nodes { id } } }`);
    expect(hidden.body['data']['issues']['nodes'].map((n: Json) => n['id'])).not.toContain(id);
    const shown = await gql(sim, `{ issue(id: "${id}") { archivedAt } }`);
    expect(shown.body['data']['issue']['archivedAt']).toBe(archived['archivedAt']);

    sim.control.deleteIssue(id);
    const gone = await gql(sim, `{ issue(id: "${id}") { id } }`);
    expect(gone.body['errors'][0]['message']).toBe('Entity not found: Issue');
    const all = await crawl(sim, 'issues', 'id', { first: 250, includeArchived: true });
    expect(all.nodes.map((n) => n['id'])).not.toContain(id);
    const comments = await crawl(sim, 'comments', 'issue { id }', {
      first: 250,
      includeArchived: true,
    });
    expect(comments.nodes.some((c) => c['issue']['id'] === id)).toBe(false);
  });

  it('adds, edits, archives and deletes comments', async () => {
    const issue = [...sim.control.groundTruth.issues({ includeArchived: false })][0]!;
    const comment = sim.control.addComment({
      issueId: issue['id'] as string,
      body: 'Отправила макеты',
    });
    const edited = sim.control.editComment(comment['id'] as string, 'Отправила **три** макета');
    expect(edited['editedAt']).toBe(edited['updatedAt']);
    const read = await gql(
      sim,
      `{ comment(id: "${comment['id']}") { body editedAt issue { id } } }`,
    );
    expect(read.body['data']['comment']).toEqual({
      body: 'Отправила **три** макета',
      editedAt: edited['editedAt'],
      issue: { id: issue['id'] },
    });
    sim.control.archiveComment(comment['id'] as string);
    const live = await crawl(sim, 'comments', 'id', { first: 250 });
    expect(live.nodes.map((n) => n['id'])).not.toContain(comment['id']);
    sim.control.deleteComment(comment['id'] as string);
    const gone = await gql(sim, `{ comment(id: "${comment['id']}") { id } }`);
    expect(gone.body['errors'][0]['message']).toBe('Entity not found: Comment');
  });

  it('adds and edits customers with their domains', async () => {
    const customer = sim.control.addCustomer({
      name: 'Green Leaf Tea',
      domains: ['GreenLeaf-Tea.example'],
    });
    expect(customer['domains']).toEqual(['greenleaf-tea.example']);
    sim.control.editCustomer(customer['id'] as string, {
      domains: ['greenleaf-tea.example', 'gltea.example'],
    });
    const read = await gql(sim, `{ customer(id: "${customer['id']}") { name domains } }`);
    expect(read.body['data']['customer']).toEqual({
      name: 'Green Leaf Tea',
      domains: ['greenleaf-tea.example', 'gltea.example'],
    });
    sim.control.deleteCustomer(customer['id'] as string);
    const gone = await gql(sim, `{ customer(id: "${customer['id']}") { id } }`);
    expect(gone.body['errors'][0]['message']).toBe('Entity not found: Customer');
  });

  it('is also driven over HTTP under /__sim/, with 404 and 422 for bad requests', async () => {
    const issue = [...sim.control.groundTruth.issues({ includeArchived: false })][1]!;
    const response = await fetch(`${sim.url}/__sim/issues/${issue['id']}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Renamed over HTTP' }),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as Json)['title']).toBe('Renamed over HTTP');
    const missing = await fetch(`${sim.url}/__sim/issues/nope`, { method: 'DELETE' });
    expect(missing.status).toBe(404);
    const bad = await fetch(`${sim.url}/__sim/issues`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: '' }),
    });
    expect(bad.status).toBe(422);
    const ndjson = await (await fetch(`${sim.url}/__sim/ground-truth/customers`)).text();
    expect(ndjson.trim().split('\n').length).toBe(sim.control.stats().customers);
    const truth = (await (await fetch(`${sim.url}/__sim/studio-truth`)).json()) as Json;
    expect(truth['version']).toBe(1);
  });
});
