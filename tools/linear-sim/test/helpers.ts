import { readFileSync } from 'node:fs';
import { startLinearSim, type LinearSim, type LinearSimOptions } from '../src/index.js';

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const REFERENCE_SCHEMA = readFileSync(
  new URL('../reference/schema.graphql', import.meta.url),
  'utf8',
);

export async function startTinySim(options: LinearSimOptions = {}): Promise<LinearSim> {
  return startLinearSim({ size: 'tiny', seed: 'test', ...options });
}

export interface GqlResult {
  status: number;
  body: Json;
  headers: Headers;
  text: string;
}

/** POSTs a GraphQL query with the sim's API key (or the given Authorization header). */
export async function gql(
  sim: LinearSim,
  query: string,
  variables: Json = {},
  options: { authorization?: string | null } = {},
): Promise<GqlResult> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const authorization = options.authorization === undefined ? sim.apiKey : options.authorization;
  if (authorization !== null) headers['authorization'] = authorization;
  const response = await fetch(sim.graphqlUrl, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  let body: Json = {};
  try {
    body = JSON.parse(text) as Json;
  } catch {
    body = {};
  }
  return { status: response.status, body, headers: response.headers, text };
}

export const ISSUE_FIELDS = `id identifier number title description url priority priorityLabel
  dueDate estimate createdAt updatedAt completedAt canceledAt startedAt archivedAt
  state { id name type } assignee { id email } creator { id } team { id key name }
  project { id name } labels(first: 10) { nodes { id name } }`;

/** Every issue through the API, page by page with `after`, as a sync does. */
export async function crawl(
  sim: LinearSim,
  field: 'issues' | 'comments' | 'customers' | 'customerNeeds' | 'projects',
  selection: string,
  args: { first?: number; orderBy?: string; includeArchived?: boolean; filter?: Json } = {},
): Promise<{ pages: number; nodes: Json[] }> {
  const nodes: Json[] = [];
  let after: string | null = null;
  for (let pages = 1; ; pages++) {
    const result = await gql(
      sim,
      `query($first: Int, $after: String, $orderBy: PaginationOrderBy, $includeArchived: Boolean, $filter: ${filterType(field)}) {
        ${field}(first: $first, after: $after, orderBy: $orderBy, includeArchived: $includeArchived, filter: $filter) {
          nodes { ${selection} } pageInfo { hasNextPage endCursor }
        }
      }`,
      { ...args, after },
    );
    if (result.status !== 200 || result.body['errors'])
      throw new Error(`page ${pages}: ${result.status} ${result.text}`);
    const page = result.body['data'][field] as Json;
    nodes.push(...(page['nodes'] as Json[]));
    if (!page['pageInfo']['hasNextPage']) return { pages, nodes };
    after = page['pageInfo']['endCursor'] as string;
  }
}

function filterType(field: string): string {
  return {
    issues: 'IssueFilter',
    comments: 'CommentFilter',
    customers: 'CustomerFilter',
    customerNeeds: 'CustomerNeedFilter',
    projects: 'ProjectFilter',
  }[field]!;
}
