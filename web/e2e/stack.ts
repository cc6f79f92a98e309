/**
 * Starts the real Cairn stack for the browser tests: the Chatwoot simulator in-process, the API
 * server (with its worker and an embedded Postgres in a temporary DATA_DIR) as a child process,
 * and the production build of the web UI behind `next start`. Nothing is mocked.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startChatwootSim, type Sim } from '@cairn/chatwoot-sim';
// The server suite's helpers for its databases on server Postgres, one copy for both suites.
import {
  createServerDatabase,
  dropServerDatabase,
  withDatabase,
} from '../../server/test/support/server-database.js';
import type { Browser as ChromiumBrowser } from 'playwright-core';
import { launchChromium, openBrowser, type Browser } from './browser.js';

const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = path.resolve(webDir, '..');

export const ADMIN = { username: 'e2e-admin', password: 'e2e-password-correct-horse' };

export interface Stack {
  webUrl: string;
  apiUrl: string;
  sim: Sim;
  dataDir: string;
  logs: () => string;
  logFile: string;
  /** A fresh browser on the web UI (e2e/browser.ts), in the stack's one Chromium. */
  openBrowser(options?: { locale?: string }): Promise<Browser>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(url: string, what: string, child: ChildProcess, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode}`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
      lastError = `HTTP ${response.status}`;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} did not become ready at ${url}: ${lastError}`);
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/**
 * Builds the web UI unless a build newer than every source file is already there; once per run,
 * from e2e/global-setup.ts.
 */
export function ensureWebBuild() {
  const buildId = path.join(webDir, '.next/BUILD_ID');
  const sources = Math.max(
    newestMtime(path.join(webDir, 'src')),
    newestMtime(path.join(webDir, 'messages')),
    statSync(path.join(webDir, 'next.config.ts')).mtimeMs,
    newestMtime(path.join(repoRoot, 'packages/contract/src')),
  );
  if (existsSync(buildId) && statSync(buildId).mtimeMs > sources) return;
  const result = spawnSync(process.execPath, [require_next(), 'build'], {
    cwd: webDir,
    stdio: 'inherit',
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
  });
  if (result.status !== 0) throw new Error('next build failed');
}

/**
 * Builds the compiled server the stacks run unless it is current (scripts/build-server.mjs, a no-op
 * when no source changed).
 */
export function ensureServerBuild() {
  const script = path.join(repoRoot, 'scripts/build-server.mjs');
  const build = spawnSync(process.execPath, [script], { stdio: 'inherit' });
  if (build.status !== 0) throw new Error('scripts/build-server.mjs failed');
}

function require_next(): string {
  return path.join(repoRoot, 'node_modules/next/dist/bin/next');
}

function collect(child: ChildProcess, name: string, sink: string[], logFile: string) {
  const push = (chunk: Buffer) => {
    sink.push(`[${name}] ${chunk.toString()}`);
    appendFileSync(logFile, `[${name}] ${chunk.toString()}`);
    if (sink.length > 2000) sink.splice(0, 1000);
  };
  child.stdout?.on('data', push);
  child.stderr?.on('data', push);
}

