import { Type, type Static } from 'typebox';
import { Ok, TimestampSchema, UuidSchema } from './common.js';

export const SourceSchema = Type.Object({
  id: UuidSchema,
  source_kind: Type.Literal('chatwoot_account'),
  external_id: Type.String(),
  base_url: Type.String(),
  account_id: Type.Integer(),
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

export const CreateSourceBodySchema = Type.Object(
  {
    source_kind: Type.Literal('chatwoot_account'),
    base_url: Type.String({ format: 'uri', pattern: '^https?://', maxLength: 500 }),
    account_id: Type.Integer({ minimum: 1 }),
    api_token: Type.String({ minLength: 1, maxLength: 500 }),
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
