// Fault injection shared by the Linear and Attio simulators: the failures a sync client must
// survive, switched on per route and consumed per request, in the shape chatwoot-sim uses
// (route, kind, times, retryAfterSeconds, delayMs, match) so tests read alike. `skip` lets the
// first matching requests through, to fail a run at a chosen batch.

export interface FaultSpec<Route extends string, Kind extends string> {
  route: Route | '*';
  kind: Kind;
  /** How many matching requests fail; default 1. */
  times?: number;
  /** How many matching requests pass before the fault starts; default 0. */
  skip?: number;
  retryAfterSeconds?: number;
  /** For delays; a `hang` ignores it and waits for the client to give up. */
  delayMs?: number;
  /** Request facts that must all be equal (e.g. `{ object: 'people' }`, `{ offset: 500 }`). */
  match?: Record<string, string | number | boolean | null>;
}

export interface ActiveFault<Route extends string, Kind extends string> {
  id: number;
  route: Route | '*';
  kind: Kind;
  remaining: number;
  skip: number;
  retryAfterSeconds: number | null;
  delayMs: number;
  match: Record<string, string | number | boolean | null>;
}

export type RequestFacts<Route extends string> = { route: Route | null } & Record<
  string,
  string | number | boolean | null
>;

export class FaultBook<Route extends string, Kind extends string> {
  private faults: ActiveFault<Route, Kind>[] = [];
  private seq = 0;

  constructor(
    private readonly routes: readonly Route[],
    private readonly kinds: readonly Kind[],
  ) {}

  inject(spec: FaultSpec<Route, Kind>): ActiveFault<Route, Kind> {
    if (spec.route !== '*' && !this.routes.includes(spec.route))
      throw new Error(`unknown fault route "${spec.route}" (${this.routes.join(', ')}, *)`);
    if (!this.kinds.includes(spec.kind))
      throw new Error(`unknown fault kind "${spec.kind}" (${this.kinds.join(', ')})`);
    for (const key of ['times', 'skip', 'retryAfterSeconds', 'delayMs'] as const) {
      const value = spec[key];
      if (value !== undefined && (!Number.isInteger(value) || value < 0))
        throw new Error(`${key} must be a non-negative integer`);
    }
    const fault: ActiveFault<Route, Kind> = {
      id: ++this.seq,
      route: spec.route,
      kind: spec.kind,
      remaining: spec.times ?? 1,
      skip: spec.skip ?? 0,
      retryAfterSeconds: spec.retryAfterSeconds ?? null,
      delayMs: spec.delayMs ?? 1_000,
      match: { ...spec.match },
    };
    this.faults.push(fault);
    return { ...fault, match: { ...fault.match } };
  }

  clear(): void {
    this.faults = [];
  }

  list(): ActiveFault<Route, Kind>[] {
    return this.faults.map((f) => ({ ...f, match: { ...f.match } }));
  }

  /** Consumes one use of the first fault matching the request, if any. */
  take(facts: RequestFacts<Route>): ActiveFault<Route, Kind> | null {
    if (facts.route === null) return null;
    const fault = this.faults.find((f) => {
      if (f.remaining <= 0) return false;
      if (f.route !== '*' && f.route !== facts.route) return false;
      return Object.entries(f.match).every(([key, value]) => (facts[key] ?? null) === value);
    });
    if (!fault) return null;
    if (fault.skip > 0) {
      fault.skip--;
      return null;
    }
    fault.remaining--;
    if (fault.remaining <= 0) this.faults = this.faults.filter((f) => f !== fault);
    return { ...fault, match: { ...fault.match } };
  }
}

/**
 * Requests parked by a `hang` fault: they end when the client gives up (closes the socket) or when
 * the simulator stops, never by themselves — a real upstream that stopped answering.
 */
export class Hangs {
  private readonly waiting = new Set<() => void>();

  wait(socketClosed: (onClose: () => void) => void): Promise<void> {
    return new Promise((resolve) => {
      const release = () => {
        this.waiting.delete(release);
        resolve();
      };
      this.waiting.add(release);
      socketClosed(release);
    });
  }

  releaseAll(): void {
    for (const release of [...this.waiting]) release();
  }
}
