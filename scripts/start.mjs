// `npm start`: builds what is missing, then runs the API (with its worker) and the web UI together
// and prints both URLs. With no configuration that is the demo: embedded Postgres, the offline
// embedder and a simulated Chatwoot. Ctrl-C stops both cleanly.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
if (existsSync(path.join(root, '.env'))) process.loadEnvFile(path.join(root, '.env'));

const apiPort = process.env.PORT ?? '8080';
const webPort = process.env.WEB_PORT ?? '3000';
const env = {
  ...process.env,
  API_UPSTREAM_URL: process.env.API_UPSTREAM_URL ?? `http://127.0.0.1:${apiPort}`,
  // The API accepts mutations only from the page's origin, which follows WEB_PORT here.
  CORS_ORIGIN: process.env.CORS_ORIGIN ?? `http://localhost:${webPort}`,
};

if (!existsSync(path.join(root, 'web/.next/BUILD_ID'))) {
  console.log('Building the web UI once (about a minute)...');
  const build = spawnSync('npm', ['run', 'build', '-w', 'web'], {
    cwd: root,
    stdio: 'inherit',
    env,
  });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const children = [
  spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve'], {
    cwd: path.join(root, 'server'),
    stdio: 'inherit',
    env,
  }),
  spawn(
    process.execPath,
    [path.join(root, 'node_modules/next/dist/bin/next'), 'start', '-p', webPort],
    {
      cwd: path.join(root, 'web'),
      stdio: ['ignore', 'ignore', 'inherit'],
      env,
    },
  ),
];

setTimeout(() => {
  console.log(
    `\n  Cairn is starting:\n    web UI  http://localhost:${webPort}\n    API     http://localhost:${apiPort}  (docs at /docs)\n`,
  );
}, 1500).unref();

let stopping = false;
const stop = (signal) => {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill(signal);
};
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stop(signal));
for (const child of children) {
  child.on('exit', (code) => {
    stop('SIGTERM');
    process.exitCode ||= code ?? 0;
  });
}
