// The live state of the simulated workspace: the generated world plus every change made through
// the control API, with the lookups, orderings and indexes the GraphQL resolvers page through.
// Each change stamps updatedAt with a clock that never goes backwards and emits an event
// (webhooks are built from them).
import { rngFor } from '@cairn/studio';
import { sortFor, type OrderBy, type Sortable } from './graphql/pagination.js';
import type {
  CommentRecord,
  CustomerRecord,
  IssueRecord,
  LinearWorld,
  NeedRecord,
  ProjectRecord,
  StateType,
} from './world.js';

export type EntityKind = 'issues' | 'comments' | 'customers' | 'needs' | 'projects';

export interface StoreEvent {
  type: 'Issue' | 'Comment';
  action: 'create' | 'update' | 'remove';
  issue?: IssueRecord;
  comment?: CommentRecord;
  /** The entity as webhooks render it, before the change (for updatedFrom and removals). */
  before: Record<string, unknown> | null;
}

export class InputError extends Error {}
export class NotFoundError extends Error {}

export interface AddIssueInput {
  title: string;
  description?: string | null;
  /** Team key (`BRD`, `WEB`) or id; the project's team when omitted. */
  team?: string;
  projectId?: string | null;
  stateType?: StateType;
  stateName?: string;
  priority?: number;
  assigneeId?: string | null;
  labels?: string[];
  dueDate?: string | null;
}

export interface IssuePatch {
  title?: string;
  description?: string | null;
  stateType?: StateType;
  stateName?: string;
  priority?: number;
  assigneeId?: string | null;
  projectId?: string | null;
  labels?: string[];
  dueDate?: string | null;
}

export interface AddCommentInput {
  issueId: string;
  body: string;
  userId?: string;
  parentId?: string | null;
}

export interface CustomerInput {
  name?: string;
  domains?: string[];
}

const NEW_IDS = 8_100;

export class LinearStore {
  private readonly versions: Record<EntityKind, number> = {
    issues: 0,
    comments: 0,
    customers: 0,
    needs: 0,
    projects: 0,
  };
  private readonly sortedCache = new Map<string, { version: number; items: Sortable[] }>();
  private readonly indexCache = new Map<
    string,
    { version: number; index: Map<number, unknown[]> }
  >();
  private readonly byId = {
    issues: new Map<string, IssueRecord>(),
    comments: new Map<string, CommentRecord>(),
    customers: new Map<string, CustomerRecord>(),
    needs: new Map<string, NeedRecord>(),
    projects: new Map<string, ProjectRecord>(),
  };
  private lastChange: number;
  private created = 0;
  private listener: (event: StoreEvent) => void = () => undefined;

  constructor(
    readonly world: LinearWorld,
    private readonly clock: () => number,
    /** Renders an issue or comment as webhooks show it, to compute updatedFrom. */
    private readonly render: {
      issue: (issue: IssueRecord) => Record<string, unknown>;
      comment: (comment: CommentRecord) => Record<string, unknown>;
    },
  ) {
    for (const issue of world.issues) this.byId.issues.set(issue.id, issue);
    for (const comment of world.comments) this.byId.comments.set(comment.id, comment);
    for (const customer of world.customers) this.byId.customers.set(customer.id, customer);
    for (const need of world.needs) this.byId.needs.set(need.id, need);
    for (const project of world.projects) this.byId.projects.set(project.id, project);
    // Generated history ends at historyEnd; the first change comes after it even on a slow clock.
    this.lastChange = world.historyEnd;
  }

  onEvent(listener: (event: StoreEvent) => void): void {
    this.listener = listener;
  }

  // ---- reading -------------------------------------------------------------------------------

  issue(id: string): IssueRecord | undefined {
    const issue = this.byId.issues.get(id);
    return issue && !issue.deleted ? issue : undefined;
  }

