import { Type, type Static } from 'typebox';
import { ProjectRoleSchema, WorkspaceRoleSchema } from './access.js';
import {
  LocaleSchema,
  NullableTimestamp,
  Ok,
  TimestampSchema,
  UuidSchema,
  RequiredText,
} from './common.js';

export const LoginBodySchema = Type.Object(
  {
    username: RequiredText({ maxLength: 120 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false },
);
export type LoginBody = Static<typeof LoginBodySchema>;

const SavedLocaleSchema = Type.Union([LocaleSchema, Type.Null()], {
  description: 'the language chosen in Settings → Profile; null follows the browser',
});

export const MeSchema = Type.Union([
  Type.Object({ authenticated: Type.Literal(false) }),
  Type.Object({
    authenticated: Type.Literal(true),
    user_id: UuidSchema,
    username: Type.String(),
    role: WorkspaceRoleSchema,
    /** How this request was authenticated. */
    via: Type.Union([Type.Literal('session'), Type.Literal('token')]),
    /** The session's active project (for a token: its only project, if it has one). */
    active_project_id: Type.Union([UuidSchema, Type.Null()]),
    account_scope_id: Type.Union([UuidSchema, Type.Null()]),
    locale: SavedLocaleSchema,
    /** The caller's role in the active project, owners being managers everywhere. */
    project_role: Type.Union([ProjectRoleSchema, Type.Null()]),
    /** What the caller may do in the active project: the UI offers only these. */
    project_permissions: Type.Array(Type.String()),
    /** What the caller may do outside projects (self:*, and users:manage etc. for owners). */
    permissions: Type.Array(Type.String()),
    /** When this session or token was created. */
    created_at: TimestampSchema,
    last_seen_at: NullableTimestamp,
  }),
]);
export type Me = Static<typeof MeSchema>;

export const MeResponseSchema = Type.Intersect([Ok({}), MeSchema]);

/** `PATCH /auth/me`: the signed-in user's own preferences. */
export const UpdateMeBodySchema = Type.Object(
  { locale: SavedLocaleSchema },
  { additionalProperties: false },
);
export type UpdateMeBody = Static<typeof UpdateMeBodySchema>;

export const LoginResponseSchema = Ok({
  username: Type.String(),
  active_project_id: Type.Union([UuidSchema, Type.Null()]),
});
export const LogoutResponseSchema = Ok({});
