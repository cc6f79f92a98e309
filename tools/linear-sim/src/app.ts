// The simulator's HTTP server: `POST /graphql` as Linear answers it, and the control API under
// /__sim/. A request goes through, in order: parsing, injected faults (an edge in front of Linear
// fails before Linear looks at the request), authentication, validation against the served schema,
// the per-query complexity cap, the rate-limit buckets, then execution.
import { gzipSync } from 'node:zlib';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import {
  execute,
  GraphQLError,
  Kind,
  parse,
  validate,
  valueFromASTUntyped,
  type DocumentNode,
  type FieldNode,
} from 'graphql';
import { entityPage, halfBody, nginxPage, sendTruncated, type ActiveFault } from '@cairn/studio';
import { registerControlApi } from './control-api.js';
import type { LinearSimControl } from './control.js';
import { operationOf, queryComplexity } from './graphql/complexity.js';
import {
  authenticationError,
  errorBody,
  queryTooComplex,
  ratelimited,
  validationFailed,
} from './graphql/errors.js';
import type { GraphQLContext, RateLimitSnapshot } from './graphql/schema.js';
import { rateLimitHeaders } from './rate-limit.js';
import { issueTitleOf } from './text.js';
import {
  FAULT_ROUTES,
  type LinearFaultKind,
  type LinearFaultRoute,
  type SimCore,
} from './sim-core.js';

interface GraphQLBody {
  query?: unknown;
  variables?: unknown;
  operationName?: unknown;
}

type Fault = ActiveFault<LinearFaultRoute, LinearFaultKind>;