  /** By id or by identifier (`BRD-42`), as Linear's `issue(id:)` accepts both. */
  issueByIdOrIdentifier(id: string): IssueRecord | undefined {
    const byId = this.issue(id);
    if (byId) return byId;
    const match = /^([A-Za-z]+)-(\d+)$/.exec(id);
    if (!match) return undefined;
    const team = this.world.teams.find((t) => t.key === match[1]!.toUpperCase());
    if (!team) return undefined;
    return this.world.issues.find(
      (i) => !i.deleted && i.teamIndex === team.index && i.number === Number(match[2]),
    );
  }

  comment(id: string): CommentRecord | undefined {
    const comment = this.byId.comments.get(id);
    return comment && !comment.deleted ? comment : undefined;
  }

  customer(id: string): CustomerRecord | undefined {
    const customer = this.byId.customers.get(id);
    return customer && !customer.deleted ? customer : undefined;
  }

  need(id: string): NeedRecord | undefined {
    const need = this.byId.needs.get(id);
    return need && !need.deleted ? need : undefined;
  }

  project(id: string): ProjectRecord | undefined {
    const project = this.byId.projects.get(id);
    return project && !project.deleted ? project : undefined;
  }

  /** Live entities of a kind in the order a query pages them; rebuilt only after a change. */
  sorted<K extends EntityKind>(kind: K, orderBy: OrderBy): readonly RecordOf<K>[] {
    const key = `${kind}:${orderBy}`;
    const cached = this.sortedCache.get(key);
    if (cached && cached.version === this.versions[kind]) return cached.items as RecordOf<K>[];
    const live = (this.all(kind) as (RecordOf<K> & { deleted: boolean })[]).filter(
      (r) => !r.deleted,
    );
    const items = sortFor(live, orderBy);
    this.sortedCache.set(key, { version: this.versions[kind], items });
    return items;
  }

  /** Live entities of a kind grouped by a parent index (comments by issue, needs by customer…). */
  groupedBy<K extends EntityKind>(
    kind: K,
    parent: (record: RecordOf<K>) => number,
    name: string,
  ): Map<number, RecordOf<K>[]> {
    const key = `${kind}:${name}`;
    const cached = this.indexCache.get(key);
    if (cached && cached.version === this.versions[kind])
      return cached.index as Map<number, RecordOf<K>[]>;
    const index = new Map<number, RecordOf<K>[]>();
    for (const record of this.sorted(kind, 'createdAt')) {
      const p = parent(record);
      const list = index.get(p);
      if (list) list.push(record);
      else index.set(p, [record]);
    }
    this.indexCache.set(key, { version: this.versions[kind], index });
    return index;
  }

  private all(kind: EntityKind): unknown[] {
    switch (kind) {
      case 'issues':
        return this.world.issues;
      case 'comments':
        return this.world.comments;
      case 'customers':
        return this.world.customers;
      case 'needs':
        return this.world.needs;
      case 'projects':
        return this.world.projects;
    }
  }

  // ---- changing ------------------------------------------------------------------------------

  /** A time after every earlier change, so `updatedAt > watermark` always sees a new change. */
  private stamp(): number {
    this.lastChange = Math.max(this.clock(), this.lastChange + 1);
    return this.lastChange;
  }

  private touch(...kinds: EntityKind[]): void {
    for (const kind of kinds) this.versions[kind]++;
  }

  private newId(): string {
    return rngFor(this.world.seedHash, NEW_IDS, ++this.created).uuid();
  }

  private userIndex(id: string | null | undefined, fallback: number): number {
    if (id === null) return -1;
    if (id === undefined) return fallback;
    const user = this.world.users.find((u) => u.id === id);
    if (!user) throw new NotFoundError(`user ${id} not found`);
    return user.index;
  }

  private projectIndex(id: string | null | undefined, fallback: number): number {
    if (id === null) return -1;
    if (id === undefined) return fallback;
    const project = this.project(id);
    if (!project) throw new NotFoundError(`project ${id} not found`);
    return project.index;
  }

