/**
 * The GraphQL documents the Linear connector sends. Every field is checked against Linear's own
 * schema (tools/linear-sim/reference/schema.graphql, see shared notes in
 * tools/linear-sim/README.md); the simulator refuses any field the real API lacks.
 *
 * Lists are ordered by `updatedAt` with `includeArchived: true` (archived entities come back with
 * `archivedAt`), filtered by `updatedAt: { gt }` for incremental reads. Complexity (0.1 a scalar,
 * 1 an object, a connection multiplies by its `first`) stays far below the 10,000-point cap per
 * query: an issue page of 100 with 20 labels each is the heaviest, a few thousand points
 * (test/connectors/linear/client.test.ts checks every document as the simulator counts it).
 */

import type { LinearDocument } from '@linear/sdk';

/** Page size of the entity lists: 100 per the issue; the API allows 250. */
export const ENTITY_PAGE_SIZE = 100;
/**
 * Id-only listings (hard-delete detection): the largest page, so the fewest requests. Points scale
 * with the nodes either way (about 2.3 an id as the simulator counts Linear's model).
 */
export const ID_PAGE_SIZE = 250;
/** Labels read per issue; `labelIds` (a plain list) carries them all. */
export const LABELS_PER_ISSUE = 20;

const PAGE_INFO = 'pageInfo { hasNextPage endCursor }';

export const ORGANIZATION = /* GraphQL */ `
  query CairnOrganization {
    organization {
      id
      name
      urlKey
    }
    viewer {
      id
      name
      email
    }
  }
`;

export const ISSUE_FIELDS = `id identifier number title description url priority dueDate
  createdAt updatedAt archivedAt completedAt canceledAt labelIds
  state { name type } assignee { id name email } team { id key } project { id name }
  labels(first: ${LABELS_PER_ISSUE}) { nodes { id name } }`;

export const ISSUES = /* GraphQL */ `
  query CairnIssues($first: Int!, $after: String, $filter: IssueFilter) {
    issues(first: $first, after: $after, filter: $filter, orderBy: updatedAt, includeArchived: true) {
      nodes { ${ISSUE_FIELDS} }
      ${PAGE_INFO}
    }
  }
`;

export const COMMENT_FIELDS = `id body url createdAt updatedAt editedAt archivedAt parentId
  user { id name } issue { id identifier }`;

export const COMMENTS = /* GraphQL */ `
  query CairnComments($first: Int!, $after: String, $filter: CommentFilter) {
    comments(first: $first, after: $after, filter: $filter, orderBy: updatedAt, includeArchived: true) {
      nodes { ${COMMENT_FIELDS} }
      ${PAGE_INFO}
    }
  }
`;

export const PROJECT_FIELDS = `id name description url targetDate startDate createdAt updatedAt
  archivedAt completedAt canceledAt status { name type }`;

export const PROJECTS = /* GraphQL */ `
  query CairnProjects($first: Int!, $after: String, $filter: ProjectFilter) {
    projects(first: $first, after: $after, filter: $filter, orderBy: updatedAt, includeArchived: true) {
      nodes { ${PROJECT_FIELDS} }
      ${PAGE_INFO}
    }
  }
`;

// `needs` ties a customer to its issues and projects (a person's page lists their organisation's
// issues through them: people/person-context.ts).
export const CUSTOMER_FIELDS =
  'id name domains externalIds url createdAt updatedAt archivedAt needs { id archivedAt issue { id } project { id } }';

export const CUSTOMERS = /* GraphQL */ `
  query CairnCustomers($first: Int!, $after: String, $filter: CustomerFilter) {
    customers(first: $first, after: $after, filter: $filter, orderBy: updatedAt, includeArchived: true) {
      nodes { ${CUSTOMER_FIELDS} }
      ${PAGE_INFO}
    }
  }
`;

export const USER_FIELDS =
  'id name displayName email active admin guest url createdAt updatedAt archivedAt';

export const USERS = /* GraphQL */ `
  query CairnUsers($first: Int!, $after: String, $filter: UserFilter) {
    users(first: $first, after: $after, filter: $filter, orderBy: updatedAt, includeArchived: true, includeDisabled: true) {
      nodes { ${USER_FIELDS} }
      ${PAGE_INFO}
    }
  }
`;

export type LinearEntityKind = 'issues' | 'comments' | 'projects' | 'customers' | 'users';

/** The `$filter` each list takes, as the SDK's generated types of Linear's schema spell it. */
export interface LinearEntityFilters {
  issues: LinearDocument.IssueFilter;
  comments: LinearDocument.CommentFilter;
  projects: LinearDocument.ProjectFilter;
  customers: LinearDocument.CustomerFilter;
  users: LinearDocument.UserFilter;
}

export const ENTITY_DOCUMENTS: Record<LinearEntityKind, string> = {
  issues: ISSUES,
  comments: COMMENTS,
  projects: PROJECTS,
  customers: CUSTOMERS,
  users: USERS,
};

const FILTER_TYPES: Record<LinearEntityKind, string> = {
  issues: 'IssueFilter',
  comments: 'CommentFilter',
  projects: 'ProjectFilter',
  customers: 'CustomerFilter',
  users: 'UserFilter',
};

/** `{ kind(first, after, includeArchived) { nodes { id } } }`: the cheap listing for deletions. */
export function idsDocument(kind: LinearEntityKind): string {
  const extra = kind === 'users' ? ', includeDisabled: true' : '';
  return /* GraphQL */ `
    query CairnIds($first: Int!, $after: String, $filter: ${FILTER_TYPES[kind]}) {
      ${kind}(first: $first, after: $after, filter: $filter, orderBy: updatedAt, includeArchived: true${extra}) {
        nodes { id }
        ${PAGE_INFO}
      }
    }
  `;
}
