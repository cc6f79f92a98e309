// `npm start`: runs the API (with its worker) and the web UI together and prints both URLs. With
// no configuration that is the demo: embedded Postgres, the offline embedder and a simulated
// Chatwoot. Ctrl-C stops everything cleanly.
//
// The first start on a fresh clone overlaps what does not depend on each other: the API
// (compiled JavaScript, built in under a second) starts migrating, syncing and indexing the demo
// while the web UI builds. The build runs at a lower CPU priority, so on a small machine the API
// reaches its first search result first; meanwhile the web port serves a small page that says
// what is happening and reloads itself, so a browser opened early sees progress, not an error.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
if (existsSync(path.join(root, '.env'))) process.loadEnvFile(path.join(root, '.env'));

const apiPort = process.env.PORT ?? '8080';
const webPort = process.env.WEB_PORT ?? '3000';
const apiUrl = `http://127.0.0.1:${apiPort}`;
const env = {
  ...process.env,
  API_UPSTREAM_URL: process.env.API_UPSTREAM_URL ?? apiUrl,
  // The API accepts mutations only from the page's origin, which follows WEB_PORT here.
  CORS_ORIGIN: process.env.CORS_ORIGIN ?? `http://localhost:${webPort}`,
};
// Lower than the API's, so a first start's web build yields the CPU to the API's first sync.
const BUILD_NICENESS = 10;

const children = new Set();
let placeholder;
let stopping = false;
const stop = (signal) => {
  if (stopping) return;
  stopping = true;
  closePlaceholder();
  for (const child of children) child.kill(signal);
};
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stop(signal));

function run(command, args, options) {
  const child = spawn(command, args, { cwd: root, env, ...options });
  children.add(child);
  child.on('exit', (code, signal) => {
    children.delete(child);
    if (options.onExit) return options.onExit(code, signal);
    // Any long-running part ending means the whole thing stops.
    stop('SIGTERM');
    process.exitCode ||= code ?? 0;
  });
  return child;
}

const build = spawnSync(process.execPath, [path.join(root, 'scripts/build-server.mjs')], {
  cwd: root,
  stdio: 'inherit',
});
if (build.status !== 0) process.exit(build.status ?? 1);

run(process.execPath, ['--conditions=cairn-dist', 'dist/main.js', 'serve'], {
  cwd: path.join(root, 'server'),
  stdio: 'inherit',
});

const next = path.join(root, 'node_modules/next/dist/bin/next');
const startWeb = () =>
  run(process.execPath, [next, 'start', '-p', webPort], {
    cwd: path.join(root, 'web'),
    stdio: ['ignore', 'ignore', 'inherit'],
  });

if (existsSync(path.join(root, 'web/.next/BUILD_ID'))) {
  startWeb();
} else {
  console.log('Building the web UI once, while the API starts (about a minute)...');
  placeholder = servePlaceholder();
  const webBuild = run(process.execPath, [next, 'build'], {
    cwd: path.join(root, 'web'),
    stdio: ['ignore', 'ignore', 'inherit'],
    onExit: (code) => {
      if (stopping) return;
      if (code !== 0) {
        console.error('The web UI build failed; the API keeps running at ' + apiUrl);
        return;
      }
      closePlaceholder(() => startWeb());
    },
  });
  try {
    os.setPriority(webBuild.pid, BUILD_NICENESS);
  } catch {
    // Not permitted here: the build just competes with the API on equal terms.
  }
}

setTimeout(() => {
  console.log(
    `\n  Cairn is starting:\n    web UI  http://localhost:${webPort}\n    API     http://localhost:${apiPort}  (docs at /docs)\n`,
  );
}, 1500).unref();

/** While the UI builds: a page that shows the API's start phase and reloads until the UI is up. */
function servePlaceholder() {
  const server = http.createServer(async (request, response) => {
    let phase = 'starting';
    try {
      const health = await fetch(`${apiUrl}/health`, { signal: AbortSignal.timeout(1_000) });
      const body = await health.json();
      phase = body.phase ?? body.details?.phase ?? phase;
    } catch {
      // The API is not listening yet.
    }
    const json = request.url?.startsWith('/api/');
    response.writeHead(503, {
      'content-type': json ? 'application/json' : 'text/html; charset=utf-8',
      'retry-after': '2',
      'cache-control': 'no-store',
    });
    if (json) {
      response.end(
        JSON.stringify({
          ok: false,
          error: 'starting',
          message: 'Cairn is starting',
          details: { phase },
        }),
      );
      return;
    }
    response.end(`<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="2">
<title>Cairn is starting</title>
<body style="font:16px system-ui,sans-serif;margin:20vh auto;max-width:32rem;color:#333">
<h1 style="font-size:1.4rem">Cairn is starting</h1>
<p>Building the web UI for its first run; the API is ${escapeHtml(phase)}.</p>
<p style="color:#777">This page reloads by itself.</p>`);
  });
  server.listen(Number(webPort));
  return server;
}

function closePlaceholder(then = () => undefined) {
  if (!placeholder) return then();
  const server = placeholder;
  placeholder = undefined;
  server.close(() => then());
  // A browser's keep-alive connection would otherwise hold the port.
  server.closeAllConnections();
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
