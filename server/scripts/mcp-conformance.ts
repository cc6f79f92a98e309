/**
 * Runs the MCP conformance suite (@modelcontextprotocol/conformance, pinned in package.json)
 * against this server: a migrated throwaway database (embedded, or a new database on the server
 * at DATABASE_URL), the API on a loopback port, one owner with a project and a seeded `draft`
 * token, and the suite's server scenarios that apply to Cairn (docs/mcp.md lists the others and
 * why). The suite's client sends no credentials, so it talks to a loopback forwarder that adds the
 * token's Authorization header and passes everything else (Host, Origin) through untouched.
 *   npm run test:mcp-conformance -w server
 * Exits non-zero when a scenario fails.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import path from 'node:path';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { addUser } from '../src/modules/auth/service.js';
import { withEvalDatabase } from './eval-database.js';

/** The server scenarios that apply: Cairn offers tools and resources, and checks Origin. */
export const APPLICABLE_SCENARIOS = [
  'server-initialize',
  'ping',
  'tools-list',
  'resources-list',
  'dns-rebinding-protection',
  // Calls a tool Cairn does not have and expects a tool error (isError), not a protocol error.
  'tools-call-error',
];

const forwarder = http.createServer();
await new Promise<void>((resolve) => forwarder.listen(0, '127.0.0.1', resolve));
const publicPort = (forwarder.address() as AddressInfo).port;
const publicOrigin = `http://127.0.0.1:${publicPort}`;

const config = loadConfig({
  ...process.env,
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
  WORKER_ENABLED: 'false',
  SECRETS_KEY: '33'.repeat(32),
  // The origin the suite's client presents as legitimate is the address it was given.
  CORS_ORIGIN: publicOrigin,
});

const failed = await withEvalDatabase(config, async (database, evalConfig) => {
  const app = await buildApp({ config: evalConfig, database });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const apiPort = (app.server.address() as AddressInfo).port;
  try {
    const secret = await seedToken(app);
    forwarder.on('request', (req, res) => {
      const upstream = http.request(
        {
          host: '127.0.0.1',
          port: apiPort,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, authorization: `Bearer ${secret}` },
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    const scenarios = process.argv.slice(2).length ? process.argv.slice(2) : APPLICABLE_SCENARIOS;
    const failures: string[] = [];
    for (const scenario of scenarios) {
      const code = await runScenario(`${publicOrigin}/mcp`, scenario);
      if (code !== 0) failures.push(scenario);
    }
    console.log(
      `\nMCP conformance: ${scenarios.length - failures.length}/${scenarios.length} scenarios passed${failures.length ? `; failed: ${failures.join(', ')}` : ''}`,
    );
    return failures.length;
  } finally {
    await app.close();
    forwarder.close();
  }
});
process.exit(failed ? 1 : 0);

async function seedToken(app: Awaited<ReturnType<typeof buildApp>>): Promise<string> {
  await addUser(app.database, 'conformance-owner', 'conformance password 123', { role: 'owner' });
  const login = await app.inject({
    method: 'POST',
    url: '/auth/login',
    payload: { username: 'conformance-owner', password: 'conformance password 123' },
  });
  const cookies = Object.fromEntries(login.cookies.map((c) => [c.name, c.value]));
  const headers = {
    cookie: `sid=${cookies.sid}; csrf_token=${cookies.csrf_token}`,
    'x-csrf-token': cookies.csrf_token!,
  };
  const project = await app.inject({
    method: 'POST',
    url: '/projects',
    headers,
    payload: { name: 'Conformance' },
  });
  const token = await app.inject({
    method: 'POST',
    url: '/auth/tokens',
    headers,
    payload: {
      name: 'conformance',
      permission: 'draft',
      project_ids: [project.json().project.id as string],
    },
  });
  if (token.statusCode !== 201) throw new Error(`token: ${token.statusCode} ${token.body}`);
  return token.json().secret as string;
}

function runScenario(url: string, scenario: string): Promise<number> {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('@modelcontextprotocol/conformance/package.json');
  const bin = path.join(path.dirname(pkg), 'dist', 'index.js');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, 'server', '--url', url, '--scenario', scenario], {
      stdio: 'inherit',
    });
    child.on('exit', (code) => resolve(code ?? 1));
  });
}
