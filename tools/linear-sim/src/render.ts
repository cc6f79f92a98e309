// How entities look outside GraphQL: links as Linear builds them, and the `data` of webhook
// deliveries in the shape of IssueWebhookPayload / CommentWebhookPayload (reference/schema.graphql),
// which is also what the control API returns and the ground truth lists.
import { translit } from '@cairn/studio';
import {
  commentBodyOf,
  issueDescriptionOf,
  issueTitleOf,
  needBodyOf,
  projectTextOf,
} from './text.js';
import type {
  CommentRecord,
  CustomerRecord,
  IssueRecord,
  NeedRecord,
  LinearWorld,
  ProjectRecord,
  UserRecord,
} from './world.js';

type Json = Record<string, unknown>;

export const PRIORITY_LABELS = ['No priority', 'Urgent', 'High', 'Medium', 'Low'] as const;

export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** Linear's URL slugs are ASCII: Cyrillic titles are transliterated. */
function slugify(text: string): string {
  return translit(text)
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
}

export function identifierOf(world: LinearWorld, issue: IssueRecord): string {
  return `${world.teams[issue.teamIndex]!.key}-${issue.number}`;
}

/** `https://linear.app/<urlKey>/issue/BRD-42/<title-slug>` */
export function issueUrl(world: LinearWorld, issue: IssueRecord): string {
  return `${world.webOrigin}/${world.organization.urlKey}/issue/${identifierOf(world, issue)}/${slugify(issueTitleOf(world, issue))}`;
}

export function commentUrl(world: LinearWorld, comment: CommentRecord): string {
  const issue = world.issues[comment.issueIndex]!;
  return `${issueUrl(world, issue)}#comment-${comment.id.slice(0, 8)}`;
}

export function projectUrl(world: LinearWorld, project: ProjectRecord): string {
  return `${world.webOrigin}/${world.organization.urlKey}/project/${slugify(projectTextOf(world, project).name)}-${project.slugId}`;
}

export function userUrl(world: LinearWorld, user: UserRecord): string {
  return `${world.webOrigin}/${world.organization.urlKey}/profiles/${user.displayName}`;
}

export function customerUrl(world: LinearWorld, slugId: string): string {
  return `${world.webOrigin}/${world.organization.urlKey}/customer/${slugId}`;
}

export function branchName(world: LinearWorld, issue: IssueRecord): string {
  const owner = world.users[issue.assigneeIndex >= 0 ? issue.assigneeIndex : issue.creatorIndex];
  const prefix = owner ? `${owner.displayName.split('.')[0]}/` : '';
  return `${prefix}${identifierOf(world, issue).toLowerCase()}-${slugify(issueTitleOf(world, issue)).slice(0, 40)}`;
}

function userChild(world: LinearWorld, index: number): Json | null {
  const user = world.users[index];
  if (index < 0 || !user) return null;
  return {
    id: user.id,
    name: user.name,
    email: user.email,
    avatarUrl: null,
    url: userUrl(world, user),
  };
}

/** Issue as IssueWebhookPayload: every non-null field of that type, and the useful nullable ones. */
export function issueData(world: LinearWorld, issue: IssueRecord): Json {
  const team = world.teams[issue.teamIndex]!;
  const state = world.states[issue.stateIndex]!;
  const project = issue.projectIndex >= 0 ? world.projects[issue.projectIndex]! : null;
  const labels = issue.labelIndexes.map((i) => world.labels[i]!);
  // Linear orders boards by a float; the number keeps generated and new issues in creation order.
  const sortOrder = -issue.number * 1_000 - issue.teamIndex;
  return {
    id: issue.id,
    createdAt: iso(issue.createdAt),
    updatedAt: iso(issue.updatedAt),
    archivedAt: iso(issue.archivedAt),
    number: issue.number,
    identifier: identifierOf(world, issue),
    title: issueTitleOf(world, issue),
    description: issueDescriptionOf(world, issue),
    url: issueUrl(world, issue),
    priority: issue.priority,
    priorityLabel: PRIORITY_LABELS[issue.priority] ?? 'No priority',
    prioritySortOrder: sortOrder,
    sortOrder,
    estimate: issue.estimate,
    dueDate: issue.dueDate,
    startedAt: iso(issue.startedAt),
    completedAt: iso(issue.completedAt),
    canceledAt: iso(issue.canceledAt),
    teamId: team.id,
    team: { id: team.id, key: team.key, name: team.name },
    stateId: state.id,
    state: { id: state.id, color: state.color, name: state.name, type: state.type },
    assigneeId: issue.assigneeIndex >= 0 ? world.users[issue.assigneeIndex]!.id : null,
    assignee: userChild(world, issue.assigneeIndex),
    creatorId: world.users[issue.creatorIndex]?.id ?? null,
    creator: userChild(world, issue.creatorIndex),
    projectId: project?.id ?? null,
    project: project
      ? {
          id: project.id,
          name: projectTextOf(world, project).name,
          url: projectUrl(world, project),
        }
      : null,
    labelIds: labels.map((l) => l.id),
    labels: labels.map((l) => ({ id: l.id, color: l.color, name: l.name, parentId: null })),
    previousIdentifiers: [],
    subscriberIds: [],
    reactionData: [],
  };
}

