// Linear's rate limits: a leaky bucket per credential for requests (5,000 an hour) and one for
// complexity points (250,000 an hour), refilled continuously; a request that does not fit is
// refused with RATELIMITED and takes nothing. Reset headers say when a bucket is full again (Unix
// milliseconds). Figures are Linear's published defaults and can be lowered per simulator.
import type { RateLimitSnapshot } from './graphql/schema.js';

export interface RateLimitOptions {
  requestsPerHour?: number;
  complexityPerHour?: number;
  /** Complexity one query may have; above it the query is refused outright. */
  maxComplexity?: number;
  /** HTTP status of a RATELIMITED answer; Linear has been seen sending 400 and 429. */
  status?: 400 | 429;
}

export type ResolvedRateLimits = Required<RateLimitOptions>;

export const DEFAULT_RATE_LIMITS: ResolvedRateLimits = {
  requestsPerHour: 5_000,
  complexityPerHour: 250_000,
  maxComplexity: 10_000,
  status: 400,
};

const HOUR = 3_600_000;

function checked(limits: ResolvedRateLimits): ResolvedRateLimits {
  for (const key of ['requestsPerHour', 'complexityPerHour', 'maxComplexity'] as const) {
    if (!Number.isInteger(limits[key]) || limits[key] < 1)
      throw new Error(`${key} must be a positive integer`);
  }
  if (limits.status !== 400 && limits.status !== 429) throw new Error('status must be 400 or 429');
  return limits;
}

class LeakyBucket {
  private level: number;
  private at: number;

  constructor(
    readonly capacity: number,
    now: number,
  ) {
    this.level = capacity;
    this.at = now;
  }

  remaining(now: number): number {
    const refill = ((now - this.at) * this.capacity) / HOUR;
    this.level = Math.min(this.capacity, this.level + Math.max(0, refill));
    this.at = Math.max(this.at, now);
    return this.level;
  }

  take(amount: number): void {
    this.level -= amount;
  }

  /** When the bucket is full again, Unix milliseconds. */
  reset(now: number): number {
    return Math.ceil(now + ((this.capacity - this.remaining(now)) * HOUR) / this.capacity);
  }
}

export class RateLimiter {
  private readonly buckets = new Map<string, { requests: LeakyBucket; complexity: LeakyBucket }>();
  limits: ResolvedRateLimits;

  constructor(
    options: RateLimitOptions,
    private readonly clock: () => number,
  ) {
    this.limits = checked({ ...DEFAULT_RATE_LIMITS, ...options });
  }

  configure(options: RateLimitOptions): void {
    this.limits = checked({ ...this.limits, ...options });
    this.buckets.clear();
  }

  reset(): void {
    this.buckets.clear();
  }

  private bucketsOf(credential: string) {
    let pair = this.buckets.get(credential);
    if (!pair) {
      const now = this.clock();
      pair = {
        requests: new LeakyBucket(this.limits.requestsPerHour, now),
        complexity: new LeakyBucket(this.limits.complexityPerHour, now),
      };
      this.buckets.set(credential, pair);
    }
    return pair;
  }

  /** Takes one request and `cost` points if both fit; reports the buckets either way. */
  take(credential: string, cost: number): { allowed: boolean; snapshot: RateLimitSnapshot } {
    const now = this.clock();
    const { requests, complexity } = this.bucketsOf(credential);
    const allowed = requests.remaining(now) >= 1 && complexity.remaining(now) >= cost;
    if (allowed) {
      requests.take(1);
      complexity.take(cost);
    }
    return { allowed, snapshot: { ...this.peek(credential), cost } };
  }

  /** The buckets as they are, without taking anything. */
  peek(credential: string): RateLimitSnapshot {
    const now = this.clock();
    const pair = this.bucketsOf(credential);
    const state = (bucket: LeakyBucket) => ({
      limit: bucket.capacity,
      remaining: Math.floor(bucket.remaining(now)),
      reset: bucket.reset(now),
    });
    return { requests: state(pair.requests), complexity: state(pair.complexity), cost: 0 };
  }
}

export function rateLimitHeaders(snapshot: RateLimitSnapshot): Record<string, string> {
  return {
    'x-ratelimit-requests-limit': String(snapshot.requests.limit),
    'x-ratelimit-requests-remaining': String(snapshot.requests.remaining),
    'x-ratelimit-requests-reset': String(snapshot.requests.reset),
    'x-complexity': String(snapshot.cost),
    'x-ratelimit-complexity-limit': String(snapshot.complexity.limit),
    'x-ratelimit-complexity-remaining': String(snapshot.complexity.remaining),
    'x-ratelimit-complexity-reset': String(snapshot.complexity.reset),
  };
}
