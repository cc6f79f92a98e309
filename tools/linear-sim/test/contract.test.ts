// The served schema against Linear's own (reference/schema.graphql), and the webhook bodies
// against the webhook payload types that schema defines.
import type { GraphQLObjectType } from 'graphql';
import { buildSchema, parse, validate } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWebhookPayload, SCHEMA_SDL, type LinearSim } from '../src/index.js';
import { ISSUE_FIELDS, REFERENCE_SCHEMA, startTinySim, type Json } from './helpers.js';
import { subsetProblems } from './schema-subset.js';

const real = buildSchema(REFERENCE_SCHEMA);
const served = buildSchema(SCHEMA_SDL);

let sim: LinearSim;
beforeAll(async () => {
  sim = await startTinySim({ seed: 'contract' });
});
afterAll(async () => {
  await sim.stop();
});

describe('the served schema', () => {
  it('is a subset of Linear’s: same types, fields, arguments and input fields, same nullability', () => {
    expect(subsetProblems(served, real)).toEqual([]);
    expect(Object.keys(served.getQueryType()!.getFields())).toEqual(
      expect.arrayContaining([
        'organization',
        'viewer',
        'teams',
        'projects',
        'issues',
        'issue',
        'comments',
        'comment',
        'users',
        'customers',
        'customerNeeds',
      ]),
    );
  });

  it('is checked strictly: a wrong nullability, list wrapping or argument is caught', () => {
    const broken = (from: string, to: string) => {
      expect(SCHEMA_SDL).toContain(from);
      return subsetProblems(buildSchema(SCHEMA_SDL.replace(from, to)), real);
    };
    expect(broken('  title: String!\n', '  title: String\n')).toEqual([
      'Issue.title: String here, String! there',
    ]);
    expect(broken('  domains: [String!]!\n', '  domains: [String]!\n')).toHaveLength(1);
    expect(broken('  urlKey: String!\n', '  urlKey: String!\n  nickname: String\n')).toEqual([
      'Organization.nickname does not exist',
    ]);
    expect(broken('issue(id: String!)', 'issue(id: ID!)')).toHaveLength(1);
    expect(broken('input IDComparator {\n  eq: ID', 'input IDComparator {\n  eq: String')).toEqual([
      'input IDComparator.eq: String here, ID there',
    ]);
  });

  it('accepts the queries a sync sends, and so does Linear’s schema', () => {
    const query = `query($after: String, $since: DateTimeOrDuration, $team: ID) {
      issues(first: 100, after: $after, orderBy: updatedAt, includeArchived: true,
        filter: { and: [{ updatedAt: { gt: $since } }, { team: { id: { eq: $team } } }] }) {
        nodes { ${ISSUE_FIELDS} }
        pageInfo { hasNextPage endCursor }
      }
      comments(first: 100, orderBy: updatedAt, filter: { updatedAt: { gte: $since } }) {
        nodes { id body url createdAt updatedAt editedAt archivedAt user { id } issue { id identifier } }
      }
      customers(first: 50) { nodes { id name domains externalIds url updatedAt } }
      customerNeeds(first: 50) { nodes { id body priority customer { id } issue { id } createdAt } }
      organization { id name urlKey } viewer { id email }
      teams { nodes { id key name } }
      projects { nodes { id name state: status { type } targetDate url updatedAt } }
      users { nodes { id name displayName email active } }
    }`;
    expect(validate(served, parse(query))).toEqual([]);
    expect(validate(real, parse(query))).toEqual([]);
  });
});

/** Field names of a webhook payload type, and those it always carries. */
function fieldsOf(typeName: string): { all: Set<string>; required: string[] } {
  const type = real.getType(typeName) as GraphQLObjectType;
  const fields = Object.values(type.getFields());
  return {
    all: new Set(fields.map((f) => f.name)),
    required: fields.filter((f) => String(f.type).endsWith('!')).map((f) => f.name),
  };
}

function expectShape(value: Json, typeName: string): void {
  const { all, required } = fieldsOf(typeName);
  for (const key of Object.keys(value)) expect(all, `${typeName}.${key}`).toContain(key);
  for (const key of required) {
    expect(value, `${typeName}.${key}`).toHaveProperty(key);
    expect(value[key], `${typeName}.${key}`).not.toBeNull();
  }
}

describe('webhook bodies', () => {
  it('carry IssueWebhookPayload data inside an EntityWebhookPayload envelope', () => {
    const [issue] = [...sim.control.groundTruth.issues()];
    const payload = buildWebhookPayload(sim, 'Issue', 'update', issue!['id'] as string) as Json;
    expectShape(payload, 'EntityWebhookPayload');
    expectShape(payload['data'], 'IssueWebhookPayload');
    expectShape(payload['data']['state'], 'WorkflowStateChildWebhookPayload');
    expectShape(payload['data']['team'], 'TeamChildWebhookPayload');
    if (payload['data']['assignee'])
      expectShape(payload['data']['assignee'], 'UserChildWebhookPayload');
    expectShape(payload['actor'], 'UserActorWebhookPayload');
    expect(typeof payload['webhookTimestamp']).toBe('number');
  });

  it('carry CommentWebhookPayload data with its issue as IssueChildWebhookPayload', () => {
    const [comment] = [...sim.control.groundTruth.comments()];
    const payload = buildWebhookPayload(sim, 'Comment', 'create', comment!['id'] as string) as Json;
    expectShape(payload['data'], 'CommentWebhookPayload');
    expectShape(payload['data']['issue'], 'IssueChildWebhookPayload');
    expectShape(payload['data']['user'], 'UserChildWebhookPayload');
  });
});
