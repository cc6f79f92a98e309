import { randomUUID } from 'node:crypto';
import { NOT_BLANK_PATTERN } from '@cairn/contract';
import type {
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  FastifyServerOptions,
} from 'fastify';
import fp from 'fastify-plugin';
import helmet, { type HelmetOptions } from 'helmet';
import { AppError, type ErrorCode } from './errors.js';

// An incoming x-request-id is kept only when it looks like an id, never arbitrary text for logs.
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{8,128}$/;

export function requestIdFrom(request: { headers: Record<string, unknown> }): string {
  const incoming = request.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID_PATTERN.test(incoming)
    ? incoming
    : randomUUID();
}

/**
 * Owns the response envelope: `request_id` in every JSON body (success, error, 404), the
 * `x-request-id` header on every response, and the one error handler that maps errors to codes
 * and never lets a stack trace or SQL text reach a client.
 */
export const envelopePlugin = fp(
  async (app: FastifyInstance) => {
    app.addHook('onRequest', async (request, reply) => {
      reply.header('x-request-id', request.id);
    });

    app.addHook('preSerialization', async (request, reply, payload: unknown) => {
      if (
        payload &&
        typeof payload === 'object' &&
        !Array.isArray(payload) &&
        !Buffer.isBuffer(payload)
      ) {
        const body = payload as Record<string, unknown>;
        if (!('request_id' in body) && 'ok' in body) return { ...body, request_id: request.id };
      }
      return payload;
    });

    app.setNotFoundHandler((request, reply) => {
      sendError(
        reply,
        request,
        new AppError('not_found', `route ${request.method} ${request.url.split('?')[0]} not found`),
      );
    });

    app.setErrorHandler((error: FastifyError, request, reply) => {
      sendError(reply, request, toAppError(error, request));
    });
  },
  { name: 'envelope' },
);

/**
 * Fastify's router answers a URL it cannot route (bad percent-encoding, an over-long parameter)
 * before any hook runs, so neither this plugin's request id nor helmet's headers would reach that
 * answer, and its default body echoes the URL. This handler is Fastify's `frameworkErrors` option:
 * it gives those answers the envelope, the x-request-id header and the same security headers as
 * every other response, and names the problem without repeating the URL.
 */
export function frameworkErrorHandler(
  securityHeaders: Readonly<HelmetOptions>,
): NonNullable<FastifyServerOptions['frameworkErrors']> {
  const applySecurityHeaders = helmet(securityHeaders);
  return (error, request, reply) => {
    reply.header('x-request-id', request.id);
    applySecurityHeaders(request.raw, reply.raw, () => undefined);
    const appError =
      error.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? new AppError('uri_too_long', 'a path parameter is too long')
        : error.code === 'FST_ERR_BAD_URL'
          ? new AppError('validation_error', 'the URL is not valid: malformed percent-encoding', {
              fields: [{ field: 'url', message: 'has malformed percent-encoding' }],
            })
          : toAppError(error as FastifyError, request);
    void sendError(reply, request, appError);
  };
}

function sendError(reply: FastifyReply, request: FastifyRequest, error: AppError) {
  if (error.headers) reply.headers(error.headers);
  return reply.status(error.statusCode).send({
    ok: false,
    error: error.code,
    message: error.message,
    request_id: request.id,
    ...(error.details === undefined ? {} : { details: error.details }),
  });
}

function toAppError(error: FastifyError, request: FastifyRequest): AppError {
  if (error instanceof AppError) return error;
  if (error.validation) {
    const fields = error.validation.map((v) => ({
      field: fieldName(error.validationContext, v.instancePath, v.params),
      message:
        v.keyword === 'pattern' && v.params.pattern === NOT_BLANK_PATTERN
          ? 'must not be blank'
          : (v.message ?? 'is invalid'),
    }));
    return new AppError(
      'validation_error',
      `invalid ${fields.map((f) => f.field).join(', ')}: ${fields[0]?.message ?? 'is invalid'}`,
      { fields },
    );
  }
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return new AppError('unsupported_media_type', 'request body must be application/json');
  }
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || error.statusCode === 413) {
    return new AppError('payload_too_large', 'request body is too large', {
      fields: [{ field: 'body', message: 'is too large' }],
    });
  }
  if (
    error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ||
    error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
    error.statusCode === 400
  ) {
    return new AppError('validation_error', 'request body is not valid JSON', {
      fields: [{ field: 'body', message: 'is not valid JSON' }],
    });
  }
  if (isConnectionError(error)) {
    request.log.error({ err: error }, 'database unavailable');
    return new AppError('db_unavailable', 'the database is unavailable; try again shortly');
  }
  request.log.error({ err: error }, 'unhandled error');
  return new AppError(
    'internal_error' satisfies ErrorCode,
    'an unexpected error occurred; quote the request id when reporting it',
  );
}

function fieldName(
  context: string | undefined,
  instancePath: string,
  params: Record<string, unknown>,
): string {
  const path = instancePath.replace(/^\//, '').replaceAll('/', '.');
  const missing = typeof params.missingProperty === 'string' ? params.missingProperty : undefined;
  const extra =
    typeof params.additionalProperty === 'string' ? params.additionalProperty : undefined;
  const leaf = [path, missing ?? extra].filter(Boolean).join('.');
  return leaf || context || 'body';
}

const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
  '08006',
  '08001',
  '08003',
]);

export function isConnectionError(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return (
    (typeof e?.code === 'string' && CONNECTION_ERROR_CODES.has(e.code)) ||
    /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED/i.test(
      e?.message ?? '',
    )
  );
}
