// The live state of the simulated workspace: the generated world plus every change made through
// the control API. A change never rewrites a value: the old row gets active_until and a new row
// becomes active, as Attio keeps history. Each change emits the webhook events Attio would send.
import { rngFor } from '@cairn/studio';
import { notFound } from './errors.js';
import { noteText } from './render.js';
import {
  emailFields,
  memberActor,
  reference,
  rootDomain,
  type Actor,
  type AttioWorld,
  type NoteRecord,
  type ObjectSlug,
  type RecordEntry,
  type TaskRecord,
  type ValueRow,
} from './world.js';

export type AttioEventType =
  | 'record.created'
  | 'record.updated'
  | 'record.deleted'
  | 'note.created'
  | 'note.updated'
  | 'note-content.updated'
  | 'note.deleted'
  | 'task.created'
  | 'task.updated'
  | 'task.deleted';

/** One webhook event, ids only, as Attio sends it. */
export type AttioEvent = { event_type: AttioEventType; id: Record<string, string> } & Record<
  string,
  unknown
>;

export class InputError extends Error {}

export interface PersonInput {
  name: string | { first_name: string; last_name: string };
  emails?: string[];
  /** E.164, or `{ original, e164 }` to keep the typed form. */
  phones?: (string | { original: string; e164: string })[];
  companyId?: string | null;
  jobTitle?: string | null;
}

export interface CompanyInput {
  name: string;
  domains?: string[];
  description?: string | null;
}

export interface DealInput {
  name: string;
  /** A stage title: Lead, In Progress, Won 🎉, Lost. */
  stage?: string;
  companyId?: string | null;
  peopleIds?: string[];
  ownerId?: string;
  value?: number;
  currency?: string;
}

export type RecordPatch = Partial<
  Omit<PersonInput, 'name'> &
    Omit<CompanyInput, 'name'> &
    Omit<DealInput, 'name'> & { name: PersonInput['name'] }
>;

export interface NoteInput {
  parentObject: ObjectSlug;
  parentRecordId: string;
  title: string;
  /** Markdown; content_plaintext is derived from it. */
  content: string;
}

export interface TaskInput {
  content: string;
  deadlineAt?: string | null;
  isCompleted?: boolean;
  linked?: { object: ObjectSlug; recordId: string }[];
  assigneeIds?: string[];
}

const NEW_IDS = 9_100;

export class AttioStore {
  private version = 0;
  private teamCache: { version: number; byCompany: Map<string, ValueRow[]> } | null = null;
  private readonly byId = new Map<string, RecordEntry>();
  private readonly notesById = new Map<string, NoteRecord>();
  private readonly tasksById = new Map<string, TaskRecord>();
  private lastChange: number;
  private created = 0;
  private listener: (events: AttioEvent[]) => void = () => undefined;

  constructor(
    readonly world: AttioWorld,
    private readonly clock: () => number,
  ) {
    for (const object of Object.values(world.records))
      for (const record of object) this.byId.set(record.id, record);
    for (const note of world.notes) this.notesById.set(note.id, note);
    for (const task of world.tasks) this.tasksById.set(task.id, task);
    // Generated history ends at historyEnd; every change comes after it.
    this.lastChange = world.historyEnd;
  }

  onEvents(listener: (events: AttioEvent[]) => void): void {
    this.listener = listener;
  }

  // ---- reading -------------------------------------------------------------------------------

  objectOf(slugOrId: string): ObjectSlug {
    const object = Object.values(this.world.objects).find(
      (o) => o.slug === slugOrId || o.id === slugOrId,
    );
    if (!object) throw notFound(`Object with slug/ID "${slugOrId}" not found.`);
    return object.slug;
  }

  record(object: ObjectSlug, id: string): RecordEntry {
    const record = this.byId.get(id);
    if (!record || record.deleted || record.object !== object)
      throw notFound(`Record with ID "${id}" not found.`);
    return record;
  }

  /** Live records of an object in creation order. */
  records(object: ObjectSlug): RecordEntry[] {
    return this.world.records[object].filter((r) => !r.deleted);
  }

  note(id: string): NoteRecord {
    const note = this.notesById.get(id);
    if (!note || note.deleted) throw notFound(`Note with ID "${id}" not found.`);
    return note;
  }

  notes(): NoteRecord[] {
    return this.world.notes.filter((n) => !n.deleted);
  }

  task(id: string): TaskRecord {
    const task = this.tasksById.get(id);
    if (!task || task.deleted) throw notFound(`Task with ID "${id}" not found.`);
    return task;
  }

