import { mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';

export interface EmbeddedPostgres {
  /** A postgres:// URL on loopback, so every client (pool, migrator, pg-boss) uses `pg` unchanged. */
  connectionString: string;
  /** The pid of the process serving the data directory, when this one attached to it. */
  attachedTo?: number;
  stop(): Promise<void>;
}

/** The data directory is held by another live process, and this one may not share it. */
export class DataDirectoryInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `the embedded database in ${dataDir} is in use by another Cairn process (pid ${pid}); ` +
        'stop it first, or set DATABASE_URL to use a server Postgres. ' +
        '(`npm run user` talks to a running server by itself.)',
    );
    this.name = 'DataDirectoryInUseError';
  }
}

interface LockInfo {
  pid: number;
  /** The pglite-socket port, once the holder serves it. */
  port?: number;
}

// A holder that has taken the lock opens PGlite and then its socket: seconds, a minute at most on
// a slow disk. An attaching process waits that long for the port to appear.
const ATTACH_WAIT_MS = 60_000;
const ATTACH_POLL_MS = 200;

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
  /**
   * When another live process already serves the directory: `refuse` (the default) throws a
   * DataDirectoryInUseError; `attach` connects to that process's socket instead (a short-lived
   * command such as `npm run user`, whose writes must land in the running server's database).
   */
  ifInUse?: 'refuse' | 'attach';
}): Promise<EmbeddedPostgres> {
  await mkdir(options.dataDir, { recursive: true });
  const lockPath = `${options.dataDir}.lock`;
  const holder = await takeLock(lockPath);
  if (holder) {
    if (options.ifInUse !== 'attach')
      throw new DataDirectoryInUseError(options.dataDir, holder.pid);
    const port = await holderPort(lockPath, holder.pid, options.dataDir);
    return {
      connectionString: `postgres://postgres@127.0.0.1:${port}/postgres`,
      attachedTo: holder.pid,
      async stop() {},
    };
  }
  try {
    return await serve(options, lockPath);
  } catch (error) {
    await releaseLock(lockPath);
    throw error;
  }
}

async function serve(
  options: { dataDir: string; port?: number },
  lockPath: string,
): Promise<EmbeddedPostgres> {
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
  const port = Number(new URL(connectionString).port);
  await writeLock(lockPath, { pid: process.pid, port });
  let stopping: Promise<void> | undefined;
  return {
    connectionString,
    stop() {
      stopping ??= (async () => {
        worker.postMessage('stop');
        await exited;
        await releaseLock(lockPath);
      })();
      return stopping;
    },
  };
}

/**
 * One process owns a data directory: two PGlite instances on one directory each believe they are
 * the only Postgres, and the last to write wins, silently. Node has no portable OS file lock, so
 * the lock is a file beside the directory, created with O_EXCL (atomic: exactly one creator wins)
 * and holding the owner's pid and, once served, its socket port (for `attach`). A lock whose pid is
 * gone is stale (a crash, kill -9) and is taken over; so is one naming this very pid, which after a
 * container restart is the previous incarnation's, since this process has not locked it yet. Two
 * processes taking over the same stale lock at the same instant could both remove it; the second
 * `wx` create still fails for one of them, and that one then sees the other as the live holder.
 * Returns null when this process now holds the lock, or the live holder.
 */
async function takeLock(lockPath: string): Promise<LockInfo | null> {
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(JSON.stringify({ pid: process.pid } satisfies LockInfo));
      await handle.close();
      return null;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const info = await readLock(lockPath);
    if (info === undefined) continue; // removed meanwhile: try again
    if (info === null) {
      // Created but not yet written: its owner is between two system calls.
      if (attempt > 50) await rm(lockPath, { force: true });
      else await sleep(20);
      continue;
    }
    if (info.pid !== process.pid && isAlive(info.pid)) return info;
    await rm(lockPath, { force: true });
  }
}

/** The lock's content; null when unreadable (being written), undefined when it is gone. */
async function readLock(lockPath: string): Promise<LockInfo | null | undefined> {
  let text: string;
  try {
    text = await readFile(lockPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const info = JSON.parse(text) as LockInfo;
    return Number.isInteger(info.pid) && info.pid > 0 ? info : null;
  } catch {
    return null;
  }
}

/** Replaces the lock's content in one step (write aside, then rename over it). */
async function writeLock(lockPath: string, info: LockInfo) {
  const temporary = `${lockPath}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(info));
  await rename(temporary, lockPath);
}

async function releaseLock(lockPath: string) {
  const info = await readLock(lockPath);
  if (info?.pid === process.pid) await rm(lockPath, { force: true });
}

/** The holder's socket port, waiting while it starts; throws if it stops without serving. */
async function holderPort(lockPath: string, pid: number, dataDir: string): Promise<number> {
  const deadline = Date.now() + ATTACH_WAIT_MS;
  for (;;) {
    const info = await readLock(lockPath);
    if (info?.pid === pid && info.port) return info.port;
    if (info === undefined || !isAlive(pid) || Date.now() > deadline)
      throw new Error(
        `the Cairn process (pid ${pid}) holding the embedded database in ${dataDir} did not ` +
          'start serving it; try again once it is up, or stop it',
      );
    await sleep(ATTACH_POLL_MS);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
