import { createHash } from 'node:crypto';
import type { LinearEntityKind } from './documents.js';
import type {
  LinearComment,
  LinearCustomer,
  LinearIssue,
  LinearProject,
  LinearUser,
} from './payloads.js';

/**
 * Linear entities as rows of the lin_* tables (db/migrations/0025_linear.sql), without the scope
 * columns. `data` is the entity as read (the page schemas in payloads.ts fix its key order, so the
 * same entity always hashes the same) and `content_hash` is what a re-sync compares.
 */

interface Common {
  id: string;
  organization_id: string;
  source_updated_at: string;
  archived_at: string | null;
  data: Record<string, unknown>;
  content_hash: string;
}

export type LinUserRow = Common & { name: string; email: string };
export type LinCustomerRow = Common & { name: string; domains: string[]; url: string };
export type LinProjectRow = Common & { name: string; url: string };
export type LinIssueRow = Common & {
  identifier: string;
  title: string;
  description: string | null;
  url: string;
  state_type: string;
  priority: number;
  due_date: string | null;
  assignee_id: string | null;
  linear_project_id: string | null;
  source_created_at: string;
};
export type LinCommentRow = Common & {
  issue_id: string | null;
  body: string;
  url: string;
  user_id: string | null;
  source_created_at: string;
};

export interface LinRows {
  users: LinUserRow;
  customers: LinCustomerRow;
  projects: LinProjectRow;
  issues: LinIssueRow;
  comments: LinCommentRow;
}

export const LIN_TABLES = {
  users: 'lin_users',
  customers: 'lin_customers',
  projects: 'lin_projects',
  issues: 'lin_issues',
  comments: 'lin_comments',
} as const satisfies Record<LinearEntityKind, string>;

const hash = (data: unknown) => createHash('sha256').update(JSON.stringify(data)).digest('hex');

function common(
  organizationId: string,
  node: { id: string; updatedAt: string; archivedAt: string | null },
): Common {
  const data = node as unknown as Record<string, unknown>;
  return {
    id: node.id,
    organization_id: organizationId,
    source_updated_at: node.updatedAt,
    archived_at: node.archivedAt,
    data,
    content_hash: hash(data),
  };
}

export const normalize = {
  users: (org: string, u: LinearUser): LinUserRow => ({
    ...common(org, u),
    name: u.name,
    email: u.email,
  }),
  customers: (org: string, c: LinearCustomer): LinCustomerRow => ({
    ...common(org, c),
    name: c.name,
    domains: c.domains.map((d) => d.trim().toLowerCase()),
    url: c.url,
  }),
  projects: (org: string, p: LinearProject): LinProjectRow => ({
    ...common(org, p),
    name: p.name,
    url: p.url,
  }),
  issues: (org: string, i: LinearIssue): LinIssueRow => ({
    ...common(org, i),
    identifier: i.identifier,
    title: i.title,
    description: i.description,
    url: i.url,
    state_type: i.state.type,
    priority: i.priority,
    due_date: i.dueDate,
    assignee_id: i.assignee?.id ?? null,
    linear_project_id: i.project?.id ?? null,
    source_created_at: i.createdAt,
  }),
  comments: (org: string, c: LinearComment): LinCommentRow => ({
    ...common(org, c),
    issue_id: c.issue?.id ?? null,
    body: c.body,
    url: c.url,
    user_id: c.user?.id ?? null,
    source_created_at: c.createdAt,
  }),
};