interface Outcome {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

function rootFields(document: DocumentNode, operationName: string | undefined): FieldNode[] {
  const operation = operationOf(document, operationName);
  if (!operation) return [];
  return operation.selectionSet.selections.filter((s): s is FieldNode => s.kind === Kind.FIELD);
}

/** An argument of the root field, variables resolved: what a fault can be matched on. */
function argumentOf(
  field: FieldNode | undefined,
  name: string,
  variables: Record<string, unknown>,
): unknown {
  const node = field?.arguments?.find((a) => a.name.value === name);
  return node ? valueFromASTUntyped(node.value, variables) : undefined;
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Outcome {
  return { status, body, headers };
}

/** The page an edge proxy shows when Linear itself is unreachable. */
function edgeFailure(kind: '500' | '502' | '503'): Outcome {
  if (kind === '500')
    return json(500, {
      errors: [
        {
          message: 'Internal server error',
          extensions: {
            code: 'INTERNAL_SERVER_ERROR',
            type: 'internal error',
            userError: false,
            userPresentableMessage: 'An unexpected error happened. Please try again.',
            meta: {},
          },
        },
      ],
    });
  const text = kind === '502' ? 'Bad Gateway' : 'Service Temporarily Unavailable';
  return {
    status: Number(kind),
    body: nginxPage(Number(kind), text),
    headers: { 'content-type': 'text/html' },
  };
}

export async function handleGraphQL(
  core: SimCore,
  request: FastifyRequest,
  log: { route: string | null; fault: string | null; details: Record<string, unknown> },
  drawFault = true,
): Promise<Outcome | { fault: Fault }> {
  const body = (request.body ?? {}) as GraphQLBody;
  if (typeof body.query !== 'string')
    return json(400, {
      errors: [{ message: 'Must provide query string.', extensions: { code: 'BAD_REQUEST' } }],
    });
  const variables =
    body.variables && typeof body.variables === 'object'
      ? (body.variables as Record<string, unknown>)
      : {};
  const operationName = typeof body.operationName === 'string' ? body.operationName : undefined;
  let document: DocumentNode;
  try {
    document = parse(body.query);
  } catch (error) {
    const graphqlError = error instanceof GraphQLError ? error : new GraphQLError(String(error));
    return json(400, validationFailed([graphqlError]));
  }
  const roots = rootFields(document, operationName);
  const name = roots[0]?.name.value ?? '';
  const route = (FAULT_ROUTES as readonly string[]).includes(name)
    ? (name as LinearFaultRoute)
    : null;
  log.route = route;
  log.details['operation'] = operationName ?? operationOf(document, undefined)?.name?.value ?? null;
  log.details['fields'] = roots.map((f) => f.name.value);
  const after = argumentOf(roots[0], 'after', variables);
  const first = argumentOf(roots[0], 'first', variables);
  const fault = drawFault
    ? core.faults.take({
        route,
        after: typeof after === 'string' ? after : null,
        first: typeof first === 'number' ? first : null,
      })
    : null;
  if (fault) {
    log.fault = fault.kind;
    return { fault };
  }

  const credential = core.credentialOf(request.headers.authorization);
  if (!credential) return json(400, errorBody(authenticationError()));
  log.details['credential'] = credential;

  const errors = validate(core.schema, document);
  if (errors.length > 0) return json(400, validationFailed(errors));

  const cost = queryComplexity(core.schema, document, operationName, variables);
  log.details['complexity'] = cost;
  const limits = core.rateLimiter.limits;
  if (cost > limits.maxComplexity) {
    const headers = rateLimitHeaders({ ...core.rateLimiter.peek(credential), cost });
    return json(400, errorBody(queryTooComplex(cost, limits.maxComplexity)), headers);
  }
  const { allowed, snapshot } = core.rateLimiter.take(credential, cost);
  const headers = rateLimitHeaders(snapshot);
  if (!allowed) return json(limits.status, errorBody(ratelimited()), headers);

  const context: GraphQLContext = {
    store: core.store,
    world: core.world,
    now: core.clock(),
    rateLimit: snapshot,
  };
  const result = await execute({
    schema: core.schema,
    document,
    variableValues: variables,
    operationName,
    contextValue: context,
  });
  // Linear answers 200 with `errors` (and whatever data resolved) once a query runs.
  return json(200, result, headers);
}

function rateLimitedFault(core: SimCore, fault: Fault): Outcome {
  const now = core.clock();
  const limits = core.rateLimiter.limits;
  const snapshot: RateLimitSnapshot = {
    requests: { limit: limits.requestsPerHour, remaining: 0, reset: now + 60_000 },
    complexity: {
      limit: limits.complexityPerHour,
      remaining: 0,
      reset: now + 60_000,
    },
    cost: 0,
  };
  const headers = rateLimitHeaders(snapshot);
  if (fault.retryAfterSeconds !== null) headers['retry-after'] = String(fault.retryAfterSeconds);
  return json(fault.kind === 'ratelimited_429' ? 429 : 400, errorBody(ratelimited()), headers);
}

async function sendFault(
  core: SimCore,
  request: FastifyRequest,
  reply: FastifyReply,
  fault: Fault,
  run: () => Promise<Outcome>,
): Promise<FastifyReply | undefined> {
  switch (fault.kind) {
    case 'ratelimited_400':
    case 'ratelimited_429': {
      const outcome = rateLimitedFault(core, fault);
      return reply.code(outcome.status).headers(outcome.headers).send(outcome.body);
    }
    case '500':
    case '502':
    case '503': {
      const outcome = edgeFailure(fault.kind);
      if (fault.retryAfterSeconds !== null)
        outcome.headers['retry-after'] = String(fault.retryAfterSeconds);
      return reply.code(outcome.status).headers(outcome.headers).send(outcome.body);
    }
    case 'delay': {
      await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
      const outcome = await run();
      return reply.code(outcome.status).headers(outcome.headers).send(outcome.body);
    }
    case 'hang':
      await core.hangs.wait((release) => request.raw.socket.once('close', release));
      reply.hijack();
      request.raw.socket.destroy();
      return undefined;
    case 'truncated': {
      const outcome = await run();
      reply.hijack();
      sendTruncated(
        reply.raw,
        outcome.status,
        { 'content-type': 'application/json; charset=utf-8', ...outcome.headers },
        JSON.stringify(outcome.body),
      );
      return undefined;
    }
    case 'encoded': {
      // A proxy that gzips whatever the client's Accept-Encoding said (identity included).
      const outcome = await run();
      return reply
        .code(outcome.status)
        .headers({ ...outcome.headers, 'content-encoding': 'gzip' })
        .type('application/json; charset=utf-8')
        .send(gzipSync(JSON.stringify(outcome.body)));
    }
    case 'malformed': {
      const outcome = await run();
      return reply
        .code(outcome.status)
        .headers(outcome.headers)
        .type('application/json; charset=utf-8')
        .send(halfBody(JSON.stringify(outcome.body)));
    }
  }
}

export function buildLinearApp(core: SimCore, control: LinearSimControl): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 8 * 1024 * 1024 });

  app.post('/graphql', async (request, reply) => {
    const log = { route: null as string | null, fault: null as string | null, details: {} };
    const logged = (status: number) =>
      core.requestLog.add({
        at: new Date().toISOString(),
        method: request.method,
        url: request.url,
        route: log.route,
        status,
        fault: log.fault,
        details: log.details,
      });
    const result = await handleGraphQL(core, request, log);
    if ('fault' in result) {
      // A fault that still answers runs the request without the fault, then breaks the answer.
      const run = async () => (await handleGraphQL(core, request, log, false)) as Outcome;
      const sent = await sendFault(core, request, reply, result.fault, run);
      // The status that went out (a hijacked answer writes its own); 0 when none did (`hang`).
      // Not `sent`: awaiting a FastifyReply resolves its thenable, never the reply.
      logged(reply.raw.headersSent ? reply.raw.statusCode : 0);
      return sent;
    }
    logged(result.status);
    return reply.code(result.status).headers(result.headers).send(result.body);
  });

  // The page behind an issue's or comment's `url` (render.ts issueUrl; a comment's adds only a
  // #fragment): what a link from Cairn opens when the world links to this simulator.
  app.get<{ Params: { urlKey: string; identifier: string } }>(
    '/:urlKey/issue/:identifier/*',
    async (request, reply) => {
      const { world } = core;
      const [key, number] = request.params.identifier.split('-');
      const teamIndex = world.teams.findIndex((t) => t.key === key);
      const issue = world.issues.find(
        (i) => i.teamIndex === teamIndex && i.number === Number(number) && !i.deleted,
      );
      if (request.params.urlKey !== world.organization.urlKey || !issue) {
        return reply.callNotFound();
      }
      return reply
        .type('text/html; charset=utf-8')
        .send(entityPage('Linear', request.params.identifier, issueTitleOf(world, issue)));
    },
  );

  registerControlApi(app, control);
  return app;
}
