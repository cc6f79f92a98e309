// Request and response schemas of the Linear connector (issue 18).
import { Type, type Static } from 'typebox';
import { NullableTimestamp, Ok, TimestampSchema } from './common.js';

const NullableString = Type.Union([Type.String(), Type.Null()]);

/** `GET /linear/issues/:id`: one stored Linear issue of the active project. */
export const LinearIssueSchema = Type.Object({
  id: Type.String(),
  identifier: Type.String({ description: 'e.g. ENG-123' }),
  title: Type.String(),
  description: NullableString,
  url: Type.String({ description: "the issue's page in Linear" }),
  state_type: Type.String(),
  priority: Type.Integer(),
  due_date: NullableString,
  assignee_id: NullableString,
  linear_project_id: NullableString,
  archived_at: NullableTimestamp,
  source_created_at: TimestampSchema,
  source_updated_at: TimestampSchema,
  comment_count: Type.Integer(),
});
export type LinearIssue = Static<typeof LinearIssueSchema>;

export const LinearIssueResponseSchema = Ok({ issue: LinearIssueSchema });