async function stopChild(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** `next start` of the production build, its API calls proxied to `apiUrl`. */
function spawnWeb(port: number, apiUrl: string): ChildProcess {
  return spawn(process.execPath, [require_next(), 'start', '-p', String(port)], {
    cwd: webDir,
    env: { ...process.env, API_UPSTREAM_URL: apiUrl, NEXT_TELEMETRY_DISABLED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/**
 * The API as `npm start` runs it: the compiled server (scripts/build-server.mjs, built once per
 * run by e2e/global-setup.ts), with its worker, on `databaseUrl` or an embedded database in
 * `dataDir`. `command` `migrate` migrates and exits.
 */
function spawnApi(options: {
  dataDir: string;
  port: number;
  webUrl: string;
  demo: boolean;
  databaseUrl?: string;
  command?: 'serve' | 'migrate';
}) {
  const command = options.command ?? 'serve';
  return spawn(process.execPath, ['--conditions=cairn-dist', 'dist/main.js', command], {
    cwd: path.join(repoRoot, 'server'),
    env: {
      ...process.env,
      DATA_DIR: options.dataDir,
      PORT: String(options.port),
      HOST: '127.0.0.1',
      CORS_ORIGIN: options.webUrl,
      AUTH_USERNAME: ADMIN.username,
      AUTH_PASSWORD: ADMIN.password,
      DEMO: options.demo ? 'true' : 'false',
      LOG_LEVEL: 'warn',
      EMBEDDING_PROVIDER: 'local',
      EMBEDDING_DIM: '256',
      // The scheduler would start syncs of its own; the tests drive every run from the UI.
      WORKER_INTERVAL_SECONDS: '3600',
      DATABASE_URL: options.databaseUrl ?? '',
      // Required with DATABASE_URL; a throwaway database's key.
      SECRETS_KEY: options.databaseUrl ? 'e2e0'.repeat(16) : '',
      CHATWOOT_BASE_URL: '',
      // The simulator listens on loopback: opened like a studio-network Chatwoot, guard on.
      SOURCE_HOST_ALLOWLIST: '127.0.0.1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/**
 * The server Postgres the stacks that are not the demo run on, when TEST_DATABASE_URL names one
 * (CI: `.ci/run`), each in a database of its own; without it every stack is embedded. The demo
 * runs embedded, as a first `npm start` does, so the suite covers both. On the server, the API's
 * queries run natively instead of in the API's own WebAssembly Postgres: in a run of the suite the
 * stacks' API took 61 s of CPU instead of 80 s (docs/operations.md, "Continuous integration").
 */
const serverUrl = () => process.env.TEST_DATABASE_URL || undefined;

const uniqueName = (prefix: string) => `${prefix}_${process.pid}_${Date.now().toString(36)}`;

/** Runs the API until `/health` answers, then stops it; or, for `migrate`, until it exits. */
async function runApiOnce(options: Parameters<typeof spawnApi>[0], logFile: string) {
  const output: string[] = [];
  const port = options.port;
  const api = spawnApi(options);
  collect(api, 'api', output, logFile);
  try {
    if (options.command === 'migrate') {
      const code = await new Promise((resolve) => api.once('exit', resolve));
      if (code !== 0) throw new Error(`migrate exited with ${code}`);
    } else {
      await waitFor(`http://127.0.0.1:${port}/health`, 'API server', api, 180_000);
    }
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${output.join('')}`);
  } finally {
    await stopChild(api);
  }
}

/**
 * Once per run, from e2e/global-setup.ts, what every stack but the demo's starts from, migrated
 * (10 s of a stack's start, the same every time): with TEST_DATABASE_URL a template database on
 * that server, which the API's `migrate` makes; otherwise an embedded data directory, made by
 * starting the API on an empty one. Each stack then starts from a copy. The demo's stack starts
 * on an empty data directory, as a first `npm start` does (also the start-phase test's and
 * bench/start's: server/test/foundation/start-phase.test.ts).
 */
export async function prepareDataTemplate(): Promise<() => void | Promise<void>> {
  const root = mkdtempSync(path.join(tmpdir(), 'cairn-e2e-template-'));
  const dataDir = path.join(root, 'db');
  const common = { dataDir, webUrl: 'http://localhost', demo: false };
  const server = serverUrl();
  if (server) {
    const template = uniqueName('cairn_e2e_template');
    await createServerDatabase(server, template);
    try {
      const migrate = { port: 0, databaseUrl: withDatabase(server, template) };
      await runApiOnce({ ...common, ...migrate, command: 'migrate' }, `${root}.log`);
    } catch (error) {
      await dropServerDatabase(server, template);
      throw error;
    }
    // The test files run in workers started after the global setup, with its environment.
    process.env.E2E_DATABASE_TEMPLATE = template;
    return async () => {
      rmSync(root, { recursive: true, force: true });
      await dropServerDatabase(server, template);
    };
  }
  await runApiOnce({ ...common, port: await freePort() }, `${root}.log`);
  process.env.E2E_DATA_TEMPLATE = dataDir;
  return () => rmSync(root, { recursive: true, force: true });
}

export async function startStack(
  options: { simSeed?: string; demo?: boolean } = {},
): Promise<Stack> {
  const output: string[] = [];
  const dataDir = mkdtempSync(path.join(tmpdir(), 'cairn-e2e-'));
  // The processes' output goes to a file that outlives the run, so a failure can be diagnosed.
  const logFile = `${dataDir}.log`;
  const sim = await startChatwootSim({ seed: options.simSeed ?? 'e2e', size: 'tiny' });
  const [apiPort, webPort] = [await freePort(), await freePort()];
  const webUrl = `http://localhost:${webPort}`;
  const apiUrl = `http://127.0.0.1:${apiPort}`;

  // Started from the run's migrated template when there is one (e2e/global-setup.ts), except the
  // demo, whose start is a first start; e2e/dev-stack.ts, without one, starts on an empty one.
  const postgres = serverUrl();
  const serverTemplate = options.demo ? undefined : process.env.E2E_DATABASE_TEMPLATE;
  const template = options.demo ? undefined : process.env.E2E_DATA_TEMPLATE;
  const database = postgres && serverTemplate ? uniqueName('cairn_e2e') : undefined;
  if (postgres && serverTemplate && database) {
    await createServerDatabase(postgres, database, serverTemplate);
  }
  if (template) {
    cpSync(template, path.join(dataDir, 'db'), {
      recursive: true,
      filter: (source) => !source.endsWith('.lock'),
    });
  }
  const server = spawnApi({
    dataDir: path.join(dataDir, 'db'),
    port: apiPort,
    webUrl,
    demo: options.demo ?? false,
    databaseUrl: postgres && database ? withDatabase(postgres, database) : undefined,
  });
  collect(server, 'api', output, logFile);
  const web = spawnWeb(webPort, apiUrl);
  collect(web, 'web', output, logFile);

  // Launched at the first browser a test opens: a stack whose tests open none starts no Chromium.
  let chromium: Promise<ChromiumBrowser> | undefined;
  const stop = async () => {
    if (chromium) await (await chromium).close();
    await Promise.all([stopChild(web), stopChild(server)]);
    await sim.stop();
    if (process.env.E2E_KEEP_DATA) return;
    rmSync(dataDir, { recursive: true, force: true });
    if (postgres && database) await dropServerDatabase(postgres, database);
  };
  try {
    await waitFor(`${apiUrl}/health`, 'API server', server, 180_000);
    await waitFor(`${webUrl}/api/health`, 'web UI', web, 60_000);
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n${output.join('')}`);
  }
  return {
    webUrl,
    apiUrl,
    sim,
    dataDir,
    logFile,
    logs: () => output.join(''),
    openBrowser: async (options) =>
      openBrowser(await (chromium ??= launchChromium()), webUrl, options),
    stop,
  };
}
