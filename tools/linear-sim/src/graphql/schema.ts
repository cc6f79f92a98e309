// The executable schema: schema.graphql (the served subset of Linear's schema) with resolvers over
// the store. Fields whose record property has the GraphQL name need no resolver; dates are kept as
// Unix milliseconds and serialised as ISO strings by the DateTime scalar.
import { readFileSync } from 'node:fs';
import type { GraphQLScalarType } from 'graphql';
import { buildSchema, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import {
  branchName,
  commentUrl,
  customerUrl,
  identifierOf,
  iso,
  issueUrl,
  PRIORITY_LABELS,
  projectUrl,
  userUrl,
} from '../render.js';
import type { LinearStore } from '../store.js';
import {
  commentBodyOf,
  issueDescriptionOf,
  issueTitleOf,
  needBodyOf,
  projectTextOf,
} from '../text.js';
import type {
  CommentRecord,
  CustomerRecord,
  IssueRecord,
  LabelRecord,
  LinearWorld,
  NeedRecord,
  ProjectRecord,
  StateRecord,
  TeamRecord,
  UserRecord,
} from '../world.js';
import { entityNotFound } from './errors.js';
import { dateMatches, idMatches, matches, nullMatches, stringMatches } from './filters.js';
import { connection, paginate, sortFor, type ConnectionArgs, type Sortable } from './pagination.js';

export interface RateLimitSnapshot {
  requests: { limit: number; remaining: number; reset: number };
  complexity: { limit: number; remaining: number; reset: number };
  /** Points this request costs. */
  cost: number;
}

export interface GraphQLContext {
  store: LinearStore;
  world: LinearWorld;
  /** Unix milliseconds at the start of the request (for relative date filters). */
  now: number;
  rateLimit: RateLimitSnapshot;
}

type Json = Record<string, unknown>;
type Resolver<Source = never> = GraphQLFieldResolver<Source, GraphQLContext, Json & ConnectionArgs>;

export const SCHEMA_SDL = readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8');

// ---- filters ---------------------------------------------------------------------------------

function teamMatches(world: LinearWorld, team: TeamRecord | null, filter: Json): boolean {
  return matches<TeamRecord | null>(team, filter, {
    null: (t, wanted) => nullMatches(t, wanted),
    id: (t, c) => t !== null && idMatches(t.id, c),
    key: (t, c) => t !== null && stringMatches(t.key, c),
  });
}

function projectMatches(project: ProjectRecord | null, filter: Json, now: number): boolean {
  return matches<ProjectRecord | null>(project, filter, {
    null: (p, wanted) => nullMatches(p, wanted),
    id: (p, c) => p !== null && idMatches(p.id, c),
    updatedAt: (p, c) => p !== null && dateMatches(p.updatedAt, c, now),
  });
}

function userMatches(user: UserRecord | null, filter: Json, now: number): boolean {
  return matches<UserRecord | null>(user, filter, {
    id: (u, c) => u !== null && idMatches(u.id, c),
    email: (u, c) => u !== null && stringMatches(u.email, c),
    updatedAt: (u, c) => u !== null && dateMatches(u.updatedAt, c, now),
  });
}

function issueMatches(
  world: LinearWorld,
  issue: IssueRecord | null,
  filter: Json,
  now: number,
): boolean {
  return matches<IssueRecord | null>(issue, filter, {
    null: (i, wanted) => nullMatches(i, wanted),
    id: (i, c) => i !== null && idMatches(i.id, c),
    createdAt: (i, c) => i !== null && dateMatches(i.createdAt, c, now),
    updatedAt: (i, c) => i !== null && dateMatches(i.updatedAt, c, now),
    archivedAt: (i, c) => i !== null && dateMatches(i.archivedAt, c, now),
    team: (i, c) => i !== null && teamMatches(world, world.teams[i.teamIndex]!, c),
    project: (i, c) =>
      i !== null &&
      projectMatches(i.projectIndex >= 0 ? world.projects[i.projectIndex]! : null, c, now),
  });
}

function commentMatches(
  world: LinearWorld,
  comment: CommentRecord,
  filter: Json,
  now: number,
): boolean {
  return matches(comment, filter, {
    id: (c, cmp) => idMatches(c.id, cmp),
    createdAt: (c, cmp) => dateMatches(c.createdAt, cmp, now),
    updatedAt: (c, cmp) => dateMatches(c.updatedAt, cmp, now),
    issue: (c, cmp) => issueMatches(world, world.issues[c.issueIndex]!, cmp, now),
    user: (c, cmp) => userMatches(world.users[c.userIndex] ?? null, cmp, now),
  });
}

function customerMatches(customer: CustomerRecord | null, filter: Json, now: number): boolean {
  return matches<CustomerRecord | null>(customer, filter, {
    null: (c, wanted) => nullMatches(c, wanted),
    id: (c, cmp) => c !== null && idMatches(c.id, cmp),
    updatedAt: (c, cmp) => c !== null && dateMatches(c.updatedAt, cmp, now),
  });
}

function needMatches(world: LinearWorld, need: NeedRecord, filter: Json, now: number): boolean {
  const issue = world.issues[need.issueIndex]!;
  return matches(need, filter, {
    id: (n, c) => idMatches(n.id, c),
    updatedAt: (n, c) => dateMatches(n.updatedAt, c, now),
    customer: (n, c) => customerMatches(world.customers[n.customerIndex] ?? null, c, now),
    issue: (_n, c) => issueMatches(world, issue, c, now),
    project: (_n, c) =>
      projectMatches(issue.projectIndex >= 0 ? world.projects[issue.projectIndex]! : null, c, now),
  });
}

function stateMatches(world: LinearWorld, state: StateRecord, filter: Json): boolean {
  return matches(state, filter, {
    id: (s, c) => idMatches(s.id, c),
    name: (s, c) => stringMatches(s.name, c),
    type: (s, c) => stringMatches(s.type, c),
    team: (s, c) => teamMatches(world, world.teams[s.teamIndex]!, c),
  });
}

function labelMatches(label: LabelRecord, filter: Json): boolean {
  return matches(label, filter, {
    id: (l, c) => idMatches(l.id, c),
    name: (l, c) => stringMatches(l.name, c),
    // Every label of the studio is a workspace label: no team.
    team: (_l, c) => matches<null>(null, c, { null: (t, wanted) => nullMatches(t, wanted) }),
  });
}

// ---- small collections -----------------------------------------------------------------------

/** Teams, states, labels and users are few: sorted per request, with the same paging rules. */
function pageOf<T extends Sortable>(
  items: readonly T[],
  args: ConnectionArgs,
  keep: (item: T) => boolean,
) {
  return connection(paginate(sortFor(items, args.orderBy ?? 'createdAt'), args, keep));
}

// ---- resolvers -------------------------------------------------------------------------------

function organization(world: LinearWorld): Json {
  const o = world.organization;
  return {
    id: o.id,
    name: o.name,
    urlKey: o.urlKey,
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
    archivedAt: null,
    customersEnabled: true,
    logoUrl: null,
    userCount: world.users.filter((u) => u.active).length,
  };
}

function required<T>(value: T | undefined, entity: string): T {
  if (value === undefined) throw entityNotFound(entity);
  return value;
}

function projectProgress(store: LinearStore, project: ProjectRecord): number {
  const issues =
    store.groupedBy('issues', (i) => i.projectIndex, 'project').get(project.index) ?? [];
  const open = issues.filter((i) => store.world.states[i.stateIndex]!.type !== 'canceled');
  if (open.length === 0) return 0;
  const done = open.filter((i) => store.world.states[i.stateIndex]!.type === 'completed').length;
  return Math.round((done / open.length) * 1000) / 1000;
}

const resolvers: Record<string, Record<string, Resolver<never>>> = {
  Query: {
    organization: (_s, _a, { world }) => organization(world),
    viewer: (_s, _a, { world }) => world.users[world.viewerIndex],
    users: (_s, args, { world, now }) =>
      pageOf(
        world.users,
        args,
        (u) =>
          (args['includeDisabled'] === true || u.active) && userMatches(u, args.filter ?? {}, now),
      ),
    user: (_s, { id }, { world }) =>
      required(
        world.users.find((u) => u.id === id),
        'User',
      ),
    teams: (_s, args, { world }) =>
      pageOf(world.teams, args, (t) => teamMatches(world, t, args.filter ?? {})),
    team: (_s, { id }, { world }) =>
      required(
        world.teams.find((t) => t.id === id || t.key === id),
        'Team',
      ),
    workflowStates: (_s, args, { world }) =>
      pageOf(world.states, args, (s) => stateMatches(world, s, args.filter ?? {})),
    issueLabels: (_s, args, { world }) =>
      pageOf(world.labels, args, (l) => labelMatches(l, args.filter ?? {})),
    projects: (_s, args, { store, now }) =>
      connection(
        paginate(store.sorted('projects', args.orderBy ?? 'createdAt'), args, (p) =>
          projectMatches(p, args.filter ?? {}, now),
        ),
      ),
    project: (_s, { id }, { store }) => required(store.project(String(id)), 'Project'),
    issues: (_s, args, { store, world, now }) =>
      connection(
        paginate(store.sorted('issues', args.orderBy ?? 'createdAt'), args, (i) =>
          issueMatches(world, i, args.filter ?? {}, now),
        ),
      ),
    issue: (_s, { id }, { store }) => required(store.issueByIdOrIdentifier(String(id)), 'Issue'),
    comments: (_s, args, { store, world, now }) =>
      connection(
        paginate(store.sorted('comments', args.orderBy ?? 'createdAt'), args, (c) =>
          commentMatches(world, c, args.filter ?? {}, now),
        ),
      ),
    comment: (_s, { id }, { store }) => required(store.comment(String(id)), 'Comment'),
    customers: (_s, args, { store, now }) =>
      connection(
        paginate(store.sorted('customers', args.orderBy ?? 'createdAt'), args, (c) =>
          customerMatches(c, args.filter ?? {}, now),
        ),
      ),
    customer: (_s, { id }, { store }) => required(store.customer(String(id)), 'Customer'),
    customerNeeds: (_s, args, { store, world, now }) =>
      connection(
        paginate(store.sorted('needs', args.orderBy ?? 'createdAt'), args, (n) =>
          needMatches(world, n, args.filter ?? {}, now),
        ),
      ),
    customerNeed: (_s, { id }, { store }) => required(store.need(String(id)), 'CustomerNeed'),
    rateLimitStatus: (_s, _a, { rateLimit }) => ({
      identifier: null,
      kind: 'api key',
      limits: [
        {
          type: 'requestLimit',
          allowedAmount: rateLimit.requests.limit,
          period: 3_600_000,
          remainingAmount: rateLimit.requests.remaining,
          requestedAmount: 1,
          reset: rateLimit.requests.reset,
        },
        {
          type: 'complexityLimit',
          allowedAmount: rateLimit.complexity.limit,
          period: 3_600_000,
          remainingAmount: rateLimit.complexity.remaining,
          requestedAmount: rateLimit.cost,
          reset: rateLimit.complexity.reset,
        },
      ],
    }),
  },
  User: {
    archivedAt: () => null,
    avatarUrl: () => null,
    guest: () => false,
    isMe: (u: UserRecord, _a, { world }) => u.index === world.viewerIndex,
    organization: (_u, _a, { world }) => organization(world),
    timezone: () => 'Europe/Moscow',
    url: (u: UserRecord, _a, { world }) => userUrl(world, u),
  },
  Team: {
    archivedAt: () => null,
    organization: (_t, _a, { world }) => organization(world),
    timezone: () => 'Europe/Moscow',
    states: (t: TeamRecord, args, { world }) =>
      pageOf(
        world.states.filter((s) => s.teamIndex === t.index),
        args,
        (s) => stateMatches(world, s, args.filter ?? {}),
      ),
  },
  WorkflowState: {
    archivedAt: () => null,
    description: () => null,
    team: (s: StateRecord, _a, { world }) => world.teams[s.teamIndex],
  },
  IssueLabel: {
    archivedAt: () => null,
    isGroup: () => false,
    parent: () => null,
    team: () => null,
  },
  Project: {
    name: (p: ProjectRecord, _a, { world }) => projectTextOf(world, p).name,
    description: (p: ProjectRecord, _a, { world }) => projectTextOf(world, p).description,
    icon: () => null,
    lead: (p: ProjectRecord, _a, { world }) => world.users[p.leadIndex] ?? null,
    progress: (p: ProjectRecord, _a, { store }) => projectProgress(store, p),
    status: (p: ProjectRecord, _a, { world }) => world.projectStatuses[p.statusIndex],
    teams: (p: ProjectRecord, args, { world }) =>
      pageOf([world.teams[p.teamIndex]!], args, (t) => teamMatches(world, t, args.filter ?? {})),
    url: (p: ProjectRecord, _a, { world }) => projectUrl(world, p),
  },
  Issue: {
    assignee: (i: IssueRecord, _a, { world }) => world.users[i.assigneeIndex] ?? null,
    branchName: (i: IssueRecord, _a, { world }) => branchName(world, i),
    comments: (i: IssueRecord, args, { store, world, now }) =>
      connection(
        paginate(
          sortFor(
            store.groupedBy('comments', (c) => c.issueIndex, 'issue').get(i.index) ?? [],
            args.orderBy ?? 'createdAt',
          ),
          args,
          (c) => commentMatches(world, c, args.filter ?? {}, now),
        ),
      ),
    creator: (i: IssueRecord, _a, { world }) => world.users[i.creatorIndex] ?? null,
    customerTicketCount: (i: IssueRecord, _a, { store }) =>
      (store.groupedBy('needs', (n) => n.issueIndex, 'issue').get(i.index) ?? []).length,
    description: (i: IssueRecord, _a, { world }) => issueDescriptionOf(world, i),
    identifier: (i: IssueRecord, _a, { world }) => identifierOf(world, i),
    labelIds: (i: IssueRecord, _a, { world }) => i.labelIndexes.map((l) => world.labels[l]!.id),
    labels: (i: IssueRecord, args, { world }) =>
      pageOf(
        i.labelIndexes.map((l) => world.labels[l]!),
        args,
        (l) => labelMatches(l, args.filter ?? {}),
      ),
    needs: (i: IssueRecord, args, { store, world, now }) =>
      connection(
        paginate(
          sortFor(
            store.groupedBy('needs', (n) => n.issueIndex, 'issue').get(i.index) ?? [],
            args.orderBy ?? 'createdAt',
          ),
          args,
          (n) => needMatches(world, n, args.filter ?? {}, now),
        ),
      ),
    parent: () => null,
    priorityLabel: (i: IssueRecord) => PRIORITY_LABELS[i.priority] ?? 'No priority',
    project: (i: IssueRecord, _a, { world }) =>
      i.projectIndex >= 0 ? world.projects[i.projectIndex] : null,
    state: (i: IssueRecord, _a, { world }) => world.states[i.stateIndex],
    team: (i: IssueRecord, _a, { world }) => world.teams[i.teamIndex],
    title: (i: IssueRecord, _a, { world }) => issueTitleOf(world, i),
    trashed: () => null,
    url: (i: IssueRecord, _a, { world }) => issueUrl(world, i),
  },
  Comment: {
    body: (c: CommentRecord, _a, { world }) => commentBodyOf(world, c),
    children: (c: CommentRecord, args, { store, world, now }) =>
      connection(
        paginate(
          sortFor(
            store.groupedBy('comments', (x) => x.parentIndex, 'parent').get(c.index) ?? [],
            args.orderBy ?? 'createdAt',
          ),
          args,
          (x) => commentMatches(world, x, args.filter ?? {}, now),
        ),
      ),
    issue: (c: CommentRecord, _a, { world }) => world.issues[c.issueIndex],
    issueId: (c: CommentRecord, _a, { world }) => world.issues[c.issueIndex]!.id,
    parent: (c: CommentRecord, _a, { store, world }) =>
      c.parentIndex >= 0 ? (store.comment(world.comments[c.parentIndex]!.id) ?? null) : null,
    parentId: (c: CommentRecord, _a, { world }) =>
      c.parentIndex >= 0 ? world.comments[c.parentIndex]!.id : null,
    reactionData: () => [],
    resolvedAt: () => null,
    url: (c: CommentRecord, _a, { world }) => commentUrl(world, c),
    user: (c: CommentRecord, _a, { world }) => world.users[c.userIndex] ?? null,
  },
  CustomerStatus: {},
  Customer: {
    approximateNeedCount: (c: CustomerRecord, _a, { store }) =>
      (store.groupedBy('needs', (n) => n.customerIndex, 'customer').get(c.index) ?? []).length,
    externalIds: () => [],
    logoUrl: () => null,
    mainSourceId: () => null,
    needs: (c: CustomerRecord, _a, { store }) =>
      store.groupedBy('needs', (n) => n.customerIndex, 'customer').get(c.index) ?? [],
    owner: (c: CustomerRecord, _a, { world }) => world.users[c.ownerIndex] ?? null,
    status: (c: CustomerRecord, _a, { world }) => world.customerStatuses[c.statusIndex],
    url: (c: CustomerRecord, _a, { world }) => customerUrl(world, c.slugId),
  },
  CustomerNeed: {
    body: (n: NeedRecord, _a, { world }) => needBodyOf(world, n),
    comment: () => null,
    creator: (n: NeedRecord, _a, { world }) => world.users[n.creatorIndex] ?? null,
    customer: (n: NeedRecord, _a, { store, world }) =>
      store.customer(world.customers[n.customerIndex]!.id) ?? null,
    issue: (n: NeedRecord, _a, { store, world }) =>
      store.issue(world.issues[n.issueIndex]!.id) ?? null,
    project: (n: NeedRecord, _a, { world }) => {
      const issue = world.issues[n.issueIndex]!;
      return issue.projectIndex >= 0 ? world.projects[issue.projectIndex] : null;
    },
    url: () => null,
  },
};

function identity(value: unknown): unknown {
  return value;
}

export function buildLinearSchema(): GraphQLSchema {
  const schema = buildSchema(SCHEMA_SDL);
  const dateTime = schema.getType('DateTime') as GraphQLScalarType;
  // Records keep Unix milliseconds; Linear answers ISO 8601 with milliseconds and Z.
  dateTime.serialize = (value: unknown) => (typeof value === 'number' ? iso(value) : value);
  for (const name of ['DateTimeOrDuration', 'TimelessDate', 'JSONObject']) {
    const scalar = schema.getType(name) as GraphQLScalarType;
    scalar.serialize = identity;
  }
  for (const [typeName, fields] of Object.entries(resolvers)) {
    const type = schema.getType(typeName);
    if (!type || !('getFields' in type)) throw new Error(`no type ${typeName} in schema.graphql`);
    const typeFields = type.getFields() as Record<string, { resolve?: unknown }>;
    for (const [fieldName, resolve] of Object.entries(fields)) {
      const field = typeFields[fieldName];
      if (!field) throw new Error(`no field ${typeName}.${fieldName} in schema.graphql`);
      field.resolve = resolve;
    }
  }
  return schema;
}