  tasks(): TaskRecord[] {
    return this.world.tasks.filter((t) => !t.deleted);
  }

  /**
   * A company's `team`: its people, one value per person whose active `company` points at it,
   * made active when that reference was.
   */
  teamOf = (companyId: string): ValueRow[] => {
    if (!this.teamCache || this.teamCache.version !== this.version) {
      const byCompany = new Map<string, ValueRow[]>();
      for (const person of this.records('people')) {
        const row = person.values.get('company')?.find((r) => r.activeUntil === null);
        const id = row?.fields['target_record_id'] as string | undefined;
        if (!row || !id) continue;
        const team = byCompany.get(id) ?? [];
        team.push({ ...row, fields: reference('people', person.id) });
        byCompany.set(id, team);
      }
      this.teamCache = { version: this.version, byCompany };
    }
    return this.teamCache.byCompany.get(companyId) ?? [];
  };

  // ---- changing ------------------------------------------------------------------------------

  private stamp(): number {
    this.lastChange = Math.max(this.clock(), this.lastChange + 1);
    return this.lastChange;
  }

  private newId(): string {
    return rngFor(this.world.seedHash, NEW_IDS, ++this.created).uuid();
  }

  private actor(): Actor {
    return memberActor(this.world, this.world.tokenMemberIndex);
  }

  private emit(events: AttioEvent[]): void {
    this.version++;
    if (events.length > 0) this.listener(events);
  }

  private recordEvent(type: AttioEventType, record: RecordEntry, attribute?: string): AttioEvent {
    const object = this.world.objects[record.object];
    return {
      event_type: type,
      id: {
        workspace_id: this.world.workspace.id,
        object_id: object.id,
        record_id: record.id,
        ...(attribute && { attribute_id: object.attributes.find((a) => a.slug === attribute)!.id }),
      },
      actor: this.actor(),
    };
  }

  private ref(object: ObjectSlug, id: string): Record<string, unknown> {
    this.record(object, id);
    return reference(object, id);
  }

  /** The value rows an input sets, attribute by attribute (only the attributes given). */
  private rowsFor(object: ObjectSlug, input: RecordPatch, at: number): Map<string, ValueRow[]> {
    const actor = this.actor();
    const rows = new Map<string, ValueRow[]>();
    const set = (slug: string, values: Record<string, unknown>[]) =>
      rows.set(
        slug,
        values.map((fields) => ({ fields, activeFrom: at, activeUntil: null, actor })),
      );
    const allowed: Record<ObjectSlug, string[]> = {
      people: ['name', 'emails', 'phones', 'companyId', 'jobTitle'],
      companies: ['name', 'domains', 'description'],
      deals: ['name', 'stage', 'companyId', 'peopleIds', 'ownerId', 'value', 'currency'],
    };
    for (const key of Object.keys(input))
      if (!allowed[object].includes(key))
        throw new InputError(`${key} is not an attribute of ${object} here`);
    if (input.name !== undefined) {
      if (object === 'people') {
        const name =
          typeof input.name === 'string'
            ? {
                first_name: input.name.split(' ')[0] ?? '',
                last_name: input.name.split(' ').slice(1).join(' '),
              }
            : input.name;
        set('name', [
          {
            first_name: name.first_name,
            last_name: name.last_name,
            full_name: `${name.first_name} ${name.last_name}`.trim(),
            attribute_type: 'personal-name',
          },
        ]);
      } else {
        if (typeof input.name !== 'string' || input.name.trim() === '')
          throw new InputError('name must be a non-empty string');
        set('name', [{ value: input.name, attribute_type: 'text' }]);
      }
    }
    if (input.emails !== undefined) {
      if (!input.emails.every((e) => typeof e === 'string' && /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(e)))
        throw new InputError('emails must be email addresses');
      set('email_addresses', input.emails.map(emailFields));
    }
    if (input.phones !== undefined)
      set(
        'phone_numbers',
        input.phones.map((phone) => {
          const { original, e164 } =
            typeof phone === 'string' ? { original: phone, e164: phone } : phone;
          if (!/^\+(7|44)\d{10}$/.test(e164))
            throw new InputError(`phone ${e164} must be E.164 (+7… or +44…)`);
          return {
            original_phone_number: original,
            country_code: e164.startsWith('+7') ? 'RU' : 'GB',
            phone_number: e164,
            attribute_type: 'phone-number',
          };
        }),
      );
    if (input.jobTitle !== undefined)
      set(
        'job_title',
        input.jobTitle === null ? [] : [{ value: input.jobTitle, attribute_type: 'text' }],
      );
    if (input.description !== undefined)
      set(
        'description',
        input.description === null ? [] : [{ value: input.description, attribute_type: 'text' }],
      );
    if (input.domains !== undefined)
      set(
        'domains',
        input.domains.map((d) => {
          const domain = d.trim().toLowerCase();
          if (!domain.includes('.')) throw new InputError(`${d} is not a domain`);
          return { domain, root_domain: rootDomain(domain), attribute_type: 'domain' };
        }),
      );
    if (input.companyId !== undefined)
      set(
        object === 'deals' ? 'associated_company' : 'company',
        input.companyId === null ? [] : [this.ref('companies', input.companyId)],
      );
    if (input.peopleIds !== undefined)
      set(
        'associated_people',
        input.peopleIds.map((id) => this.ref('people', id)),
      );
    if (input.stage !== undefined) {
      const stage = this.world.stages.findIndex((s) => s.title === input.stage);
      if (stage < 0)
        throw new InputError(
          `stage must be one of ${this.world.stages.map((s) => s.title).join(', ')}`,
        );
      set('stage', [{ status: stage, attribute_type: 'status' }]);
    }
    if (input.ownerId !== undefined) {
      if (!this.world.members.some((m) => m.id === input.ownerId))
        throw new InputError(`no workspace member ${input.ownerId}`);
      set('owner', [
        {
          referenced_actor_type: 'workspace-member',
          referenced_actor_id: input.ownerId,
          attribute_type: 'actor-reference',
        },
      ]);
    }
    if (input.value !== undefined || input.currency !== undefined)
      set('value', [
        {
          currency_value: input.value ?? 0,
          currency_code: input.currency ?? 'EUR',
          attribute_type: 'currency',
        },
      ]);
    return rows;
  }

