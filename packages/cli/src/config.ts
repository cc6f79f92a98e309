import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CliError, EXIT } from './errors.js';

export interface StoredConfig {
  url: string;
  token: string;
}

/** `$XDG_CONFIG_HOME/cairn/config.json`, else `~/.config/cairn/config.json`. */
export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config');
  return path.join(base, 'cairn', 'config.json');
}

/** The token is a secret: the directory is the user's alone and the file is mode 0600. */
export async function saveConfig(config: StoredConfig): Promise<string> {
  const file = configPath();
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  // writeFile keeps an existing file's mode: set it either way.
  await chmod(file, 0o600);
  return file;
}

/** CAIRN_URL and CAIRN_TOKEN override the stored login (for scripts and CI). */
export async function loadConfig(): Promise<StoredConfig> {
  const env = process.env;
  let stored: Partial<StoredConfig> = {};
  try {
    stored = JSON.parse(await readFile(configPath(), 'utf8')) as Partial<StoredConfig>;
  } catch {
    // no stored login: the environment may still carry one
  }
  const url = env.CAIRN_URL || stored.url;
  const token = env.CAIRN_TOKEN || stored.token;
  if (!url || !token) {
    throw new CliError('not logged in: run `cairn login --url URL` first', EXIT.auth);
  }
  return { url, token };
}
