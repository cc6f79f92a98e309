import { Type, type Static } from 'typebox';
import { LocaleSchema, NullableTimestamp, Ok, TimestampSchema, UuidSchema } from './common.js';

/** Workspace role: owners run the whole workspace; members work in the projects they belong to. */
export const WorkspaceRoleSchema = Type.Union([Type.Literal('owner'), Type.Literal('member')]);
export type WorkspaceRole = Static<typeof WorkspaceRoleSchema>;

/** Project role; owners act as managers in every project. */
export const ProjectRoleSchema = Type.Union([
  Type.Literal('manager'),
  Type.Literal('contributor'),
  Type.Literal('viewer'),
]);
export type ProjectRole = Static<typeof ProjectRoleSchema>;

/** A permission name as routes declare it (server/src/modules/access/permissions.ts). */
export const PermissionNameSchema = Type.String({
  description: 'e.g. project:read, outbound:approve, users:manage',
});

export const PasswordSchema = Type.String({
  minLength: 10,
  maxLength: 1024,
  description: 'at least 10 characters',
});

// ------------------------------------------------------------------------------------------
// Users and invitations (owners)

export const UserSchema = Type.Object({
  id: UuidSchema,
  username: Type.String(),
  role: WorkspaceRoleSchema,
  active: Type.Boolean(),
  email: Type.Union([Type.String(), Type.Null()]),
  /** The user's interface language; null follows the browser. Invitation emails use it. */
  locale: Type.Union([LocaleSchema, Type.Null()]),
  created_at: TimestampSchema,
  deactivated_at: NullableTimestamp,
  /** False while the user has no password: invited or reset, and the link not used yet. */
  password_set: Type.Boolean(),
  /** The newest unused, unexpired one-time link, if any (the link itself is never shown again). */
  pending_link: Type.Union([
    Type.Object({
      purpose: Type.Union([Type.Literal('invite'), Type.Literal('reset')]),
      expires_at: TimestampSchema,
    }),
    Type.Null(),
  ]),
  last_seen_at: NullableTimestamp,
});
export type User = Static<typeof UserSchema>;

export const UserListResponseSchema = Ok({ users: Type.Array(UserSchema) });

export const CreateUserBodySchema = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 120, pattern: '^[^\\s]+$' }),
    role: WorkspaceRoleSchema,
    /** Where the invitation is emailed (when SMTP is configured). */
    email: Type.Optional(Type.String({ minLength: 3, maxLength: 320, format: 'email' })),
    /** The invitee's language, saved on the user; the email defaults to the inviting owner's. */
    locale: Type.Optional(LocaleSchema),
  },
  { additionalProperties: false },
);
export type CreateUserBody = Static<typeof CreateUserBodySchema>;

/** The one-time link is in this response only; it ends in its token. */
export const UserWithLinkResponseSchema = Ok({
  user: UserSchema,
  invitation_url: Type.String(),
  expires_at: TimestampSchema,
  /**
   * The email carrying the link, when the user has an address: sent, refused by the SMTP server
   * (the link still works: pass it on by hand), or SMTP_URL not configured. Absent without one.
   */
  email: Type.Optional(
    Type.Union([Type.Literal('sent'), Type.Literal('failed'), Type.Literal('not_configured')]),
  ),
});