  private stateIndex(teamIndex: number, type?: StateType, name?: string): number | undefined {
    if (type === undefined && name === undefined) return undefined;
    const state = this.world.states.find(
      (s) =>
        s.teamIndex === teamIndex &&
        (name === undefined || s.name.toLowerCase() === name.toLowerCase()) &&
        (type === undefined || s.type === type),
    );
    if (!state)
      throw new InputError(`no state ${name ?? type} in team ${this.world.teams[teamIndex]!.key}`);
    return state.index;
  }

  private labelIndexes(names: string[]): number[] {
    return names.map((name) => {
      const label = this.world.labels.find((l) => l.name.toLowerCase() === name.toLowerCase());
      if (!label) throw new InputError(`unknown label "${name}"`);
      return label.index;
    });
  }

  private applyState(issue: IssueRecord, stateIndex: number, at: number): void {
    const type = this.world.states[stateIndex]!.type;
    issue.stateIndex = stateIndex;
    if (type === 'started' && issue.startedAt === null) issue.startedAt = at;
    issue.completedAt = type === 'completed' ? at : null;
    issue.canceledAt = type === 'canceled' ? at : null;
  }

  private emit(event: StoreEvent): void {
    this.listener(event);
  }

  addIssue(input: AddIssueInput): IssueRecord {
    if (typeof input.title !== 'string' || input.title.trim() === '')
      throw new InputError('title is required');
    const projectIndex = this.projectIndex(input.projectId, -1);
    const project = projectIndex >= 0 ? this.world.projects[projectIndex]! : null;
    let teamIndex = project?.teamIndex ?? 0;
    if (input.team !== undefined) {
      const team = this.world.teams.find((t) => t.key === input.team || t.id === input.team);
      if (!team) throw new NotFoundError(`team ${input.team} not found`);
      teamIndex = team.index;
    }
    const at = this.stamp();
    const team = this.world.teams[teamIndex]!;
    const issue: IssueRecord = {
      index: this.world.issues.length,
      id: this.newId(),
      teamIndex,
      number: ++team.lastNumber,
      projectIndex,
      stateIndex:
        this.stateIndex(teamIndex, input.stateType, input.stateName) ??
        this.stateIndex(teamIndex, 'unstarted')!,
      priority: input.priority ?? 0,
      assigneeIndex: this.userIndex(input.assigneeId, -1),
      creatorIndex: this.world.viewerIndex,
      labelIndexes: this.labelIndexes(input.labels ?? []),
      estimate: null,
      dueDate: input.dueDate ?? null,
      createdAt: at,
      updatedAt: at,
      startedAt: null,
      completedAt: null,
      canceledAt: null,
      archivedAt: null,
      deleted: false,
      language: /[а-яё]/i.test(input.title) ? 'ru' : 'en',
      topicKey: project?.topicKey ?? this.world.studio.topics[0]!.key,
      kindIndex: 0,
      titleOverride: input.title,
      descriptionOverride: { value: input.description ?? null },
    };
    this.applyState(issue, issue.stateIndex, at);
    this.world.issues.push(issue);
    this.byId.issues.set(issue.id, issue);
    this.touch('issues', 'projects');
    this.emit({ type: 'Issue', action: 'create', issue, before: null });
    return issue;
  }

  editIssue(id: string, patch: IssuePatch): IssueRecord {
    const issue = this.requireIssue(id);
    const before = this.render.issue(issue);
    const at = this.stamp();
    if (patch.title !== undefined) {
      if (patch.title.trim() === '') throw new InputError('title must not be empty');
      issue.titleOverride = patch.title;
    }
    if (patch.description !== undefined) issue.descriptionOverride = { value: patch.description };
    if (patch.priority !== undefined) {
      if (![0, 1, 2, 3, 4].includes(patch.priority)) throw new InputError('priority is 0 to 4');
      issue.priority = patch.priority;
    }
    if (patch.assigneeId !== undefined) issue.assigneeIndex = this.userIndex(patch.assigneeId, -1);
    if (patch.projectId !== undefined) {
      issue.projectIndex = this.projectIndex(patch.projectId, -1);
      const project = issue.projectIndex >= 0 ? this.world.projects[issue.projectIndex] : null;
      if (project && project.teamIndex !== issue.teamIndex) issue.teamIndex = project.teamIndex;
    }
    if (patch.labels !== undefined) issue.labelIndexes = this.labelIndexes(patch.labels);
    if (patch.dueDate !== undefined) issue.dueDate = patch.dueDate;
    const state = this.stateIndex(issue.teamIndex, patch.stateType, patch.stateName);
    if (state !== undefined) this.applyState(issue, state, at);
    issue.updatedAt = at;
    this.touch('issues', 'projects');
    this.emit({ type: 'Issue', action: 'update', issue, before });
    return issue;
  }

