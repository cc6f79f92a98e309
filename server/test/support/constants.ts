/** Small vectors keep the suite fast; the code path is the same at any dimension. */
export const TEST_EMBEDDING_DIM = 256;

/**
 * SOURCE_HOST_ALLOWLIST for the suites: the simulators and fake providers listen here. The guard
 * stays on; only this address is opened (test/security/outbound-guard.test.ts proves the rest).
 */
export const LOOPBACK = '127.0.0.1';

/**
 * The compiled server as `npm start` runs it, for tests that start it as a process of its own
 * (with the server's directory as cwd): `node --conditions=cairn-dist dist/main.js <command>`.
 * The global setup builds dist/ once per run (scripts/build-server.mjs, a no-op when nothing
 * changed); through tsx each such process spent seconds transpiling the server first.
 */
export const SERVER_MAIN = ['--conditions=cairn-dist', 'dist/main.js'];
