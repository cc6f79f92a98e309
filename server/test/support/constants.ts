/** Small vectors keep the suite fast; the code path is the same at any dimension. */
export const TEST_EMBEDDING_DIM = 256;

/**
 * SOURCE_HOST_ALLOWLIST for the suites: the simulators and fake providers listen here. The guard
 * stays on; only this address is opened (test/security/outbound-guard.test.ts proves the rest).
 */
export const LOOPBACK = '127.0.0.1';
