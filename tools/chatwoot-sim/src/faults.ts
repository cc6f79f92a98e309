// Fault injection: the failures a sync client must survive, switched on per route and per call.

export type FaultRoute =
  | 'conversations'
  | 'messages'
  | 'contacts'
  | 'conversation'
  | 'create_message'
  | 'contact'
  | 'profile'
  | '*';
export type FaultKind =
  '429' | '500' | '502' | '503' | 'delay' | 'truncated' | 'malformed' | 'empty_page';

export const FAULT_ROUTES: readonly FaultRoute[] = [
  'conversations',
  'messages',
  'contacts',
  'conversation',
  'create_message',
  'contact',
  'profile',
  '*',
];
export const FAULT_KINDS: readonly FaultKind[] = [
  '429',
  '500',
  '502',
  '503',
  'delay',
  'truncated',
  'malformed',
  'empty_page',
];

export interface FaultSpec {
  route: FaultRoute;
  kind: FaultKind;
  /** How many matching requests fail; default 1. */
  times?: number;
  /** Adds a Retry-After header to 429/503 (real Chatwoot sends none). */
  retryAfterSeconds?: number;
  delayMs?: number;
  match?: { conversationId?: number; page?: number };
}

export interface ActiveFault extends Required<Pick<FaultSpec, 'route' | 'kind'>> {
  id: number;
  remaining: number;
  retryAfterSeconds: number | null;
  delayMs: number;
  match: { conversationId?: number; page?: number };
}

export interface RequestFacts {
  route: FaultRoute | null;
  conversationId: number | null;
  page: number | null;
}

export class FaultBook {
  private faults: ActiveFault[] = [];
  private seq = 0;

  inject(spec: FaultSpec): ActiveFault {
    if (!FAULT_ROUTES.includes(spec.route)) throw new Error(`unknown fault route "${spec.route}"`);
    if (!FAULT_KINDS.includes(spec.kind)) throw new Error(`unknown fault kind "${spec.kind}"`);
    const fault: ActiveFault = {
      id: ++this.seq,
      route: spec.route,
      kind: spec.kind,
      remaining: spec.times ?? 1,
      retryAfterSeconds: spec.retryAfterSeconds ?? null,
      delayMs: spec.delayMs ?? 1_000,
      match: { ...spec.match },
    };
    this.faults.push(fault);
    return fault;
  }

  clear(): void {
    this.faults = [];
  }

  list(): ActiveFault[] {
    return this.faults.map((f) => ({ ...f, match: { ...f.match } }));
  }

  /** Consumes one use of the first fault matching the request, if any. */
  take(request: RequestFacts): ActiveFault | null {
    if (request.route === null) return null;
    const fault = this.faults.find((f) => {
      if (f.remaining <= 0) return false;
      if (f.route !== '*' && f.route !== request.route) return false;
      if (f.match.conversationId !== undefined && f.match.conversationId !== request.conversationId)
        return false;
      if (f.match.page !== undefined && f.match.page !== (request.page ?? 1)) return false;
      return true;
    });
    if (!fault) return null;
    fault.remaining--;
    if (fault.remaining <= 0) this.faults = this.faults.filter((f) => f !== fault);
    return { ...fault };
  }
}
