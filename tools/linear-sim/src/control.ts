// The simulator's control surface, used in-process (sim.control) and over HTTP (/__sim/...):
// change the workspace as people would in Linear, inject faults, read what was asked, and steer
// webhooks. Entities come back in their webhook `data` shape (render.ts).
import {
  studioTruth,
  type ActiveFault,
  type FaultSpec,
  type RequestLogEntry,
  type Studio,
  type StudioTruth,
  type WebhookDelivery,
} from '@cairn/studio';
import type { RateLimitSnapshot } from './graphql/schema.js';
import type { RateLimitOptions, ResolvedRateLimits } from './rate-limit.js';
import { commentData, customerData, issueData, needData, projectData, userData } from './render.js';
import type { LinearFaultKind, LinearFaultRoute, SimCore } from './sim-core.js';
import {
  NotFoundError,
  type AddCommentInput,
  type AddIssueInput,
  type CustomerInput,
  type IssuePatch,
} from './store.js';
import type { LinearWebhookAction, LinearWebhookType } from './webhooks.js';

type Json = Record<string, unknown>;

export type LinearFaultSpec = FaultSpec<LinearFaultRoute, LinearFaultKind>;
export type LinearActiveFault = ActiveFault<LinearFaultRoute, LinearFaultKind>;

export interface LinearSimStats {
  issues: number;
  archivedIssues: number;
  comments: number;
  archivedComments: number;
  customers: number;
  customerNeeds: number;
  projects: number;
  users: number;
  teams: number;
  requests: number;
  webhookDeliveries: number;
}

export interface LinearGroundTruth {
  /** Live issues in creation order, archived ones included unless `includeArchived: false`. */
  issues(options?: { includeArchived?: boolean }): Generator<Json>;
  comments(options?: { includeArchived?: boolean; issueId?: string }): Generator<Json>;
  customers(): Generator<Json>;
  customerNeeds(): Generator<Json>;
  projects(): Generator<Json>;
  users(): Generator<Json>;
}

export interface LinearSimControl {
  addIssue(input: AddIssueInput): Json;
  editIssue(id: string, patch: IssuePatch): Json;
  archiveIssue(id: string): Json;
  unarchiveIssue(id: string): Json;
  /** Gone from every query (its comments and customer needs with it); emits Issue `remove`. */
  deleteIssue(id: string): Json;
  addComment(input: AddCommentInput): Json;
  editComment(id: string, body: string): Json;
  archiveComment(id: string): Json;
  deleteComment(id: string): Json;
  addCustomer(input: CustomerInput & { name: string }): Json;
  editCustomer(id: string, patch: CustomerInput): Json;
  archiveCustomer(id: string): Json;
  deleteCustomer(id: string): Json;
  addCustomerNeed(input: {
    customerId: string;
    issueId: string;
    body?: string;
    priority?: number;
  }): Json;
  archiveProject(id: string): Json;
  stats(): LinearSimStats;
  groundTruth: LinearGroundTruth;
  /** The generated studio this workspace belongs to, and its people-linking truth. */
  studio(): Studio;
  studioTruth(): StudioTruth;
  injectFault(spec: LinearFaultSpec): LinearActiveFault;
  clearFaults(): void;
  faults(): LinearActiveFault[];
  requests(filter?: { route?: string }): RequestLogEntry[];
  clearRequests(): void;
  /** Points webhooks at a URL (null stops them); returns the signing secret in use. */
  configureWebhook(url: string | null, secret?: string): string;
  webhookDeliveries(): WebhookDelivery[];
  flushWebhooks(): Promise<void>;
  /** The body Linear would send now for an existing issue or comment (`remove` for a live one too). */
  buildWebhookPayload(type: LinearWebhookType, action: LinearWebhookAction, id: string): Json;
  /** Current limits, and the buckets of a credential (`api_key` or `oauth`). */
  rateLimits(credential?: 'api_key' | 'oauth'): {
    limits: ResolvedRateLimits;
    buckets: RateLimitSnapshot;
  };
  /** Changes limits and refills every bucket. */
  setRateLimits(options: RateLimitOptions): ResolvedRateLimits;
  resetRateLimits(): void;
}

