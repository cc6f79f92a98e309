import { Type, type Static } from 'typebox';
import { ProjectRoleSchema } from './access.js';
import { Ok, TimestampSchema, UuidSchema, RequiredText } from './common.js';

export const ProjectSchema = Type.Object({
  id: UuidSchema,
  name: Type.String(),
  account_scope_id: UuidSchema,
  account_scope_key: Type.String(),
  created_at: TimestampSchema,
  updated_at: TimestampSchema,
  /** The caller's role here (owners are managers everywhere). */
  role: ProjectRoleSchema,
  /** What the caller may do here, token limits included: the UI offers only these. */
  permissions: Type.Array(Type.String()),
});
export type Project = Static<typeof ProjectSchema>;

export const CreateProjectBodySchema = Type.Object(
  {
    name: RequiredText({ minLength: 2, maxLength: 160 }),
    account_scope_key: Type.Optional(
      Type.String({ minLength: 1, maxLength: 120, pattern: '^[a-z0-9][a-z0-9._-]*$' }),
    ),
    account_scope_name: Type.Optional(RequiredText({ maxLength: 160 })),
  },
  { additionalProperties: false },
);
export type CreateProjectBody = Static<typeof CreateProjectBodySchema>;

export const RenameProjectBodySchema = Type.Object(
  { name: RequiredText({ minLength: 2, maxLength: 160 }) },
  { additionalProperties: false },
);

export const ProjectListResponseSchema = Ok({
  projects: Type.Array(ProjectSchema),
  active_project_id: Type.Union([UuidSchema, Type.Null()]),
});
export const ProjectResponseSchema = Ok({ project: ProjectSchema });
