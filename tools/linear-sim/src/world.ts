// The generated Linear workspace of the studio: organisation, users (the staff), teams with their
// workflow states, labels, one project per client engagement, customers (the studio's clients, with
// their domains), issues, comments and customer needs. Records hold no text: titles, descriptions
// and bodies are rebuilt on demand from (seed, index) unless a control operation replaced them, so
// the bench size (20,000 issues, 60,000 comments) builds in well under a second.
import { mix, rngFor, type Language, type Studio } from '@cairn/studio';
import { WORK_KINDS } from './corpus.js';
import type { ResolvedLinearSize } from './sizes.js';

export interface UserRecord {
  index: number;
  id: string;
  name: string;
  displayName: string;
  email: string;
  admin: boolean;
  active: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface TeamRecord {
  index: number;
  id: string;
  key: string;
  name: string;
  description: string;
  color: string;
  icon: string;
  createdAt: number;
  updatedAt: number;
  /** Last issue number given in this team. */
  lastNumber: number;
}

export type StateType = 'triage' | 'backlog' | 'unstarted' | 'started' | 'completed' | 'canceled';

export interface StateRecord {
  index: number;
  id: string;
  teamIndex: number;
  name: string;
  type: StateType;
  color: string;
  position: number;
  createdAt: number;
  updatedAt: number;
}

export interface LabelRecord {
  index: number;
  id: string;
  name: string;
  color: string;
  description: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface ProjectStatusRecord {
  index: number;
  id: string;
  name: string;
  type: 'backlog' | 'planned' | 'started' | 'paused' | 'completed' | 'canceled';
  color: string;
  position: number;
}

export interface ProjectRecord {
  index: number;
  id: string;
  slugId: string;
  companyIndex: number;
  topicKey: string;
  language: Language;
  teamIndex: number;
  leadIndex: number;
  statusIndex: number;
  color: string;
  priority: number;
  createdAt: number;
  updatedAt: number;
  startedAt: number | null;
  completedAt: number | null;
  canceledAt: number | null;
  archivedAt: number | null;
  startDate: string | null;
  targetDate: string | null;
  deleted: boolean;
}

export interface CustomerRecord {
  index: number;
  id: string;
  slugId: string;
  companyIndex: number;
  name: string;
  domains: string[];
  statusIndex: number;
  ownerIndex: number;
  revenue: number | null;
  size: number | null;
  createdAt: number;
  updatedAt: number;
  archivedAt: number | null;
  deleted: boolean;
}

export interface IssueRecord {
  index: number;
  id: string;
  teamIndex: number;
  number: number;
  projectIndex: number;
  stateIndex: number;
  priority: number;
  assigneeIndex: number;
  creatorIndex: number;
  labelIndexes: number[];
  estimate: number | null;
  dueDate: string | null;
  createdAt: number;
  updatedAt: number;
  startedAt: number | null;
  completedAt: number | null;
  canceledAt: number | null;
  archivedAt: number | null;
  deleted: boolean;
  language: Language;
  topicKey: string;
  kindIndex: number;
  /** Set once a control operation replaced the generated text. */
  titleOverride: string | null;
  descriptionOverride: { value: string | null } | null;
}

export interface CommentRecord {
  index: number;
  id: string;
  issueIndex: number;
  userIndex: number;
  parentIndex: number;
  createdAt: number;
  updatedAt: number;
  editedAt: number | null;
  archivedAt: number | null;
  deleted: boolean;
  bodyOverride: string | null;
}

export interface NeedRecord {
  index: number;
  id: string;
  customerIndex: number;
  issueIndex: number;
  creatorIndex: number;
  priority: number;
  createdAt: number;
  updatedAt: number;
  archivedAt: number | null;
  deleted: boolean;
  bodyOverride: string | null;
}

export interface LinearWorld {
  seedHash: number;
  studio: Studio;
  organization: { id: string; name: string; urlKey: string; createdAt: number; updatedAt: number };
  /**
   * Where the entities' `url` links point: Linear's web app, or the simulator itself when it was
   * started with `selfLinks` (the demo), so a link in Cairn opens a page that answers.
   */
  webOrigin: string;
  /** The user the API key belongs to. */
  viewerIndex: number;
  users: UserRecord[];
  teams: TeamRecord[];
  states: StateRecord[];
  labels: LabelRecord[];
  projectStatuses: ProjectStatusRecord[];
  customerStatuses: { id: string; name: string; color: string; position: number }[];
  projects: ProjectRecord[];
  customers: CustomerRecord[];
  issues: IssueRecord[];
  comments: CommentRecord[];
  needs: NeedRecord[];
  /** Unix milliseconds. */
  historyEnd: number;
}

const NS = {
  org: 8_000,
  user: 8_001,
  team: 8_002,
  state: 8_003,
  label: 8_004,
  projectStatus: 8_005,
  customerStatus: 8_006,
  project: 8_007,
  issue: 8_008,
  comment: 8_009,
  need: 8_010,
  plan: 8_011,
  issueText: 8_012,
  commentText: 8_013,
  needText: 8_014,
  projectText: 8_015,
  customer: 8_016,
} as const;
export { NS as LINEAR_NS };

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const TEAMS = [
  {
    key: 'BRD',
    name: 'Брендинг',
    description: 'Логотипы, фирменный стиль, упаковка',
    color: '#E2A33C',
    icon: 'Palette',
  },
  { key: 'WEB', name: 'Веб', description: 'Сайты и лендинги', color: '#4EA7FC', icon: 'Globe' },
] as const;

const STATES: readonly { name: string; type: StateType; color: string }[] = [
  { name: 'Triage', type: 'triage', color: '#FC7840' },
  { name: 'Backlog', type: 'backlog', color: '#BEC2C8' },
  { name: 'Todo', type: 'unstarted', color: '#E2E2E2' },
  { name: 'In Progress', type: 'started', color: '#F2C94C' },
  { name: 'In Review', type: 'started', color: '#0F783C' },
  { name: 'Done', type: 'completed', color: '#5E6AD2' },
  { name: 'Canceled', type: 'canceled', color: '#95A2B3' },
];

const LABELS = [
  { name: 'Макеты', color: '#BB87FC', description: 'Макеты и концепции' },
  { name: 'Правки', color: '#F2994A', description: 'Правки клиента' },
  { name: 'Счёт', color: '#4CB782', description: 'Счета и оплаты' },
  { name: 'Срочно', color: '#EB5757', description: null },
  { name: 'Launch', color: '#26B5CE', description: 'Launch and handover' },
  { name: 'Print', color: '#95A2B3', description: 'Print production' },
  { name: 'Client feedback', color: '#F7C8C1', description: null },
] as const;

const PROJECT_STATUSES: readonly Omit<ProjectStatusRecord, 'index' | 'id'>[] = [
  { name: 'Backlog', type: 'backlog', color: '#BEC2C8', position: 0 },
  { name: 'Planned', type: 'planned', color: '#E2E2E2', position: 1 },
  { name: 'In Progress', type: 'started', color: '#F2C94C', position: 2 },
  { name: 'Paused', type: 'paused', color: '#95A2B3', position: 3 },
  { name: 'Completed', type: 'completed', color: '#5E6AD2', position: 4 },
  { name: 'Canceled', type: 'canceled', color: '#EB5757', position: 5 },
];

/** The topic → team rule the studio uses: web work to Веб, everything else to Брендинг. */
export function teamForTopic(topicKey: string): number {
  return topicKey === 'website' || topicKey === 'landing' ? 1 : 0;
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export const LINEAR_WEB_ORIGIN = 'https://linear.app';

export function buildLinearWorld(studio: Studio, size: ResolvedLinearSize): LinearWorld {
  const base = mix(studio.seedHash, 8_000);
  const uuid = (ns: number, index: number) => rngFor(base, ns, index).uuid();
  const slugId = (ns: number, index: number) => rngFor(base, ns, index, 1).hex(12);
  const historyEnd = studio.historyEnd * 1000;
  const epoch = historyEnd - 365 * DAY;
  const orgCreated = historyEnd - 3 * 365 * DAY;

  const users: UserRecord[] = studio.staff.map((member) => ({
    index: member.index,
    id: member.linearUserId,
    name: member.name,
    displayName: member.email.split('@')[0]!,
    email: member.linearEmail,
    admin: member.role === 'admin',
    active: member.active,
    createdAt: member.createdAt * 1000,
    updatedAt: member.createdAt * 1000 + 30 * DAY,
  }));
  const activeUsers = users.filter((u) => u.active).map((u) => u.index);
  const viewerIndex = Math.max(
    0,
    studio.staff.findIndex((m) => m.email.startsWith('anna.smirnova@')),
  );

  const teams: TeamRecord[] = TEAMS.map((team, index) => ({
    index,
    id: uuid(NS.team, index),
    ...team,
    createdAt: orgCreated + index * DAY,
    updatedAt: orgCreated + 40 * DAY,
    lastNumber: 0,
  }));
  const states: StateRecord[] = [];
  for (const team of teams) {
    STATES.forEach((state, position) => {
      states.push({
        index: states.length,
        id: uuid(NS.state, states.length),
        teamIndex: team.index,
        ...state,
        position,
        createdAt: team.createdAt,
        updatedAt: team.createdAt,
      });
    });
  }
  const labels: LabelRecord[] = LABELS.map((label, index) => ({
    index,
    id: uuid(NS.label, index),
    ...label,
    createdAt: orgCreated + (10 + index) * DAY,
    updatedAt: orgCreated + (10 + index) * DAY,
  }));
  const projectStatuses = PROJECT_STATUSES.map((status, index) => ({
    index,
    id: uuid(NS.projectStatus, index),
    ...status,
  }));
  const customerStatuses = [
    { id: uuid(NS.customerStatus, 0), name: 'Active', color: '#4CB782', position: 0 },
    { id: uuid(NS.customerStatus, 1), name: 'Churned', color: '#95A2B3', position: 1 },
  ];

  const customers: CustomerRecord[] = [];
  const projects: ProjectRecord[] = [];
  for (const company of studio.companies) {
    if (!company.linearCustomerId) continue;
    const rng = rngFor(base, NS.customer, company.index);
    const createdAt = Math.max(orgCreated, company.createdAt * 1000);
    const customer: CustomerRecord = {
      index: customers.length,
      id: company.linearCustomerId,
      slugId: slugId(NS.customer, company.index),
      companyIndex: company.index,
      name: company.name,
      domains: [...company.domains],
      statusIndex: rng.chance(0.9) ? 0 : 1,
      ownerIndex: rng.pick(activeUsers),
      revenue: rng.chance(0.6) ? rng.int(2, 80) * 10_000 : null,
      size: rng.chance(0.5) ? rng.int(3, 120) : null,
      createdAt,
      updatedAt: createdAt + rng.int(1, 60) * DAY,
      archivedAt: null,
      deleted: false,
    };
    customers.push(customer);
    for (const topicKey of company.topics.slice(0, 2)) {
      const index = projects.length;
      const prng = rngFor(base, NS.project, index);
      const started = Math.max(createdAt, epoch + prng.int(0, 300) * DAY);
      const statusIndex = prng.weighted({ 1: 10, 2: 45, 3: 8, 4: 30, 5: 7 } as Record<
        string,
        number
      >);
      const status = Number(statusIndex);
      const closed = Math.min(historyEnd - DAY, started + prng.int(20, 120) * DAY);
      projects.push({
        index,
        id: uuid(NS.project, index),
        slugId: slugId(NS.project, index),
        companyIndex: company.index,
        topicKey,
        language: company.language,
        teamIndex: teamForTopic(topicKey),
        leadIndex: prng.pick(activeUsers),
        statusIndex: status,
        color: `#${prng.hex(6).toUpperCase()}`,
        priority: prng.int(0, 4),
        createdAt: started - prng.int(1, 10) * DAY,
        updatedAt:
          status >= 4 ? closed : Math.min(historyEnd - HOUR, started + prng.int(5, 90) * DAY),
        startedAt: status >= 2 ? started : null,
        completedAt: status === 4 ? closed : null,
        canceledAt: status === 5 ? closed : null,
        archivedAt: null,
        startDate: isoDate(started),
        targetDate: prng.chance(0.7) ? isoDate(started + prng.int(20, 90) * DAY) : null,
        deleted: false,
      });
    }
  }

  const world: LinearWorld = {
    seedHash: base,
    studio,
    organization: {
      id: uuid(NS.org, 0),
      name: studio.name,
      urlKey: studio.slug,
      createdAt: orgCreated,
      updatedAt: orgCreated + 90 * DAY,
    },
    webOrigin: LINEAR_WEB_ORIGIN,
    viewerIndex,
    users,
    teams,
    states,
    labels,
    projectStatuses,
    customerStatuses,
    projects,
    customers,
    issues: [],
    comments: [],
    needs: [],
    historyEnd,
  };
  buildIssues(world, size.issues, base, uuid, epoch, activeUsers);
  backdateToFirstIssue(world);
  buildComments(world, size.comments, base, uuid, activeUsers);
  buildNeeds(world, base, uuid);
  return world;
}

/** A project starts before its first issue, and its customer before the project. */
function backdateToFirstIssue(world: LinearWorld): void {
  const first = new Map<number, number>();
  for (const issue of world.issues) {
    if (issue.projectIndex >= 0 && !first.has(issue.projectIndex))
      first.set(issue.projectIndex, issue.createdAt);
  }
  const customerOfCompany = new Map(world.customers.map((c) => [c.companyIndex, c]));
  for (const project of world.projects) {
    const firstIssue = first.get(project.index);
    if (firstIssue !== undefined && firstIssue - DAY < project.createdAt) {
      project.createdAt = firstIssue - DAY;
      if (project.startedAt !== null) project.startedAt = Math.min(project.startedAt, firstIssue);
      project.startDate = isoDate(project.startedAt ?? project.createdAt);
    }
    const customer = customerOfCompany.get(project.companyIndex);
    if (customer && customer.createdAt > project.createdAt - DAY)
      customer.createdAt = project.createdAt - DAY;
  }
}

/** The state of a team with a type, the first such (e.g. "In Progress" for started). */
function stateOf(world: LinearWorld, teamIndex: number, type: StateType, second = false): number {
  const matching = world.states.filter((s) => s.teamIndex === teamIndex && s.type === type);
  return (second && matching[1] ? matching[1] : matching[0])!.index;
}

function buildIssues(
  world: LinearWorld,
  count: number,
  base: number,
  uuid: (ns: number, index: number) => string,
  epoch: number,
  activeUsers: number[],
): void {
  const span = world.historyEnd - epoch;
  const projectCount = world.projects.length;
  for (let i = 0; i < count; i++) {
    const rng = rngFor(base, NS.plan, i);
    const createdAt = Math.floor(epoch + (span * (i + rng.next() * 0.9)) / Math.max(1, count));
    // Studio-internal work has no project; client work belongs to the client's project.
    const projectIndex =
      projectCount > 0 && rng.chance(0.9)
        ? Math.min(projectCount - 1, Math.floor(rng.next() ** 1.3 * projectCount))
        : -1;
    const project = projectIndex >= 0 ? world.projects[projectIndex]! : null;
    const topicKey = project?.topicKey ?? rng.pick(world.studio.topics).key;
    const teamIndex = project?.teamIndex ?? teamForTopic(topicKey);
    const language: Language = project?.language ?? (rng.chance(0.7) ? 'ru' : 'en');
    const age = world.historyEnd - createdAt;
    const type: StateType =
      age > 60 * DAY
        ? rng.weighted({ completed: 70, canceled: 10, started: 8, backlog: 12 })
        : age > 14 * DAY
          ? rng.weighted({ completed: 40, started: 30, unstarted: 20, backlog: 5, canceled: 5 })
          : rng.weighted({ triage: 10, backlog: 15, unstarted: 30, started: 40, completed: 5 });
    // Work touched after the end of history is cut back to a random moment of its last day.
    let updatedAt = createdAt + rng.int(1, 30 * 24) * HOUR + rng.int(0, HOUR - 1);
    if (updatedAt >= world.historyEnd)
      updatedAt = Math.max(createdAt + 1, world.historyEnd - rng.int(1, DAY));
    const closed = type === 'completed' || type === 'canceled';
    const startedAt =
      type === 'started' || type === 'completed'
        ? createdAt + Math.floor((updatedAt - createdAt) * rng.next() * 0.5)
        : null;
    let archivedAt: number | null = null;
    let finalUpdated = updatedAt;
    if (closed && age > 150 * DAY && rng.chance(0.25)) {
      // Linear archives closed issues after a while; archiving touches updatedAt.
      archivedAt = Math.min(world.historyEnd - DAY, updatedAt + 90 * DAY);
      finalUpdated = archivedAt;
    }
    const team = world.teams[teamIndex]!;
    const labelIndexes: number[] = [];
    for (let l = rng.int(0, 2); l > 0; l--) {
      const label = rng.int(0, world.labels.length - 1);
      if (!labelIndexes.includes(label)) labelIndexes.push(label);
    }
    world.issues.push({
      index: i,
      id: uuid(NS.issue, i),
      teamIndex,
      number: ++team.lastNumber,
      projectIndex,
      stateIndex: stateOf(world, teamIndex, type, type === 'started' && rng.chance(0.3)),
      priority: Number(
        rng.weighted({ 0: 30, 1: 5, 2: 20, 3: 30, 4: 15 } as Record<string, number>),
      ),
      assigneeIndex: rng.chance(0.85) ? rng.pick(activeUsers) : -1,
      creatorIndex:
        age > 200 * DAY && rng.chance(0.2) ? world.users.length - 1 : rng.pick(activeUsers),
      labelIndexes,
      estimate: rng.chance(0.4) ? rng.pick([1, 2, 3, 5, 8]) : null,
      dueDate: rng.chance(0.4) ? isoDate(createdAt + rng.int(3, 30) * DAY) : null,
      createdAt,
      updatedAt: finalUpdated,
      startedAt,
      completedAt: type === 'completed' ? updatedAt : null,
      canceledAt: type === 'canceled' ? updatedAt : null,
      archivedAt,
      deleted: false,
      language,
      topicKey,
      kindIndex: rng.int(0, WORK_KINDS.length - 1),
      titleOverride: null,
      descriptionOverride: null,
    });
  }
}

function buildComments(
  world: LinearWorld,
  count: number,
  base: number,
  uuid: (ns: number, index: number) => string,
  activeUsers: number[],
): void {
  const issues = world.issues;
  if (issues.length === 0 || count === 0) return;
  // A skewed seeded share of the comments per issue, as in chatwoot-sim's message counts.
  const weights = new Float64Array(issues.length);
  let total = 0;
  for (let i = 0; i < issues.length; i++) {
    const u = rngFor(base, NS.comment, i, 7).next();
    weights[i] = 0.2 + u * u * 3;
    total += weights[i]!;
  }
  let assigned = 0;
  const counts = new Uint32Array(issues.length);
  for (let i = 0; i < issues.length; i++) {
    counts[i] = Math.floor((weights[i]! / total) * count);
    assigned += counts[i]!;
  }
  for (let i = 0; assigned < count; i = (i + 1) % issues.length) {
    counts[i]!++;
    assigned++;
  }
  for (const issue of issues) {
    const n = counts[issue.index]!;
    const first = world.comments.length;
    for (let j = 0; j < n; j++) {
      const index = world.comments.length;
      const rng = rngFor(base, NS.comment, index);
      const window = Math.max(60_000, issue.updatedAt - issue.createdAt);
      const createdAt = issue.createdAt + Math.floor((window * (j + rng.next())) / (n + 1));
      const edited = rng.chance(0.1);
      const editedAt = edited
        ? Math.min(world.historyEnd - 1_000, createdAt + rng.int(60, 2 * 86_400) * 1000)
        : null;
      const updatedAt = editedAt ?? createdAt;
      world.comments.push({
        index,
        id: uuid(NS.comment, index),
        issueIndex: issue.index,
        userIndex:
          issue.assigneeIndex >= 0 && rng.chance(0.5) ? issue.assigneeIndex : rng.pick(activeUsers),
        parentIndex: j > 0 && rng.chance(0.15) ? first + rng.int(0, j - 1) : -1,
        createdAt,
        updatedAt,
        editedAt,
        archivedAt: rng.chance(0.02) ? updatedAt : null,
        deleted: false,
        bodyOverride: null,
      });
    }
  }
}

function buildNeeds(
  world: LinearWorld,
  base: number,
  uuid: (ns: number, index: number) => string,
): void {
  const customerOfCompany = new Map(world.customers.map((c) => [c.companyIndex, c.index]));
  const seen = new Set<number>();
  for (const issue of world.issues) {
    if (issue.projectIndex < 0) continue;
    const project = world.projects[issue.projectIndex]!;
    const customerIndex = customerOfCompany.get(project.companyIndex);
    if (customerIndex === undefined) continue;
    const rng = rngFor(base, NS.need, issue.index);
    // Every customer with work has at least one request; then about one issue in seven.
    if (seen.has(customerIndex) && !rng.chance(0.15)) continue;
    seen.add(customerIndex);
    const index = world.needs.length;
    const createdAt = Math.max(
      world.customers[customerIndex]!.createdAt,
      issue.createdAt - rng.int(0, 72) * HOUR,
    );
    world.needs.push({
      index,
      id: uuid(NS.need, index),
      customerIndex,
      issueIndex: issue.index,
      creatorIndex: issue.creatorIndex,
      priority: rng.chance(0.2) ? 1 : 0,
      createdAt,
      updatedAt: createdAt + rng.int(0, 48) * HOUR,
      archivedAt: null,
      deleted: false,
      bodyOverride: null,
    });
  }
}