  addRecord(object: ObjectSlug, input: RecordPatch): RecordEntry {
    if (input.name === undefined) throw new InputError('name is required');
    const at = this.stamp();
    const record: RecordEntry = {
      index: this.world.records[object].length,
      object,
      id: this.newId(),
      createdAt: at,
      createdBy: this.actor(),
      values: this.rowsFor(object, input, at),
      deleted: false,
      studioIndex: -1,
      language: /[а-яё]/i.test(JSON.stringify(input.name)) ? 'ru' : 'en',
    };
    this.world.records[object].push(record);
    this.byId.set(record.id, record);
    this.emit([this.recordEvent('record.created', record)]);
    return record;
  }

  /** New values for the given attributes; one `record.updated` per attribute that changed. */
  updateRecord(object: ObjectSlug, id: string, patch: RecordPatch): RecordEntry {
    const record = this.record(object, id);
    const at = this.stamp();
    const events: AttioEvent[] = [];
    for (const [slug, rows] of this.rowsFor(object, patch, at)) {
      const current = (record.values.get(slug) ?? []).filter((r) => r.activeUntil === null);
      const same =
        JSON.stringify(current.map((r) => r.fields)) === JSON.stringify(rows.map((r) => r.fields));
      if (same) continue;
      for (const row of current) row.activeUntil = at;
      record.values.set(slug, [...(record.values.get(slug) ?? []), ...rows]);
      events.push(this.recordEvent('record.updated', record, slug));
    }
    this.emit(events);
    return record;
  }

  /** Gone for good, with the notes on it (Attio deletes, it does not archive, records). */
  deleteRecord(object: ObjectSlug, id: string): RecordEntry {
    const record = this.record(object, id);
    record.deleted = true;
    for (const note of this.world.notes) if (note.parentRecordId === id) note.deleted = true;
    this.emit([this.recordEvent('record.deleted', record)]);
    return record;
  }

  private noteEvent(type: AttioEventType, note: NoteRecord): AttioEvent {
    return {
      event_type: type,
      id: { workspace_id: this.world.workspace.id, note_id: note.id },
      parent_object_id: this.world.objects[note.parentObject].id,
      parent_record_id: note.parentRecordId,
      actor: this.actor(),
    };
  }

