/**
 * Runs write transactions at most `limit` at a time, so Postgres can work one batch on a second
 * core while another commits. The first failure stops every later write and is rethrown by
 * `drain()`; callers check `failed` to stop producing batches early.
 */
export class WritePipeline {
  private readonly inFlight = new Set<Promise<void>>();
  private failure: { error: unknown } | null = null;

  constructor(private readonly limit: number) {}

  get failed(): boolean {
    return this.failure !== null;
  }

  /** Resolves once the write has started; `done` settles when it has finished. */
  async start(write: () => Promise<void>): Promise<{ done: Promise<void> }> {
    while (this.inFlight.size >= this.limit) await Promise.race(this.inFlight);
    if (this.failure) return { done: Promise.resolve() };
    const done: Promise<void> = write()
      .catch((error: unknown) => {
        this.failure ??= { error };
      })
      .finally(() => this.inFlight.delete(done));
    this.inFlight.add(done);
    return { done };
  }

  /** Waits for every started write; throws the first failure. */
  async drain(): Promise<void> {
    await Promise.all(this.inFlight);
    if (this.failure) throw this.failure.error;
  }
}