  archiveIssue(id: string, archived = true): IssueRecord {
    const issue = this.requireIssue(id);
    const before = this.render.issue(issue);
    const at = this.stamp();
    issue.archivedAt = archived ? at : null;
    issue.updatedAt = at;
    this.touch('issues');
    this.emit({ type: 'Issue', action: 'update', issue, before });
    return issue;
  }

  /** Deleted issues (and their comments and customer needs) vanish from every query. */
  deleteIssue(id: string): IssueRecord {
    const issue = this.requireIssue(id);
    const before = this.render.issue(issue);
    issue.deleted = true;
    for (const comment of this.world.comments)
      if (comment.issueIndex === issue.index) comment.deleted = true;
    for (const need of this.world.needs) if (need.issueIndex === issue.index) need.deleted = true;
    this.touch('issues', 'comments', 'needs', 'projects');
    this.emit({ type: 'Issue', action: 'remove', issue, before });
    return issue;
  }

  addComment(input: AddCommentInput): CommentRecord {
    const issue = this.requireIssue(input.issueId);
    if (typeof input.body !== 'string' || input.body.trim() === '')
      throw new InputError('body is required');
    let parentIndex = -1;
    if (input.parentId) {
      const parent = this.comment(input.parentId);
      if (!parent || parent.issueIndex !== issue.index)
        throw new NotFoundError(`comment ${input.parentId} not found on this issue`);
      parentIndex = parent.index;
    }
    const at = this.stamp();
    const comment: CommentRecord = {
      index: this.world.comments.length,
      id: this.newId(),
      issueIndex: issue.index,
      userIndex: this.userIndex(input.userId, this.world.viewerIndex),
      parentIndex,
      createdAt: at,
      updatedAt: at,
      editedAt: null,
      archivedAt: null,
      deleted: false,
      bodyOverride: input.body,
    };
    this.world.comments.push(comment);
    this.byId.comments.set(comment.id, comment);
    this.touch('comments');
    this.emit({ type: 'Comment', action: 'create', comment, before: null });
    return comment;
  }

  editComment(id: string, body: string): CommentRecord {
    const comment = this.requireComment(id);
    if (typeof body !== 'string' || body.trim() === '') throw new InputError('body is required');
    const before = this.render.comment(comment);
    const at = this.stamp();
    comment.bodyOverride = body;
    comment.editedAt = at;
    comment.updatedAt = at;
    this.touch('comments');
    this.emit({ type: 'Comment', action: 'update', comment, before });
    return comment;
  }

  archiveComment(id: string, archived = true): CommentRecord {
    const comment = this.requireComment(id);
    const before = this.render.comment(comment);
    const at = this.stamp();
    comment.archivedAt = archived ? at : null;
    comment.updatedAt = at;
    this.touch('comments');
    this.emit({ type: 'Comment', action: 'update', comment, before });
    return comment;
  }

  deleteComment(id: string): CommentRecord {
    const comment = this.requireComment(id);
    const before = this.render.comment(comment);
    comment.deleted = true;
    this.touch('comments');
    this.emit({ type: 'Comment', action: 'remove', comment, before });
    return comment;
  }

