import { z } from 'zod';

/**
 * Shapes of the pages the connector reads, as Linear's schema types them (nullable where the
 * schema says so). A page that does not parse is a malformed response, reported by field.
 */

const ref = z.object({ id: z.string() });
const iso = z.string();

export const linearIssue = z.object({
  id: z.string(),
  identifier: z.string(),
  number: z.number(),
  title: z.string(),
  description: z.string().nullable(),
  url: z.string(),
  priority: z.number(),
  dueDate: z.string().nullable(),
  createdAt: iso,
  updatedAt: iso,
  archivedAt: iso.nullable(),
  completedAt: iso.nullable(),
  canceledAt: iso.nullable(),
  labelIds: z.array(z.string()),
  state: z.object({ name: z.string(), type: z.string() }),
  assignee: ref.extend({ name: z.string(), email: z.string() }).nullable(),
  team: ref.extend({ key: z.string() }),
  project: ref.extend({ name: z.string() }).nullable(),
  labels: z.object({ nodes: z.array(ref.extend({ name: z.string() })) }),
});

export const linearComment = z.object({
  id: z.string(),
  body: z.string(),
  url: z.string(),
  createdAt: iso,
  updatedAt: iso,
  editedAt: iso.nullable(),
  archivedAt: iso.nullable(),
  parentId: z.string().nullable(),
  user: ref.extend({ name: z.string() }).nullable(),
  issue: ref.extend({ identifier: z.string() }).nullable(),
});

export const linearProject = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  url: z.string(),
  targetDate: z.string().nullable(),
  startDate: z.string().nullable(),
  createdAt: iso,
  updatedAt: iso,
  archivedAt: iso.nullable(),
  completedAt: iso.nullable(),
  canceledAt: iso.nullable(),
  status: z.object({ name: z.string(), type: z.string() }),
});

export const linearCustomer = z.object({
  id: z.string(),
  name: z.string(),
  domains: z.array(z.string()),
  externalIds: z.array(z.string()),
  url: z.string(),
  createdAt: iso,
  updatedAt: iso,
  archivedAt: iso.nullable(),
  needs: z.array(
    z.object({
      id: z.string(),
      archivedAt: iso.nullable(),
      issue: ref.nullable(),
      project: ref.nullable(),
    }),
  ),
});

export const linearUser = z.object({
  id: z.string(),
  name: z.string(),
  displayName: z.string(),
  email: z.string(),
  active: z.boolean(),
  admin: z.boolean(),
  guest: z.boolean(),
  url: z.string(),
  createdAt: iso,
  updatedAt: iso,
  archivedAt: iso.nullable(),
});

export const linearIdNode = z.object({ id: z.string() });

export const linearOrganization = z.object({
  organization: z.object({ id: z.string(), name: z.string(), urlKey: z.string() }),
  viewer: z.object({ id: z.string(), name: z.string(), email: z.string() }),
});

export type LinearIssue = z.infer<typeof linearIssue>;
export type LinearComment = z.infer<typeof linearComment>;
export type LinearProject = z.infer<typeof linearProject>;
export type LinearCustomer = z.infer<typeof linearCustomer>;
export type LinearUser = z.infer<typeof linearUser>;
export type LinearOrganization = z.infer<typeof linearOrganization>;

/** `{ <field>: { nodes: [...], pageInfo } }` with the node schema given. */
export function connectionData<T extends z.ZodType>(field: string, node: T) {
  return z.object({
    [field]: z.object({
      nodes: z.array(node),
      pageInfo: z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullable() }),
    }),
  });
}