export function createControl(core: SimCore): LinearSimControl {
  const { store, world } = core;
  const issue = (r: Parameters<typeof issueData>[1]) => issueData(world, r);
  const comment = (r: Parameters<typeof commentData>[1]) => commentData(world, r);
  const live = <T extends { deleted: boolean; archivedAt: number | null }>(
    items: T[],
    includeArchived = true,
  ) => items.filter((i) => !i.deleted && (includeArchived || i.archivedAt === null));

  return {
    addIssue: (input) => issue(store.addIssue(input)),
    editIssue: (id, patch) => issue(store.editIssue(id, patch)),
    archiveIssue: (id) => issue(store.archiveIssue(id, true)),
    unarchiveIssue: (id) => issue(store.archiveIssue(id, false)),
    deleteIssue: (id) => issue(store.deleteIssue(id)),
    addComment: (input) => comment(store.addComment(input)),
    editComment: (id, body) => comment(store.editComment(id, body)),
    archiveComment: (id) => comment(store.archiveComment(id, true)),
    deleteComment: (id) => comment(store.deleteComment(id)),
    addCustomer: (input) => customerData(world, store.addCustomer(input)),
    editCustomer: (id, patch) => customerData(world, store.editCustomer(id, patch)),
    archiveCustomer: (id) => customerData(world, store.archiveCustomer(id, true)),
    deleteCustomer: (id) => customerData(world, store.deleteCustomer(id)),
    addCustomerNeed: (input) => needData(world, store.addNeed(input)),
    archiveProject: (id) => projectData(world, store.archiveProject(id, true)),
    stats() {
      const issues = live(world.issues);
      const comments = live(world.comments);
      return {
        issues: issues.length,
        archivedIssues: issues.filter((i) => i.archivedAt !== null).length,
        comments: comments.length,
        archivedComments: comments.filter((c) => c.archivedAt !== null).length,
        customers: live(world.customers).length,
        customerNeeds: live(world.needs).length,
        projects: live(world.projects).length,
        users: world.users.length,
        teams: world.teams.length,
        requests: core.requestLog.size,
        webhookDeliveries: core.webhooks.deliveries().length,
      };
    },
    groundTruth: {
      *issues(options) {
        for (const r of store.sorted('issues', 'createdAt'))
          if (options?.includeArchived !== false || r.archivedAt === null) yield issue(r);
      },
      *comments(options) {
        const only = options?.issueId ? store.issueByIdOrIdentifier(options.issueId) : undefined;
        if (options?.issueId && !only)
          throw new NotFoundError(`issue ${options.issueId} not found`);
        for (const r of store.sorted('comments', 'createdAt')) {
          if (only && r.issueIndex !== only.index) continue;
          if (options?.includeArchived !== false || r.archivedAt === null) yield comment(r);
        }
      },
      *customers() {
        for (const r of store.sorted('customers', 'createdAt')) yield customerData(world, r);
      },
      *customerNeeds() {
        for (const r of store.sorted('needs', 'createdAt')) yield needData(world, r);
      },
      *projects() {
        for (const r of store.sorted('projects', 'createdAt')) yield projectData(world, r);
      },
      *users() {
        for (const r of world.users) yield userData(world, r);
      },
    },
    studio: () => core.studio,
    studioTruth: () => studioTruth(core.studio),
    injectFault: (spec) => core.faults.inject(spec),
    clearFaults: () => core.faults.clear(),
    faults: () => core.faults.list(),
    requests: (filter) => core.requestLog.list(filter),
    clearRequests: () => core.requestLog.clear(),
    configureWebhook(url, secret) {
      core.webhooks.configure(url, secret);
      return core.webhooks.secret;
    },
    webhookDeliveries: () => core.webhooks.deliveries(),
    flushWebhooks: () => core.webhooks.flush(),
    buildWebhookPayload(type, action, id) {
      if (type === 'Issue') {
        const found = store.issueByIdOrIdentifier(id);
        if (!found) throw new NotFoundError(`issue ${id} not found`);
        return core.payloadFor({ type, action, issue: found, before: issue(found) });
      }
      const found = store.comment(id);
      if (!found) throw new NotFoundError(`comment ${id} not found`);
      return core.payloadFor({ type, action, comment: found, before: comment(found) });
    },
    rateLimits: (credential = 'api_key') => ({
      limits: { ...core.rateLimiter.limits },
      buckets: core.rateLimiter.peek(credential),
    }),
    setRateLimits(options) {
      core.rateLimiter.configure(options);
      return { ...core.rateLimiter.limits };
    },
    resetRateLimits: () => core.rateLimiter.reset(),
  };
}