/** Comment as CommentWebhookPayload. */
export function commentData(world: LinearWorld, comment: CommentRecord): Json {
  const issue = world.issues[comment.issueIndex]!;
  const team = world.teams[issue.teamIndex]!;
  return {
    id: comment.id,
    createdAt: iso(comment.createdAt),
    updatedAt: iso(comment.updatedAt),
    archivedAt: iso(comment.archivedAt),
    editedAt: iso(comment.editedAt),
    body: commentBodyOf(world, comment),
    issueId: issue.id,
    issue: {
      id: issue.id,
      identifier: identifierOf(world, issue),
      title: issueTitleOf(world, issue),
      teamId: team.id,
      team: { id: team.id, key: team.key, name: team.name },
      url: issueUrl(world, issue),
    },
    parentId: comment.parentIndex >= 0 ? world.comments[comment.parentIndex]!.id : null,
    userId: world.users[comment.userIndex]?.id ?? null,
    user: userChild(world, comment.userIndex),
    reactionData: [],
  };
}

export function customerData(world: LinearWorld, customer: CustomerRecord): Json {
  return {
    id: customer.id,
    name: customer.name,
    domains: [...customer.domains],
    externalIds: [],
    slugId: customer.slugId,
    url: customerUrl(world, customer.slugId),
    status: world.customerStatuses[customer.statusIndex]!.name,
    ownerId: world.users[customer.ownerIndex]?.id ?? null,
    revenue: customer.revenue,
    size: customer.size,
    createdAt: iso(customer.createdAt),
    updatedAt: iso(customer.updatedAt),
    archivedAt: iso(customer.archivedAt),
  };
}

export function needData(world: LinearWorld, need: NeedRecord): Json {
  const issue = world.issues[need.issueIndex]!;
  return {
    id: need.id,
    body: needBodyOf(world, need),
    priority: need.priority,
    customerId: world.customers[need.customerIndex]!.id,
    issueId: issue.id,
    projectId: issue.projectIndex >= 0 ? world.projects[issue.projectIndex]!.id : null,
    creatorId: world.users[need.creatorIndex]?.id ?? null,
    createdAt: iso(need.createdAt),
    updatedAt: iso(need.updatedAt),
    archivedAt: iso(need.archivedAt),
  };
}

export function projectData(world: LinearWorld, project: ProjectRecord): Json {
  const text = projectTextOf(world, project);
  return {
    id: project.id,
    name: text.name,
    description: text.description,
    url: projectUrl(world, project),
    status: world.projectStatuses[project.statusIndex]!.type,
    teamId: world.teams[project.teamIndex]!.id,
    leadId: world.users[project.leadIndex]?.id ?? null,
    customerId:
      world.customers.find((c) => c.companyIndex === project.companyIndex && !c.deleted)?.id ??
      null,
    startDate: project.startDate,
    targetDate: project.targetDate,
    createdAt: iso(project.createdAt),
    updatedAt: iso(project.updatedAt),
    archivedAt: iso(project.archivedAt),
  };
}

export function userData(world: LinearWorld, user: UserRecord): Json {
  return {
    id: user.id,
    name: user.name,
    displayName: user.displayName,
    email: user.email,
    active: user.active,
    admin: user.admin,
    url: userUrl(world, user),
    createdAt: iso(user.createdAt),
    updatedAt: iso(user.updatedAt),
  };
}
