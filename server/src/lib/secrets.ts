import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config.js';

/** AES-256-GCM for credentials at rest (Chatwoot tokens, webhook secrets). */
export interface Secrets {
  encrypt(plaintext: string): string;
  decrypt(ciphertext: string): string;
}

const VERSION = 'v1';

export function createSecrets(keyHex: string): Secrets {
  const key = Buffer.from(keyHex, 'hex');
  if (key.length !== 32) throw new Error('SECRETS_KEY must be 32 bytes (64 hex characters)');
  return {
    encrypt(plaintext) {
      // A fresh 96-bit nonce per message: GCM's security depends on never reusing one.
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [
        VERSION,
        iv.toString('base64'),
        cipher.getAuthTag().toString('base64'),
        body.toString('base64'),
      ].join(':');
    },
    decrypt(ciphertext) {
      const [version, iv, tag, body] = ciphertext.split(':');
      if (version !== VERSION || !iv || !tag || body === undefined)
        throw new Error('unreadable secret');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([
        decipher.update(Buffer.from(body, 'base64')),
        decipher.final(),
      ]).toString('utf8');
    },
  };
}

/**
 * SECRETS_KEY when set. Without it, the embedded home generates one once into DATA_DIR (mode
 * 0600) so the demo needs no setup; a server database without a key is a configuration error,
 * because a key lost with a container would make every stored token unreadable.
 */
export async function resolveSecretsKey(config: Config): Promise<string> {
  if (config.SECRETS_KEY) return config.SECRETS_KEY;
  if (config.DATABASE_URL) {
    throw new Error(
      'SECRETS_KEY: required when DATABASE_URL is set (64 hex characters; `openssl rand -hex 32`)',
    );
  }
  const file = path.resolve(config.DATA_DIR, 'secrets.key');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    const key = randomBytes(32).toString('hex');
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, key + '\n', { mode: 0o600, flag: 'wx' }).catch(async () => undefined);
    return (await readFile(file, 'utf8')).trim();
  }
}
