import {
  AskBodySchema,
  AskFeedbackBodySchema,
  AskFeedbackResponseSchema,
  AskRecentQuerySchema,
  AskRecentResponseSchema,
  AskResponseSchema,
  IdParamsSchema,
  type AskEvent,
} from '@cairn/contract';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../../http/errors.js';
import { startEventStream } from '../../../http/event-stream.js';
import type { EmbeddingProvider } from '../embeddings/provider.js';
import { askQuestion, AskError } from './ask-question.js';
import { getAnswer } from './get-answer.js';
import { listRecentQuestions } from './list-recent-questions.js';
import { createChatProvider, type ChatProvider } from './openai-chat.js';
import { recordFeedback } from './record-feedback.js';

const tags = ['ask'];
// A comment line this often keeps proxies from closing a stream while the model thinks.
const HEARTBEAT_MS = 15_000;

/**
 * `POST /ask` (Server-Sent Events, or one JSON answer with `Accept: application/json`),
 * `POST /ask/:id/feedback`, `GET /ask/recent`, `GET /ask/:id`. All act in the caller's project
 * (`request.scope`); the handlers take the scope and the user from the request and nothing else,
 * so another way of authenticating (a token) only has to set those two.
 */
export const askRoutes: FastifyPluginAsyncTypebox<{
  provider: EmbeddingProvider;
  chat?: ChatProvider | null;
}> = async (app, opts) => {
  const embedder = opts.provider;
  const chat = opts.chat === undefined ? createChatProvider(app.config) : opts.chat;

  app.post(
    '/ask',
    {
      config: { access: 'project', permission: 'search' },
      schema: {
        tags,
        summary: 'Answer a question from the project’s evidence, every sentence checked',
        description:
          'text/event-stream by default: `answer.started`, `answer.delta`, `citation`, ' +
          '`sentence.verdict`, then `done` or `error` (schemas: packages/contract/src/ask.ts). ' +
          'With `Accept: application/json` (and not text/event-stream), the finished answer.',
        body: AskBodySchema,
        response: { 200: AskResponseSchema },
      },
    },
    async (request, reply) => {
      const body = { ...request.body, question: request.body.question.trim() };
      if (body.question === '') throw invalid('question', 'must not be blank');
      if (body.since && body.until && Date.parse(body.since) >= Date.parse(body.until)) {
        throw invalid('until', 'must be after since');
      }
      // The caller going away aborts the model request. The response's close (not the
      // request's, which fires once the body is read) is the connection ending.
      const controller = new AbortController();
      reply.raw.on('close', () => {
        if (!reply.raw.writableFinished) controller.abort(new Error('client closed the request'));
      });
      const run = (emit: (event: AskEvent) => void) =>
        askQuestion({
          database: app.database,
          config: app.config,
          scope: request.scope,
          userId: request.user?.id ?? null,
          embedder,
          chat,
          body,
          signal: controller.signal,
          emit,
        });

      if (!wantsStream(request)) {
        try {
          return { ok: true as const, answer: await run(() => undefined) };
        } catch (error) {
          throw error instanceof AskError ? toHttpError(error) : error;
        }
      }
      stream(request, reply, run);
      return reply;
    },
  );

  app.post(
    '/ask/:id/feedback',
    {
      config: { access: 'project', permission: 'search' },
      schema: {
        tags,
        summary: 'Say whether an answer helped, with an optional note (one per person, replaced)',
        params: IdParamsSchema,
        body: AskFeedbackBodySchema,
        response: { 200: AskFeedbackResponseSchema },
      },
    },
    async (request) => ({
      ok: true as const,
      feedback: await recordFeedback(
        app.database,
        request.scope,
        requireUser(request),
        request.params.id,
        request.body,
      ),
    }),
  );

  app.get(
    '/ask/recent',
    {
      config: { access: 'project', permission: 'search' },
      schema: {
        tags,
        summary: 'The caller’s recent questions in the active project, newest first',
        querystring: AskRecentQuerySchema,
        response: { 200: AskRecentResponseSchema },
      },
    },
    async (request) => ({
      ok: true as const,
      items: await listRecentQuestions(
        app.database,
        request.scope,
        requireUser(request),
        request.query.limit ?? 20,
      ),
    }),
  );

  app.get(
    '/ask/:id',
    {
      config: { access: 'project', permission: 'search' },
      schema: {
        tags,
        summary: 'A stored answer with its verified sentences, evidence and the caller’s feedback',
        params: IdParamsSchema,
        response: { 200: AskResponseSchema },
      },
    },
    async (request) => ({
      ok: true as const,
      answer: await getAnswer(
        app.database,
        request.scope,
        request.user?.id ?? null,
        request.params.id,
      ),
    }),
  );
};

/** SSE unless the client asked for JSON and not for a stream. */
function wantsStream(request: FastifyRequest): boolean {
  const accept = String(request.headers.accept ?? '');
  return accept.includes('text/event-stream') || !accept.includes('application/json');
}

/**
 * Runs the question as an event stream (http/event-stream.ts): every event is one
 * `event:`/`data:` pair; the stream ends after `done` or `error`, and an error after the stream has started is
 * an `error` event, never a hung connection.
 */
function stream(
  request: FastifyRequest,
  reply: FastifyReply,
  run: (emit: (event: AskEvent) => void) => Promise<unknown>,
) {
  const res = startEventStream(request, reply);
  const send = (event: AskEvent) => {
    if (!res.writableEnded)
      res.write(`event: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`);
  };
  const heartbeat = setInterval(() => {
    if (!res.writableEnded) res.write(': heartbeat\n\n');
  }, HEARTBEAT_MS);
  run(send)
    .catch((error: unknown) => {
      if (res.destroyed) return;
      if (!(error instanceof AskError)) request.log.error({ err: error }, 'ask failed');
      else request.log.warn({ code: error.code, err: error.message }, 'ask failed');
      const known = error instanceof AskError ? error : null;
      send({
        event: 'error',
        data: {
          code: known?.code ?? 'internal_error',
          message:
            known?.message ??
            'an unexpected error occurred; quote the request id when reporting it',
          retry_after_seconds: known?.retryAfterSeconds ?? null,
          request_id: request.id,
        },
      });
    })
    .finally(() => {
      clearInterval(heartbeat);
      res.end();
    });
}

function toHttpError(error: AskError): AppError {
  const retry =
    error.retryAfterSeconds === null
      ? undefined
      : { 'retry-after': String(error.retryAfterSeconds) };
  switch (error.code) {
    case 'provider_rate_limited':
    case 'token_budget_exhausted':
      return new AppError('rate_limited', error.message, { reason: error.code }, retry);
    case 'provider_timeout':
    case 'provider_error':
      return new AppError('upstream_error', error.message, { reason: error.code }, retry);
    default:
      return new AppError('internal_error', error.message);
  }
}

function requireUser(request: FastifyRequest): string {
  const userId = request.user?.id;
  if (!userId) throw new AppError('forbidden', 'this action needs a signed-in user');
  return userId;
}

function invalid(field: string, message: string) {
  return new AppError('validation_error', `invalid ${field}: ${message}`, {
    fields: [{ field, message }],
  });
}
