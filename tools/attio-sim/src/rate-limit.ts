// Attio's rate limits: about 100 read and 25 write requests a second per token (record queries
// count as reads). Over the limit: 429 with Retry-After as an HTTP date, usually the next second.
// Counted per whole second, which is how the documented figures are stated.

export interface AttioRateLimitOptions {
  readsPerSecond?: number;
  writesPerSecond?: number;
}

export const DEFAULT_ATTIO_RATE_LIMITS: Required<AttioRateLimitOptions> = {
  readsPerSecond: 100,
  writesPerSecond: 25,
};

export class SecondWindow {
  private second = -1;
  private reads = 0;
  private writes = 0;
  limits: Required<AttioRateLimitOptions>;

  constructor(
    options: AttioRateLimitOptions,
    private readonly clock: () => number,
  ) {
    this.limits = checked({ ...DEFAULT_ATTIO_RATE_LIMITS, ...options });
  }

  configure(options: AttioRateLimitOptions): void {
    this.limits = checked({ ...this.limits, ...options });
    this.second = -1;
  }

  /** Counts a request; returns the Retry-After date when it is over the limit. */
  take(kind: 'read' | 'write'): { allowed: true } | { allowed: false; retryAfter: string } {
    const now = this.clock();
    const second = Math.floor(now / 1000);
    if (second !== this.second) {
      this.second = second;
      this.reads = 0;
      this.writes = 0;
    }
    const over =
      kind === 'read'
        ? this.reads >= this.limits.readsPerSecond
        : this.writes >= this.limits.writesPerSecond;
    if (over) return { allowed: false, retryAfter: retryAfterDate(now) };
    if (kind === 'read') this.reads++;
    else this.writes++;
    return { allowed: true };
  }
}

/** The start of the next whole second as an HTTP date (`Tue, 23 May 2023 14:42:01 GMT`). */
export function retryAfterDate(now: number, seconds = 1): string {
  return new Date((Math.floor(now / 1000) + seconds) * 1000).toUTCString();
}

function checked(limits: Required<AttioRateLimitOptions>): Required<AttioRateLimitOptions> {
  for (const key of ['readsPerSecond', 'writesPerSecond'] as const)
    if (!Number.isInteger(limits[key]) || limits[key] < 1)
      throw new Error(`${key} must be a positive integer`);
  return limits;
}
