// Records, notes, tasks, members and objects as Attio's API shows them (openapi.yaml): values as
// arrays of value objects with active_from, active_until and created_by_actor, timestamps with
// nanosecond digits, ids as objects. Note and task text comes from text.ts.
import { rngFor } from '@cairn/studio';
import {
  NOTE_KINDS,
  noteMarkdown,
  noteTitle,
  plaintextOf,
  taskText,
  type NoteContext,
} from './corpus.js';
import {
  ATTIO_NS,
  type Actor,
  type AttioWorld,
  type NoteRecord,
  type ObjectDef,
  type RecordEntry,
  type TaskRecord,
  type ValueRow,
} from './world.js';

type Json = Record<string, unknown>;

/** Attio's timestamp format: nine fractional digits, UTC (`2023-01-01T15:00:00.123000000Z`). */
export function attioTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '000000Z');
}

function actorJson(actor: Actor): Json {
  return { type: actor.type, id: actor.id };
}

export function webUrl(world: AttioWorld, record: RecordEntry): string {
  return `${world.webOrigin}/${world.workspace.slug}/${world.objects[record.object].urlSegment}/${record.id}`;
}

function valueJson(world: AttioWorld, object: ObjectDef, attribute: string, row: ValueRow): Json {
  let fields = row.fields;
  if (fields['attribute_type'] === 'status') {
    const stage = world.stages[fields['status'] as number]!;
    fields = {
      status: {
        id: {
          workspace_id: world.workspace.id,
          object_id: object.id,
          attribute_id: object.attributes.find((a) => a.slug === attribute)!.id,
          status_id: stage.id,
        },
        title: stage.title,
        is_archived: false,
        celebration_enabled: stage.celebrationEnabled,
        target_time_in_status: null,
      },
      attribute_type: 'status',
    };
  }
  return {
    active_from: attioTime(row.activeFrom),
    active_until: row.activeUntil === null ? null : attioTime(row.activeUntil),
    created_by_actor: actorJson(row.actor),
    ...fields,
  };
}

const SYSTEM: Actor = { type: 'system', id: null };

/** Every value row of an attribute, history included (system attributes have one row). */
export function attributeRows(
  record: RecordEntry,
  attribute: string,
  teamOf: (companyId: string) => ValueRow[],
): ValueRow[] {
  switch (attribute) {
    case 'record_id':
      return [
        {
          fields: { value: record.id, attribute_type: 'text' },
          activeFrom: record.createdAt,
          activeUntil: null,
          actor: SYSTEM,
        },
      ];
    case 'created_at':
      return [
        {
          fields: { value: attioTime(record.createdAt), attribute_type: 'timestamp' },
          activeFrom: record.createdAt,
          activeUntil: null,
          actor: SYSTEM,
        },
      ];
    case 'created_by':
      return [
        {
          fields: {
            referenced_actor_type: record.createdBy.type,
            referenced_actor_id: record.createdBy.id,
            attribute_type: 'actor-reference',
          },
          activeFrom: record.createdAt,
          activeUntil: null,
          actor: SYSTEM,
        },
      ];
    case 'team':
      return teamOf(record.id);
    default:
      return record.values.get(attribute) ?? [];
  }
}

export function valuesOf(
  world: AttioWorld,
  record: RecordEntry,
  attribute: string,
  teamOf: (companyId: string) => ValueRow[],
  historic = false,
): Json[] {
  const object = world.objects[record.object];
  return attributeRows(record, attribute, teamOf)
    .filter((row) => historic || row.activeUntil === null)
    .map((row) => valueJson(world, object, attribute, row));
}

export function renderRecord(
  world: AttioWorld,
  record: RecordEntry,
  teamOf: (companyId: string) => ValueRow[],
): Json {
  const object = world.objects[record.object];
  const values: Json = {};
  for (const attribute of object.attributes)
    values[attribute.slug] = valuesOf(world, record, attribute.slug, teamOf);
  return {
    id: { workspace_id: world.workspace.id, object_id: object.id, record_id: record.id },
    created_at: attioTime(record.createdAt),
    web_url: webUrl(world, record),
    values,
  };
}

function noteContext(
  world: AttioWorld,
  note: NoteRecord | TaskRecord,
  authorIndex: number,
): NoteContext {
  const company = world.studio.companies[note.companyIndex]!;
  const topic = world.studio.topics.find((t) => t.key === note.topicKey) ?? world.studio.topics[0]!;
  const member = world.members[authorIndex]!;
  const contactIndex = 'contactIndex' in note ? note.contactIndex : -1;
  const contact = contactIndex >= 0 ? (world.studio.people[contactIndex]?.name ?? null) : null;
  return {
    language: note.language,
    topic,
    company: company.name,
    contact,
    staff: `${member.firstName} ${member.lastName}`,
    at: note.createdAt,
  };
}

export function noteText(world: AttioWorld, note: NoteRecord): { title: string; markdown: string } {
  const kind = NOTE_KINDS[note.kindIndex]!;
  const ctx = noteContext(world, note, note.authorIndex);
  return {
    title: note.titleOverride ?? noteTitle(kind, ctx),
    markdown:
      note.markdownOverride ??
      noteMarkdown(rngFor(world.seedHash, ATTIO_NS.noteText, note.index), kind, ctx),
  };
}

export function renderNote(world: AttioWorld, note: NoteRecord): Json {
  const text = noteText(world, note);
  return {
    id: { workspace_id: world.workspace.id, note_id: note.id },
    parent_object: note.parentObject,
    parent_record_id: note.parentRecordId,
    title: text.title,
    meeting_id: null,
    content_plaintext: plaintextOf(text.markdown),
    content_markdown: text.markdown,
    tags: [],
    created_by_actor: { type: 'workspace-member', id: world.members[note.authorIndex]!.id },
    created_at: attioTime(note.createdAt),
  };
}

export function taskContent(world: AttioWorld, task: TaskRecord): string {
  return (
    task.textOverride ??
    taskText(
      rngFor(world.seedHash, ATTIO_NS.taskText, task.index),
      noteContext(world, task, task.authorIndex),
    )
  );
}

export function renderTask(world: AttioWorld, task: TaskRecord): Json {
  return {
    id: { workspace_id: world.workspace.id, task_id: task.id },
    content_plaintext: taskContent(world, task),
    deadline_at: task.deadlineAt === null ? null : attioTime(task.deadlineAt),
    is_completed: task.isCompleted,
    linked_records: task.linked.map((l) => ({
      target_object_id: world.objects[l.object].id,
      target_record_id: l.recordId,
    })),
    assignees: task.assigneeIndexes.map((i) => ({
      referenced_actor_type: 'workspace-member',
      referenced_actor_id: world.members[i]!.id,
    })),
    created_by_actor: { type: 'workspace-member', id: world.members[task.authorIndex]!.id },
    created_at: attioTime(task.createdAt),
  };
}

export function renderMember(world: AttioWorld, index: number): Json {
  const member = world.members[index]!;
  return {
    id: { workspace_id: world.workspace.id, workspace_member_id: member.id },
    first_name: member.firstName,
    last_name: member.lastName,
    avatar_url: null,
    email_address: member.email,
    created_at: attioTime(member.createdAt),
    access_level: member.accessLevel,
  };
}

export function renderObject(world: AttioWorld, object: ObjectDef): Json {
  return {
    id: { workspace_id: world.workspace.id, object_id: object.id },
    api_slug: object.slug,
    singular_noun: object.singular,
    plural_noun: object.plural,
    created_at: attioTime(object.createdAt),
  };
}
