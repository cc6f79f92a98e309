import { Type, type Static } from 'typebox';
import { Ok, TimestampSchema, UuidSchema } from './common.js';

export const SourceKindSchema = Type.Union([
  Type.Literal('chatwoot_account'),
  Type.Literal('linear_workspace'),
  Type.Literal('attio_workspace'),
]);
export type SourceKind = Static<typeof SourceKindSchema>;

const IdList = Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 100 });

export const SourceSchema = Type.Object({
  id: UuidSchema,
  source_kind: SourceKindSchema,
  /** Chatwoot: `<base_url>#<account_id>`; Linear: the organization id; Attio: the workspace id. */
  external_id: Type.String(),
  base_url: Type.String(),
  /** Chatwoot's account number; null for a Linear workspace. */
  account_id: Type.Union([Type.Integer(), Type.Null()]),
  /** Linear: the teams and projects the binding covers (both empty: the whole workspace). */
  team_ids: Type.Optional(Type.Array(Type.String())),
  project_ids: Type.Optional(Type.Array(Type.String())),
  /** Attio: the companies the binding covers (empty: the whole workspace). */
  company_record_ids: Type.Optional(Type.Array(Type.String())),
  /** Attio: the list (id or api_slug) whose companies the binding covers too, or null. */
  list: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  api_token_set: Type.Literal(true),
  webhook_secret_set: Type.Boolean(),
  webhook_url_token_set: Type.Boolean(),
  /** Path of this source's webhook receiver, relative to the API base. */
  webhook_path: Type.String(),
  /**
   * The last webhook delivery refused after its signature checked out (a payload that is not
   * Chatwoot's shape, e.g. an unknown status), or null. Chatwoot does not retry webhooks: the
   * next sync brings the change in instead.
   */
  last_webhook_error: Type.Union([
    Type.Object({ message: Type.String(), at: TimestampSchema }),
    Type.Null(),
  ]),
  created_at: TimestampSchema,
});
export type Source = Static<typeof SourceSchema>;

/**
 * One body for every kind, so a missing or wrong field is named as such (a union would only say
 * that no branch matched). Per kind: `chatwoot_account` needs base_url, account_id and api_token;
 * `linear_workspace` needs api_key (base_url defaults to https://api.linear.app/graphql) and may
 * narrow itself to team_ids and project_ids; `attio_workspace` needs api_token (base_url defaults
 * to https://api.attio.com) and may narrow itself to company_record_ids and/or a list of companies
 * (`list`; both: the union). Fields of another kind are refused by the server.
 */
export const CreateSourceBodySchema = Type.Object(
  {
    source_kind: SourceKindSchema,
    base_url: Type.Optional(Type.String({ format: 'uri', pattern: '^https?://', maxLength: 500 })),
    account_id: Type.Optional(Type.Integer({ minimum: 1 })),
    api_token: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    /** Linear: a personal API key (sent as is) or `Bearer <OAuth token>`. */
    api_key: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    team_ids: Type.Optional(IdList),
    project_ids: Type.Optional(IdList),
    /** Attio: only these companies with their people, deals, notes and tasks. */
    company_record_ids: Type.Optional(
      Type.Array(Type.String({ format: 'uuid' }), { maxItems: 1000 }),
    ),
    /**
     * Attio: a list of companies, by its UUID or api_slug; the companies in it (read again each
     * sync) with their people, deals, notes and tasks. With company_record_ids: the union.
     */
    list: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: '^[^/?#\\s]+$' })),
    webhook_secret: Type.Optional(Type.String({ minLength: 16, maxLength: 500 })),
    /** For Chatwoot older than v4.12, which does not sign webhooks: a random token in the URL. */
    webhook_url_token: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type CreateSourceBody = Static<typeof CreateSourceBodySchema>;

export const SourceListResponseSchema = Ok({ sources: Type.Array(SourceSchema) });
export const CreateSourceResponseSchema = Ok({
  source: SourceSchema,
  /** Shown once when webhook_url_token was requested; only its hash is stored. */
  webhook_url_token: Type.Optional(Type.String()),
});
export const DeleteSourceResponseSchema = Ok({ deleted: Type.Literal(true) });
