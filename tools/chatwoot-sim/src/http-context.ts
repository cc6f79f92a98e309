// Per-request facts shared by the hooks and the routes: parsed ids, the fault drawn, the log entry.
import type { FastifyRequest } from 'fastify';
import type { ActiveFault, FaultRoute } from './faults.js';
import type { Query } from './queries.js';
import type { SimCore } from './sim-core.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    faultRoute?: FaultRoute;
  }
  interface FastifyRequest {
    simFault: ActiveFault | null;
  }
  interface FastifyInstance {
    simCore: SimCore;
  }
}

export type AccountParams = { account_id: string };
export type ConversationParams = AccountParams & { id: string };

export function numberParam(value: string | undefined): number | null {
  if (value === undefined || !/^\d+$/.test(value)) return null;
  return Number(value);
}

export function pageOf(query: Query): number | null {
  const raw = query['page'];
  const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
  return numberParam(value);
}

export function logRequest(core: SimCore, request: FastifyRequest, status: number): void {
  if (request.url.startsWith('/__sim')) return;
  const params = request.params as Partial<ConversationParams>;
  const route = request.routeOptions.config.faultRoute ?? null;
  core.logRequest({
    at: new Date().toISOString(),
    method: request.method,
    url: request.url,
    route,
    accountId: numberParam(params.account_id),
    conversationId: route === 'contact' ? null : numberParam(params.id),
    page: pageOf(request.query as Query),
    status,
    fault: request.simFault?.kind ?? null,
  });
}
