import { Type, type Static, type TSchema } from 'typebox';

/** Every error body: `{ ok: false, error, message, request_id, details? }`. */
export const ErrorEnvelopeSchema = Type.Object(
  {
    ok: Type.Literal(false),
    error: Type.String({ description: 'machine-readable code, e.g. validation_error' }),
    message: Type.String(),
    request_id: Type.String(),
    details: Type.Optional(Type.Unknown()),
  },
  { $id: 'ErrorEnvelope' },
);
export type ErrorEnvelope = Static<typeof ErrorEnvelopeSchema>;

// Added to every body by the server's envelope hook, so handlers never set it themselves.
const RequestId = Type.Optional(Type.String({ description: 'always present; the x-request-id' }));

/** A success body: `{ ok: true, ...fields, request_id }`. */
export const Ok = <T extends Record<string, TSchema>>(fields: T) =>
  Type.Object({ ok: Type.Literal(true), request_id: RequestId, ...fields });

/** At least one character that is not white space; the server words its failure "must not be blank". */
export const NOT_BLANK_PATTERN = '\\S';

/** Text that must say something (a name, a query, a message): blank or only spaces is refused. */
export const RequiredText = (options: {
  minLength?: number;
  maxLength: number;
  description?: string;
}) => Type.String({ minLength: 1, ...options, pattern: NOT_BLANK_PATTERN });

export const UuidSchema = Type.String({ format: 'uuid' });
export const IdParamsSchema = Type.Object({ id: UuidSchema });
export const TimestampSchema = Type.String({ format: 'date-time' });
export const NullableTimestamp = Type.Union([TimestampSchema, Type.Null()]);
export const CursorSchema = Type.String({ maxLength: 512 });

export const HealthResponseSchema = Ok({
  status: Type.Literal('ok'),
  phase: Type.Union(
    [Type.Literal('syncing the demo'), Type.Literal('indexing'), Type.Literal('ready')],
    {
      description:
        'Start-up phase once the database is migrated: the demo is syncing, then indexing, then ' +
        'ready. While migrating, /health answers 503 `starting` with details.phase = "migrating".',
    },
  ),
  db: Type.Object({ ok: Type.Boolean(), latency_ms: Type.Number(), embedded: Type.Boolean() }),
  demo: Type.Boolean({ description: 'true when this server runs the bundled demo' }),
  version: Type.String(),
});

/**
 * The interface languages: the web catalogues and the server's (server/src/i18n) carry each.
 * Here rather than in auth.ts because users (access.ts) carry one too.
 */
export const LocaleSchema = Type.Union([Type.Literal('en'), Type.Literal('ru')]);
export type Locale = Static<typeof LocaleSchema>;
export const LOCALES = ['en', 'ru'] as const satisfies readonly Locale[];
