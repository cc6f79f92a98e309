// The simulator's control surface, used in-process (sim.control) and over HTTP (/__sim/...):
// change the CRM as people would in Attio, inject faults, read what was asked, steer webhooks.
// Records, notes and tasks come back exactly as the API renders them.
import {
  studioTruth,
  type ActiveFault,
  type FaultSpec,
  type RequestLogEntry,
  type Studio,
  type StudioTruth,
  type WebhookDelivery,
} from '@cairn/studio';
import type { AttioRateLimitOptions } from './rate-limit.js';
import { renderMember, renderNote, renderRecord, renderTask } from './render.js';
import type { AttioFaultKind, AttioFaultRoute, SimCore } from './sim-core.js';
import type {
  AttioEventType,
  CompanyInput,
  DealInput,
  NoteInput,
  PersonInput,
  RecordPatch,
  TaskInput,
} from './store.js';
import { OBJECT_SLUGS, type ObjectSlug } from './world.js';

type Json = Record<string, unknown>;

export type AttioFaultSpec = FaultSpec<AttioFaultRoute, AttioFaultKind>;
export type AttioActiveFault = ActiveFault<AttioFaultRoute, AttioFaultKind>;

export interface AttioSimStats {
  people: number;
  companies: number;
  deals: number;
  notes: number;
  tasks: number;
  workspaceMembers: number;
  webhooks: number;
  requests: number;
  webhookDeliveries: number;
}

export interface AttioGroundTruth {
  /** Live records of an object in creation order, as the records endpoints render them. */
  records(object: ObjectSlug): Generator<Json>;
  notes(): Generator<Json>;
  tasks(): Generator<Json>;
  workspaceMembers(): Json[];
}

export interface AttioSimControl {
  addPerson(input: PersonInput): Json;
  addCompany(input: CompanyInput): Json;
  addDeal(input: DealInput): Json;
  /** New values for the given attributes; the old ones stay as history. */
  updateRecord(object: ObjectSlug, recordId: string, patch: RecordPatch): Json;
  deleteRecord(object: ObjectSlug, recordId: string): Json;
  addNote(input: NoteInput): Json;
  editNote(noteId: string, patch: { title?: string; content?: string }): Json;
  deleteNote(noteId: string): Json;
  addTask(input: TaskInput): Json;
  updateTask(
    taskId: string,
    patch: Partial<Pick<TaskInput, 'content' | 'deadlineAt' | 'isCompleted' | 'assigneeIds'>>,
  ): Json;
  deleteTask(taskId: string): Json;
  /** Puts a record in a list (`clients` is seeded); returns the entry as the API renders it. */
  addListEntry(list: string, recordId: string): Json;
  /** Takes a record out of a list; returns the entries removed. */
  removeListEntry(list: string, recordId: string): Json[];
  /** The live entries' parent record ids, oldest first. */
  listRecordIds(list: string): string[];
  /** The token then answers `{active: false}` at /v2/self and 401 elsewhere; false restores it. */
  revokeToken(revoked?: boolean): void;
  stats(): AttioSimStats;
  groundTruth: AttioGroundTruth;
  studio(): Studio;
  studioTruth(): StudioTruth;
  injectFault(spec: AttioFaultSpec): AttioActiveFault;
  clearFaults(): void;
  faults(): AttioActiveFault[];
  requests(filter?: { route?: string }): RequestLogEntry[];
  clearRequests(): void;
  /**
   * Points the control webhook (every record, note and task event) at a URL, null removes it;
   * returns its signing secret. Webhooks created through POST /v2/webhooks are delivered too.
   */
  configureWebhook(url: string | null, secret?: string): string | null;
  webhookDeliveries(): WebhookDelivery[];
  flushWebhooks(): Promise<void>;
  /** An event as Attio would put it in a delivery, for crafting deliveries in tests. */
  buildWebhookEvent(eventType: AttioEventType, id: string, object?: ObjectSlug): Json;
  setRateLimits(options: AttioRateLimitOptions): Required<AttioRateLimitOptions>;
}

