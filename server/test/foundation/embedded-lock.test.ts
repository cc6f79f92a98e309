import { spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { SERVER_MAIN, TEST_EMBEDDING_DIM } from '../support/constants.js';

/**
 * One process owns an embedded data directory (db/embedded.ts). With real processes: `npm run
 * user -- add` while the server runs writes through the server's own database, so the user can
 * sign in at once; a second server on the same directory refuses with a clear message; and after
 * a kill -9 the stale lock does not keep anyone out.
 */

const SERVER_DIR = path.resolve(import.meta.dirname, '../..');
const PASSWORD = 'correct horse battery staple';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// Embedded only, whatever the run: the processes get TEST_DATABASE_URL and DATABASE_URL unset. So
// the server-Postgres pass of the suite (.ci/run) would repeat the embedded pass's test, from an
// unmigrated directory at that, and skips it, as test/foundation/persistence.test.ts does.
describe.skipIf(Boolean(process.env.TEST_DATABASE_URL))(
  'the embedded data directory belongs to one process',
  () => {
    let dataDir: string;
    let port: number;
    let server: ChildProcess | undefined;

    const env = () => ({
      ...process.env,
      DATABASE_URL: '',
      TEST_DATABASE_URL: '',
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      DEMO: 'false',
      WORKER_ENABLED: 'false',
      EMBEDDING_DIM: String(TEST_EMBEDDING_DIM),
      SECRETS_KEY: '44'.repeat(32),
      AUTH_USERNAME: 'admin',
      AUTH_PASSWORD: PASSWORD,
      LOG_LEVEL: 'warn',
    });

    /** The compiled server with `<args>`, as its own process; resolves on exit with its output. */
    function run(args: string[], stdin?: string) {
      return new Promise<{ code: number | null; output: string }>((resolve) => {
        const child = spawn(process.execPath, [...SERVER_MAIN, ...args], {
          cwd: SERVER_DIR,
          env: env(),
          // A command that does not refuse would run on: it fails the test instead of hanging it.
          timeout: 45_000,
        });
        let output = '';
        child.stdout.on('data', (d) => (output += d));
        child.stderr.on('data', (d) => (output += d));
        child.stdin.end(stdin ?? '');
        child.on('close', (code) => resolve({ code, output }));
      });
    }

    function startServer() {
      return new Promise<ChildProcess>((resolve, reject) => {
        const child = spawn(process.execPath, [...SERVER_MAIN, 'serve'], {
          cwd: SERVER_DIR,
          env: env(),
        });
        let output = '';
        child.stdout.on('data', (d: Buffer) => {
          output += d;
          // The API listens before it migrates (503 starting meanwhile): ready is /health's 200.
          if (output.includes('Cairn API listening'))
            void untilHealthy().then(() => resolve(child));
        });
        child.stderr.on('data', (d) => (output += d));
        child.on('exit', (code) => reject(new Error(`server exited (${code}): ${output}`)));
      });
    }

    async function untilHealthy() {
      for (;;) {
        const status = await fetch(`http://127.0.0.1:${port}/health`)
          .then((r) => r.status)
          .catch(() => 0);
        if (status === 200) return;
        await new Promise((r) => setTimeout(r, 100));
      }
    }

    const login = (username: string) =>
      fetch(`http://127.0.0.1:${port}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password: PASSWORD }),
      }).then((r) => r.status);

    beforeAll(async () => {
      dataDir = await mkdtemp(path.join(os.tmpdir(), 'cairn-lock-'));
      // A migrated template when the run has one (embedded runs): a first start then skips migrating.
      const template = inject('embeddedTemplateDir');
      if (template) await cp(template, path.join(dataDir, 'pgdata'), { recursive: true });
      port = await freePort();
      server = await startServer();
    });
    afterAll(async () => {
      server?.kill('SIGKILL');
      await rm(dataDir, { recursive: true, force: true });
    });

    it('adds a user through the running server, who can sign in on it at once', async () => {
      const added = await run(['user', 'add', 'bob'], `${PASSWORD}\n`);
      expect(added.code, added.output).toBe(0);
      expect(added.output).toContain('user bob created');
      expect(await login('bob')).toBe(200);
    });

    it.each([['serve'], ['migrate']])(
      'refuses `%s` on the same data directory, naming the holder',
      async (command) => {
        const second = await run([command]);
        expect(second.code).not.toBe(0);
        expect(second.output).toContain(`is in use by another Cairn process (pid ${server!.pid})`);
        expect(await login('bob')).toBe(200);
      },
    );

    it('takes over the lock of a server killed with SIGKILL, losing nothing', async () => {
      server!.kill('SIGKILL');
      await new Promise((resolve) => server!.once('exit', resolve));
      const added = await run(['user', 'add', 'carol'], `${PASSWORD}\n`);
      expect(added.code, added.output).toBe(0);
      server = await startServer();
      expect(await login('carol')).toBe(200);
      expect(await login('bob')).toBe(200);
    });
  },
);
