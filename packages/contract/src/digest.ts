import { Type, type Static } from 'typebox';
import { NullableTimestamp, Ok } from './common.js';

/**
 * The signed-in user's daily signals digest settings (`GET|PATCH /auth/me/digest`): the email
 * (turned off by the one-click unsubscribe link, back on here) and an optional webhook to which
 * the digest is POSTed as signed JSON (docs/signals.md).
 */
export const DigestSettingsSchema = Type.Object({
  email: Type.Boolean({ description: 'the digest by email (needs an address on the account)' }),
  webhook_url: Type.Union([Type.String(), Type.Null()]),
  /** When the webhook URL and its secret were last set. */
  webhook_set_at: NullableTimestamp,
});
export type DigestSettings = Static<typeof DigestSettingsSchema>;

export const DigestSettingsResponseSchema = Ok({
  digest: DigestSettingsSchema,
  /**
   * The webhook's signing secret: only in the answer to the PATCH that set the URL, never again
   * (setting the URL again makes a new one).
   */
  webhook_secret: Type.Optional(Type.String()),
});
export type DigestSettingsResponse = Static<typeof DigestSettingsResponseSchema>;

export const UpdateDigestSettingsBodySchema = Type.Object(
  {
    email: Type.Optional(Type.Boolean()),
    /** An http(s) URL (checked against the outbound address guard), or null to remove it. */
    webhook_url: Type.Optional(
      Type.Union([Type.String({ minLength: 1, maxLength: 2000 }), Type.Null()]),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateDigestSettingsBody = Static<typeof UpdateDigestSettingsBodySchema>;

export const DigestUnsubscribeParamsSchema = Type.Object({
  token: Type.String({ minLength: 1, maxLength: 200 }),
});

/** `GET|POST /digest/unsubscribe/:token` asked for JSON. */
export const DigestUnsubscribeResponseSchema = Ok({
  /** Whether the digest email is still on (GET before confirming) or now off (POST). */
  digest_email: Type.Boolean(),
});
