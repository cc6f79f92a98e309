import { hash, verify } from '@node-rs/argon2';

// argon2id with OWASP's minimum (19 MiB, 2 passes, 1 lane): the library's defaults, stated here
// so a change of library default cannot silently weaken stored hashes.
const ARGON2_OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = (password: string) => hash(password, ARGON2_OPTIONS);

// Verified against when the user does not exist, so both paths cost one argon2 verification and
// answer in similar time (no user enumeration by timing).
let dummyHash: Promise<string> | undefined;

export async function verifyPassword(
  storedHash: string | undefined,
  password: string,
): Promise<boolean> {
  // No usable hash (unknown user, or one whose password was never set or was reset): the same
  // dummy verification, so neither case answers faster than a wrong password.
  if (storedHash === undefined || !storedHash.startsWith('$argon2')) {
    dummyHash ??= hashPassword('cairn-dummy-password-for-timing');
    await verify(await dummyHash, password).catch(() => false);
    return false;
  }
  return verify(storedHash, password).catch(() => false);
}

export const MIN_PASSWORD_LENGTH = 10;

/**
 * Stored instead of a hash while a user has no password (invited, or reset): no password verifies
 * against it, and it is not an argon2 string, so verifyPassword takes the dummy path.
 */
export const NO_PASSWORD = '!none';
