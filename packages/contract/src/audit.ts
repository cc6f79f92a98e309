import { Type } from 'typebox';
import { Ok, TimestampSchema, UuidSchema } from './common.js';

export const AuditEventSchema = Type.Object({
  id: Type.Integer(),
  actor: Type.String(),
  action: Type.String(),
  entity_type: Type.String(),
  entity_id: Type.Union([Type.String(), Type.Null()]),
  status: Type.String(),
  payload: Type.Record(Type.String(), Type.Unknown()),
  evidence_refs: Type.Array(Type.Record(Type.String(), Type.Unknown())),
  request_id: Type.Union([Type.String(), Type.Null()]),
  prev_hash: Type.Union([Type.String(), Type.Null()]),
  hash: Type.Union([Type.String(), Type.Null()]),
  created_at: TimestampSchema,
});

export const AuditListQuerySchema = Type.Object(
  {
    action: Type.Optional(Type.String({ minLength: 1, maxLength: 120 })),
    entity_id: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 })),
  },
  { additionalProperties: false },
);

export const AuditListResponseSchema = Ok({
  events: Type.Array(AuditEventSchema),
  total: Type.Integer(),
});

const FirstBrokenSchema = Type.Union([
  Type.Object({
    id: Type.Union([Type.Integer(), Type.Null()]),
    reason: Type.Union([
      Type.Literal('hash_mismatch'),
      Type.Literal('prev_hash_mismatch'),
      Type.Literal('tail_missing'),
    ]),
  }),
  Type.Null(),
]);

export const AuditChainSchema = Type.Object({
  /** `workspace`: sign-ins, users, roles, memberships, tokens; `project`: one project's trail. */
  chain: Type.Union([Type.Literal('workspace'), Type.Literal('project')]),
  project_id: Type.Union([UuidSchema, Type.Null()]),
  project_name: Type.Union([Type.String(), Type.Null()]),
  valid: Type.Boolean(),
  checked: Type.Integer(),
  first_broken: FirstBrokenSchema,
});

/**
 * `valid`, `checked` and `first_broken` are the active project's chain (as before); `chains` is
 * every chain the caller may audit: the workspace chain for owners, and each project's.
 */
export const AuditVerifyResponseSchema = Ok({
  valid: Type.Boolean(),
  checked: Type.Integer(),
  first_broken: FirstBrokenSchema,
  all_valid: Type.Boolean(),
  chains: Type.Array(AuditChainSchema),
});

export const WorkspaceAuditResponseSchema = Ok({
  events: Type.Array(AuditEventSchema),
  total: Type.Integer(),
});