  addNote(input: NoteInput): NoteRecord {
    const object = this.objectOf(input.parentObject);
    const parent = this.record(object, input.parentRecordId);
    if (typeof input.title !== 'string') throw new InputError('title must be a string');
    if (typeof input.content !== 'string' || input.content.trim() === '')
      throw new InputError('content is required');
    const company =
      object === 'people'
        ? this.world.studio.companies.findIndex(
            (c) =>
              c.attioRecordId === parent.values.get('company')?.[0]?.fields['target_record_id'],
          )
        : parent.studioIndex;
    const note: NoteRecord = {
      index: this.world.notes.length,
      id: this.newId(),
      parentObject: object,
      parentRecordId: parent.id,
      companyIndex: Math.max(0, company),
      contactIndex: object === 'people' ? parent.studioIndex : -1,
      language: /[а-яё]/i.test(input.content) ? 'ru' : 'en',
      topicKey: this.world.studio.topics[0]!.key,
      kindIndex: 0,
      authorIndex: this.world.tokenMemberIndex,
      createdAt: this.stamp(),
      titleOverride: input.title,
      markdownOverride: input.content,
      deleted: false,
    };
    this.world.notes.push(note);
    this.notesById.set(note.id, note);
    this.emit([this.noteEvent('note.created', note)]);
    return note;
  }

  /** A new title sends `note.updated`; new content `note-content.updated`. */
  editNote(id: string, patch: { title?: string; content?: string }): NoteRecord {
    const note = this.note(id);
    const current = noteText(this.world, note);
    const events: AttioEvent[] = [];
    if (patch.title !== undefined && patch.title !== current.title) {
      note.titleOverride = patch.title;
      events.push(this.noteEvent('note.updated', note));
    }
    if (patch.content !== undefined && patch.content !== current.markdown) {
      if (patch.content.trim() === '') throw new InputError('content must not be empty');
      note.titleOverride ??= current.title;
      note.markdownOverride = patch.content;
      events.push(this.noteEvent('note-content.updated', note));
    }
    this.emit(events);
    return note;
  }

  deleteNote(id: string): NoteRecord {
    const note = this.note(id);
    note.deleted = true;
    this.emit([this.noteEvent('note.deleted', note)]);
    return note;
  }

  private taskEvent(type: AttioEventType, task: TaskRecord): AttioEvent {
    return {
      event_type: type,
      id: { workspace_id: this.world.workspace.id, task_id: task.id },
      actor: this.actor(),
    };
  }

  private members(ids: string[]): number[] {
    return ids.map((id) => {
      const index = this.world.members.findIndex((m) => m.id === id || m.email === id);
      if (index < 0) throw new InputError(`no workspace member ${id}`);
      return index;
    });
  }

  private deadline(value: string | null | undefined): number | null {
    if (value === null || value === undefined) return null;
    const at = Date.parse(value);
    if (Number.isNaN(at)) throw new InputError('deadlineAt must be an ISO 8601 date-time');
    return at;
  }

  addTask(input: TaskInput): TaskRecord {
    if (typeof input.content !== 'string' || input.content.trim() === '')
      throw new InputError('content is required');
    const linked = (input.linked ?? []).map((l) => {
      const object = this.objectOf(l.object);
      this.record(object, l.recordId);
      return { object, recordId: l.recordId };
    });
    const company = this.world.studio.companies.findIndex((c) =>
      linked.some((l) => l.object === 'companies' && l.recordId === c.attioRecordId),
    );
    const task: TaskRecord = {
      index: this.world.tasks.length,
      id: this.newId(),
      companyIndex: Math.max(0, company),
      language: /[а-яё]/i.test(input.content) ? 'ru' : 'en',
      topicKey: this.world.studio.topics[0]!.key,
      linked,
      assigneeIndexes: this.members(input.assigneeIds ?? []),
      authorIndex: this.world.tokenMemberIndex,
      deadlineAt: this.deadline(input.deadlineAt),
      isCompleted: input.isCompleted ?? false,
      createdAt: this.stamp(),
      textOverride: input.content,
      deleted: false,
    };
    this.world.tasks.push(task);
    this.tasksById.set(task.id, task);
    this.emit([this.taskEvent('task.created', task)]);
    return task;
  }

  updateTask(
    id: string,
    patch: Partial<Pick<TaskInput, 'deadlineAt' | 'isCompleted' | 'assigneeIds' | 'content'>>,
  ): TaskRecord {
    const task = this.task(id);
    if (patch.content !== undefined) {
      if (patch.content.trim() === '') throw new InputError('content must not be empty');
      task.textOverride = patch.content;
    }
    if (patch.deadlineAt !== undefined) task.deadlineAt = this.deadline(patch.deadlineAt);
    if (patch.isCompleted !== undefined) task.isCompleted = patch.isCompleted;
    if (patch.assigneeIds !== undefined) task.assigneeIndexes = this.members(patch.assigneeIds);
    this.emit([this.taskEvent('task.updated', task)]);
    return task;
  }

  deleteTask(id: string): TaskRecord {
    const task = this.task(id);
    task.deleted = true;
    this.emit([this.taskEvent('task.deleted', task)]);
    return task;
  }
}
