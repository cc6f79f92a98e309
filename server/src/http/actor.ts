import type { FastifyRequest } from 'fastify';

/** Who did it, as audit rows name them: the signed-in user of a request. */
export interface Actor {
  userId: string;
  username: string;
  requestId: string;
}

/**
 * Who an audit row names when the work may also be the system's (a queued job sends outbound
 * mail): a name and, when a request caused it, the request id. Every `Actor` is one.
 */
export interface AuditActor {
  username: string;
  requestId: string | null;
}

/** The request's user as an `Actor`; only on routes the access guard signed in. */
export const actorOf = (request: FastifyRequest): Actor => ({
  userId: request.user!.id,
  username: request.user!.username,
  requestId: request.id,
});
