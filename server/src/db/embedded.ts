import { Worker } from 'node:worker_threads';

export interface EmbeddedPostgres {
  /** A postgres:// URL on loopback, so every client (pool, migrator, pg-boss) uses `pg` unchanged. */
  connectionString: string;
  stop(): Promise<void>;
}

/**
 * Starts the embedded database (PGlite, persisted in `dataDir`, served on loopback: see
 * embedded-server.ts) in a thread of its own. PGlite executes each statement synchronously in
 * WebAssembly; on the API's thread every search's statements blocked the event loop, so under 50
 * concurrent searches even `/health`, which needs no database, waited up to half a second
 * (docs/benchmarks.md). In its own thread the database works while the API's event loop keeps
 * answering; the two talk over the same loopback socket as before, so nothing else changes.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port?: number;
}): Promise<EmbeddedPostgres> {
  // From TypeScript sources (tests, tsx) the thread registers tsx before loading its entry;
  // from the compiled dist/ the entry is plain JavaScript. A small evaluated bootstrap does this,
  // since a thread's entry file is loaded before any loader could be registered in it.
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(
    fromSource ? './embedded-thread.ts' : './embedded-thread.js',
    import.meta.url,
  );
  const bootstrap = fromSource
    ? // Resolved from the working directory: only tests and tsx runs, inside the repository.
      `import('tsx/esm/api')` +
      `.then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); })`
    : `import(${JSON.stringify(entry.href)})`;
  const worker = new Worker(bootstrap, { eval: true, workerData: options });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const connectionString = await new Promise<string>((resolve, reject) => {
    worker.once('message', (message: { connectionString?: string; error?: string }) =>
      message.connectionString
        ? resolve(message.connectionString)
        : reject(new Error(`embedded database: ${message.error}`)),
    );
    worker.once('error', reject);
    void exited.then(() => reject(new Error('embedded database thread exited while starting')));
  });
  // An error after start (the thread crashed) shows as refused connections, answered with 503.
  worker.on('error', () => undefined);
  let stopping: Promise<void> | undefined;
  return {
    connectionString,
    stop() {
      stopping ??= (async () => {
        worker.postMessage('stop');
        await exited;
      })();
      return stopping;
    },
  };
}
