import AjvCompiler from '@fastify/ajv-compiler';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import type { FastifyServerOptions } from 'fastify';
import { findUnstorableText } from '../lib/text.js';

/**
 * How request parts are validated: one Ajv per kind of input, and one rule for every string.
 *
 * - Querystrings, path params and headers arrive as text, so they are coerced to the schema's
 *   types (`?limit=5` is 5). A JSON body already has types: coercing it would let `{"query": 123}`
 *   or `{"username": 1}` through as strings, so bodies are validated as sent.
 * - Every string anywhere in a request (body, query, params) that Postgres cannot store (NUL, an
 *   unpaired surrogate; lib/text.ts) is a `400 validation_error` naming its field, for every route
 *   that declares the part's schema, with no per-route code. A route that declares no schema for a
 *   part does not read it.
 */

// Fastify's own defaults (see @fastify/ajv-compiler), but nothing removed silently: an unknown
// property is an error, not a field quietly dropped.
const BASE_OPTIONS = {
  removeAdditional: false,
  useDefaults: true,
  allErrors: false,
} as const;

type ValidateFunction = ((data: unknown, context?: unknown) => unknown) & {
  errors?: unknown;
  schemaEnv?: unknown;
};

type CompilersFactory = NonNullable<
  NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']
>;
type BuildValidator = CompilersFactory['buildValidator'];
type BuildSerializer = CompilersFactory['buildSerializer'];

/**
 * The validators and response serializers of one app, or of several: every app built with the
 * same controller shares what it compiled. Ajv keeps its validators by schema object; the
 * serializers are kept here by their schema's text, as fast-json-stringify keeps nothing. So a
 * second app over the same route table compiles almost nothing. The server builds one app; the
 * tests build a hundred in a process and share one controller (server/test/support/app.ts),
 * which took Ajv's 0.6 s and fast-json-stringify's 0.3 s out of each of them
 * (docs/operations.md, "Continuous integration").
 */
export function createSchemaController(): FastifyServerOptions['schemaController'] {
  // One pool per controller: @fastify/ajv-compiler keeps one Ajv per set of options in it.
  const factory = AjvCompiler();
  const buildSerializerFactory = SerializerSelector();
  const serializers = new Map<string, unknown>();
  return {
    compilersFactory: {
      buildSerializer: ((externalSchemas: unknown, serializerOptions: unknown) => {
        const build = buildSerializerFactory(externalSchemas as never, serializerOptions as never);
        // The output depends on the schema, the shared schemas and the options, nothing else;
        // all three are plain data (the app sets no function-valued serializer option), so
        // their JSON is the key.
        const context = JSON.stringify([externalSchemas, serializerOptions]);
        return (route: { schema: unknown }) => {
          const key = `${context}\n${JSON.stringify(route.schema)}`;
          if (!serializers.has(key)) serializers.set(key, build(route as never));
          return serializers.get(key);
        };
      }) as unknown as BuildSerializer,
      buildValidator: ((externalSchemas: unknown, ajvServerOption: unknown) => {
        const options = (ajvServerOption ?? {}) as { plugins?: unknown[] };
        const asSent = factory(
          externalSchemas as never,
          {
            ...options,
            customOptions: { ...BASE_OPTIONS, coerceTypes: false },
          } as never,
        );
        const coerced = factory(
          externalSchemas as never,
          {
            ...options,
            customOptions: { ...BASE_OPTIONS, coerceTypes: 'array' },
          } as never,
        );
        return (route: { schema: unknown; httpPart?: string }) =>
          refusingUnstorableText(
            (route.httpPart === 'body' ? asSent : coerced)(route as never) as ValidateFunction,
          );
      }) as unknown as BuildValidator,
    },
  };
}

function refusingUnstorableText(validate: ValidateFunction): ValidateFunction {
  const wrapped: ValidateFunction = (data, context) => {
    const found = findUnstorableText(data);
    if (found) {
      wrapped.errors = [
        {
          instancePath: found.path,
          schemaPath: '#',
          keyword: 'text',
          params: {},
          message: found.message,
        },
      ];
      return false;
    }
    const valid = validate(data, context);
    wrapped.errors = validate.errors;
    return valid;
  };
  // Fastify passes the request as parent data when the function carries Ajv's schemaEnv, which
  // is what lets Ajv coerce a whole querystring in place.
  if (validate.schemaEnv) wrapped.schemaEnv = validate.schemaEnv;
  return wrapped;
}
