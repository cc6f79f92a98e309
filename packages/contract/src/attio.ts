// Request and response schemas of the Attio connector's by-id reads (issue 18).
import { Type, type Static } from 'typebox';
import { NullableTimestamp, Ok, TimestampSchema } from './common.js';

const NullableString = Type.Union([Type.String(), Type.Null()]);

/** `GET /attio/notes/:id`: one stored Attio note of the active project. */
export const AttioNoteSchema = Type.Object({
  id: Type.String({ description: "Attio's note_id" }),
  parent_object: Type.String({ description: 'people, companies or deals' }),
  parent_record_id: Type.String(),
  title: Type.String(),
  content_plaintext: Type.String(),
  author: Type.Union([Type.String(), Type.Null()], {
    description: 'the workspace member who wrote it, when Attio names one',
  }),
  source_created_at: TimestampSchema,
  web_url: Type.Union([Type.String(), Type.Null()], {
    description: "the parent record's web_url (Attio has no page of a note of its own)",
  }),
});
export type AttioNote = Static<typeof AttioNoteSchema>;
export const AttioNoteResponseSchema = Ok({ note: AttioNoteSchema });

/** `GET /attio/tasks/:id`: one stored Attio task of the active project. */
export const AttioTaskSchema = Type.Object({
  id: Type.String({ description: "Attio's task_id" }),
  content_plaintext: Type.String(),
  deadline_at: NullableTimestamp,
  is_completed: Type.Boolean(),
  linked_record_ids: Type.Array(Type.String()),
  assignee_ids: Type.Array(Type.String(), { description: 'workspace member ids' }),
  author: Type.Union([Type.String(), Type.Null()]),
  source_created_at: TimestampSchema,
  web_url: Type.Union([Type.String(), Type.Null()], {
    description: "the first linked record's web_url",
  }),
});
export type AttioTask = Static<typeof AttioTaskSchema>;
export const AttioTaskResponseSchema = Ok({ task: AttioTaskSchema });

/** `GET /attio/records/:id`: one stored person, company or deal of the active project. */
export const AttioRecordSchema = Type.Object({
  id: Type.String({ description: "Attio's record_id" }),
  object: Type.Union([Type.Literal('people'), Type.Literal('companies'), Type.Literal('deals')]),
  name: NullableString,
  web_url: Type.String(),
  source_created_at: TimestampSchema,
});
export type AttioRecord = Static<typeof AttioRecordSchema>;
export const AttioRecordResponseSchema = Ok({ record: AttioRecordSchema });