export function createControl(core: SimCore): AttioSimControl {
  const { store, world } = core;
  const record = (r: Parameters<typeof renderRecord>[1]) => renderRecord(world, r, store.teamOf);
  const actor = () => ({ type: 'workspace-member', id: world.members[world.tokenMemberIndex]!.id });

  return {
    addPerson: (input) => record(store.addRecord('people', input)),
    addCompany: (input) => record(store.addRecord('companies', input)),
    addDeal: (input) => record(store.addRecord('deals', input)),
    updateRecord: (object, id, patch) =>
      record(store.updateRecord(store.objectOf(object), id, patch)),
    deleteRecord: (object, id) => record(store.deleteRecord(store.objectOf(object), id)),
    addNote: (input) => renderNote(world, store.addNote(input)),
    editNote: (id, patch) => renderNote(world, store.editNote(id, patch)),
    deleteNote: (id) => renderNote(world, store.deleteNote(id)),
    addTask: (input) => renderTask(world, store.addTask(input)),
    updateTask: (id, patch) => renderTask(world, store.updateTask(id, patch)),
    deleteTask: (id) => renderTask(world, store.deleteTask(id)),
    addListEntry: (list, recordId) => core.lists.addEntry(list, recordId),
    removeListEntry: (list, recordId) => core.lists.removeRecord(list, recordId),
    listRecordIds: (list) => core.lists.entries(list).map((e) => e.recordId),
    revokeToken(revoked = true) {
      core.revoked = revoked;
    },
    stats: () => ({
      people: store.records('people').length,
      companies: store.records('companies').length,
      deals: store.records('deals').length,
      notes: store.notes().length,
      tasks: store.tasks().length,
      workspaceMembers: world.members.length,
      webhooks: core.webhooks.list().length,
      requests: core.requestLog.size,
      webhookDeliveries: core.webhooks.deliveries().length,
    }),
    groundTruth: {
      *records(object) {
        for (const r of store.records(store.objectOf(object))) yield record(r);
      },
      *notes() {
        for (const n of store.notes()) yield renderNote(world, n);
      },
      *tasks() {
        for (const t of store.tasks()) yield renderTask(world, t);
      },
      workspaceMembers: () => world.members.map((_m, i) => renderMember(world, i)),
    },
    studio: () => core.studio,
    studioTruth: () => studioTruth(core.studio),
    injectFault: (spec) => core.faults.inject(spec),
    clearFaults: () => core.faults.clear(),
    faults: () => core.faults.list(),
    requests: (filter) => core.requestLog.list(filter),
    clearRequests: () => core.requestLog.clear(),
    configureWebhook: (url, secret) => core.configureWebhook(url, secret),
    webhookDeliveries: () => core.webhooks.deliveries(),
    flushWebhooks: () => core.webhooks.flush(),
    buildWebhookEvent(eventType, id, object) {
      const workspace_id = world.workspace.id;
      if (eventType.startsWith('record.')) {
        const slug = object ?? OBJECT_SLUGS.find((o) => world.records[o].some((r) => r.id === id));
        if (!slug) throw new Error(`record ${id} not found`);
        const entry = store.record(slug, id);
        return {
          event_type: eventType,
          id: { workspace_id, object_id: world.objects[entry.object].id, record_id: entry.id },
          actor: actor(),
        };
      }
      if (eventType.startsWith('note')) {
        const note = store.note(id);
        return {
          event_type: eventType,
          id: { workspace_id, note_id: note.id },
          parent_object_id: world.objects[note.parentObject].id,
          parent_record_id: note.parentRecordId,
          actor: actor(),
        };
      }
      return {
        event_type: eventType,
        id: { workspace_id, task_id: store.task(id).id },
        actor: actor(),
      };
    },
    setRateLimits(options) {
      core.rateWindow.configure(options);
      return { ...core.rateWindow.limits };
    },
  };
}