  addCustomer(input: CustomerInput): CustomerRecord {
    if (!input.name?.trim()) throw new InputError('name is required');
    const at = this.stamp();
    const customer: CustomerRecord = {
      index: this.world.customers.length,
      id: this.newId(),
      slugId: rngFor(this.world.seedHash, NEW_IDS, this.created, 1).hex(12),
      companyIndex: -1,
      name: input.name,
      domains: normaliseDomains(input.domains ?? []),
      statusIndex: 0,
      ownerIndex: this.world.viewerIndex,
      revenue: null,
      size: null,
      createdAt: at,
      updatedAt: at,
      archivedAt: null,
      deleted: false,
    };
    this.world.customers.push(customer);
    this.byId.customers.set(customer.id, customer);
    this.touch('customers');
    return customer;
  }

  editCustomer(id: string, patch: CustomerInput): CustomerRecord {
    const customer = this.customer(id);
    if (!customer) throw new NotFoundError(`customer ${id} not found`);
    if (patch.name !== undefined) {
      if (!patch.name.trim()) throw new InputError('name must not be empty');
      customer.name = patch.name;
    }
    if (patch.domains !== undefined) customer.domains = normaliseDomains(patch.domains);
    customer.updatedAt = this.stamp();
    this.touch('customers');
    return customer;
  }

  archiveCustomer(id: string, archived = true): CustomerRecord {
    const customer = this.customer(id);
    if (!customer) throw new NotFoundError(`customer ${id} not found`);
    const at = this.stamp();
    customer.archivedAt = archived ? at : null;
    customer.updatedAt = at;
    this.touch('customers');
    return customer;
  }

  deleteCustomer(id: string): CustomerRecord {
    const customer = this.customer(id);
    if (!customer) throw new NotFoundError(`customer ${id} not found`);
    customer.deleted = true;
    for (const need of this.world.needs)
      if (need.customerIndex === customer.index) need.deleted = true;
    this.touch('customers', 'needs');
    return customer;
  }

  addNeed(input: {
    customerId: string;
    issueId: string;
    body?: string;
    priority?: number;
  }): NeedRecord {
    const customer = this.customer(input.customerId);
    if (!customer) throw new NotFoundError(`customer ${input.customerId} not found`);
    const issue = this.requireIssue(input.issueId);
    const at = this.stamp();
    const need: NeedRecord = {
      index: this.world.needs.length,
      id: this.newId(),
      customerIndex: customer.index,
      issueIndex: issue.index,
      creatorIndex: this.world.viewerIndex,
      priority: input.priority ?? 0,
      createdAt: at,
      updatedAt: at,
      archivedAt: null,
      deleted: false,
      bodyOverride: input.body ?? '',
    };
    this.world.needs.push(need);
    this.byId.needs.set(need.id, need);
    this.touch('needs');
    return need;
  }

  archiveProject(id: string, archived = true): ProjectRecord {
    const project = this.project(id);
    if (!project) throw new NotFoundError(`project ${id} not found`);
    const at = this.stamp();
    project.archivedAt = archived ? at : null;
    project.updatedAt = at;
    this.touch('projects');
    return project;
  }

  private requireIssue(id: string): IssueRecord {
    const issue = this.issueByIdOrIdentifier(id);
    if (!issue) throw new NotFoundError(`issue ${id} not found`);
    return issue;
  }

  private requireComment(id: string): CommentRecord {
    const comment = this.comment(id);
    if (!comment) throw new NotFoundError(`comment ${id} not found`);
    return comment;
  }
}

type RecordOf<K extends EntityKind> = K extends 'issues'
  ? IssueRecord
  : K extends 'comments'
    ? CommentRecord
    : K extends 'customers'
      ? CustomerRecord
      : K extends 'needs'
        ? NeedRecord
        : ProjectRecord;

function normaliseDomains(domains: string[]): string[] {
  if (!Array.isArray(domains) || domains.some((d) => typeof d !== 'string' || !d.includes('.')))
    throw new InputError('domains must be a list of domain names');
  return domains.map((d) => d.trim().toLowerCase());
}
