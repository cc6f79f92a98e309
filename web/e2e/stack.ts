/**
 * Starts the real Cairn stack for the browser tests: the Chatwoot simulator in-process, the API
 * server (with its worker and an embedded Postgres in a temporary DATA_DIR) as a child process,
 * and the production build of the web UI behind `next start`. Nothing is mocked.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startChatwootSim, type Sim } from '@cairn/chatwoot-sim';

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
  const result = spawnSync(process.execPath, [require_next(), 'build', '--webpack'], {
    cwd: webDir,
    stdio: 'inherit',
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
  });
  if (result.status !== 0) throw new Error('next build failed');
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
 * The web UI alone in front of any API (a stub on loopback, say): ready once its own page
 * answers, whatever the API says.
 */
export async function startWeb(apiUrl: string): Promise<{ webUrl: string; stop(): Promise<void> }> {
  const port = await freePort();
  const webUrl = `http://localhost:${port}`;
  const output: string[] = [];
  const logFile = path.join(tmpdir(), `cairn-e2e-web-${port}.log`);
  const web = spawnWeb(port, apiUrl);
  collect(web, 'web', output, logFile);
  try {
    await waitFor(`${webUrl}/login`, 'web UI', web, 60_000);
  } catch (error) {
    await stopChild(web);
    throw new Error(`${(error as Error).message}\n${output.join('')}`);
  }
  return { webUrl, stop: () => stopChild(web) };
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

  const server = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve'], {
    cwd: path.join(repoRoot, 'server'),
    env: {
      ...process.env,
      DATA_DIR: path.join(dataDir, 'db'),
      PORT: String(apiPort),
      HOST: '127.0.0.1',
      CORS_ORIGIN: webUrl,
      AUTH_USERNAME: ADMIN.username,
      AUTH_PASSWORD: ADMIN.password,
      DEMO: options.demo ? 'true' : 'false',
      LOG_LEVEL: 'warn',
      EMBEDDING_PROVIDER: 'local',
      EMBEDDING_DIM: '256',
      // The scheduler would start syncs of its own; the tests drive every run from the UI.
      WORKER_INTERVAL_SECONDS: '3600',
      DATABASE_URL: '',
      CHATWOOT_BASE_URL: '',
      // The simulator listens on loopback: opened like a studio-network Chatwoot, guard on.
      SOURCE_HOST_ALLOWLIST: '127.0.0.1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  collect(server, 'api', output, logFile);
  const web = spawnWeb(webPort, apiUrl);
  collect(web, 'web', output, logFile);

  const stop = async () => {
    await Promise.all([stopChild(web), stopChild(server)]);
    await sim.stop();
    if (!process.env.E2E_KEEP_DATA) rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitFor(`${apiUrl}/health`, 'API server', server, 180_000);
    await waitFor(`${webUrl}/api/health`, 'web UI', web, 60_000);
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n${output.join('')}`);
  }
  return { webUrl, apiUrl, sim, dataDir, logFile, logs: () => output.join(''), stop };
}