export const PatchUserBodySchema = Type.Object(
  {
    role: Type.Optional(WorkspaceRoleSchema),
    active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type PatchUserBody = Static<typeof PatchUserBodySchema>;

export const UserResponseSchema = Ok({ user: UserSchema });

export const InvitationParamsSchema = Type.Object({
  token: Type.String({ minLength: 1, maxLength: 200 }),
});

export const InvitationResponseSchema = Ok({
  username: Type.String(),
  purpose: Type.Union([Type.Literal('invite'), Type.Literal('reset')]),
  expires_at: TimestampSchema,
});

export const AcceptInvitationBodySchema = Type.Object(
  { password: PasswordSchema },
  { additionalProperties: false },
);

export const AcceptInvitationResponseSchema = Ok({ username: Type.String() });

// ------------------------------------------------------------------------------------------
// Project membership (managers of the project, and owners)

export const MemberSchema = Type.Object({
  user_id: UuidSchema,
  username: Type.String(),
  role: ProjectRoleSchema,
  workspace_role: WorkspaceRoleSchema,
  active: Type.Boolean(),
  added_at: TimestampSchema,
});

export const MemberListResponseSchema = Ok({
  members: Type.Array(MemberSchema),
  /** Owners see and manage every project without a membership. */
  owners: Type.Array(Type.Object({ user_id: UuidSchema, username: Type.String() })),
  /**
   * Active workspace members who are not in the project: whom its managers may add (only owners
   * list the workspace's users, `GET /users`).
   */
  candidates: Type.Array(Type.Object({ user_id: UuidSchema, username: Type.String() })),
});

export const MemberParamsSchema = Type.Object({ id: UuidSchema, user_id: UuidSchema });

export const PutMemberBodySchema = Type.Object(
  { role: ProjectRoleSchema },
  { additionalProperties: false },
);

export const MemberResponseSchema = Ok({ member: MemberSchema });
export const DeletedResponseSchema = Ok({ deleted: Type.Literal(true) });

// ------------------------------------------------------------------------------------------
// Sessions and password (the signed-in user; owners for other users)

export const SessionSchema = Type.Object({
  id: UuidSchema,
  created_at: TimestampSchema,
  last_seen_at: TimestampSchema,
  expires_at: TimestampSchema,
  ip: Type.Union([Type.String(), Type.Null()]),
  user_agent: Type.Union([Type.String(), Type.Null()]),
  current: Type.Boolean(),
});

export const SessionListResponseSchema = Ok({ sessions: Type.Array(SessionSchema) });
export const RevokedResponseSchema = Ok({ revoked: Type.Integer() });

export const UserSessionParamsSchema = Type.Object({ id: UuidSchema, session_id: UuidSchema });

export const ChangePasswordBodySchema = Type.Object(
  {
    current_password: Type.String({ minLength: 1, maxLength: 1024 }),
    new_password: PasswordSchema,
  },
  { additionalProperties: false },
);

// ------------------------------------------------------------------------------------------
// Personal API tokens

export const TokenPermissionSchema = Type.Union([Type.Literal('read'), Type.Literal('draft')], {
  description:
    'read: read and search its projects; draft: also create and edit outbound drafts and run syncs',
});

export const CreateTokenBodySchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    project_ids: Type.Union([
      Type.Array(UuidSchema, { minItems: 1, maxItems: 1000, uniqueItems: true }),
      Type.Literal('all'),
    ]),
    permission: TokenPermissionSchema,
    expires_in_days: Type.Optional(Type.Integer({ minimum: 1, maximum: 365, default: 90 })),
  },
  { additionalProperties: false },
);
export type CreateTokenBody = Static<typeof CreateTokenBodySchema>;

export const TokenSchema = Type.Object({
  id: UuidSchema,
  name: Type.String(),
  /** The first characters of the secret, to recognise it; never enough to use it. */
  prefix: Type.String(),
  project_ids: Type.Union([Type.Array(UuidSchema), Type.Literal('all')]),
  permission: TokenPermissionSchema,
  created_at: TimestampSchema,
  expires_at: TimestampSchema,
  last_used_at: NullableTimestamp,
  last_used_ip: Type.Union([Type.String(), Type.Null()]),
  last_used_user_agent: Type.Union([Type.String(), Type.Null()]),
});
export type Token = Static<typeof TokenSchema>;

/** `secret` is in this response only: it is stored as a hash. */
export const CreateTokenResponseSchema = Ok({
  token: TokenSchema,
  secret: Type.String({ description: 'cairn_pat_…; shown once' }),
});

export const TokenListResponseSchema = Ok({ tokens: Type.Array(TokenSchema) });

// ------------------------------------------------------------------------------------------
// Workspace audit (owners)

export const WorkspaceAuditQuerySchema = Type.Object(
  {
    action: Type.Optional(Type.String({ minLength: 1, maxLength: 120 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 })),
  },
  { additionalProperties: false },
);
