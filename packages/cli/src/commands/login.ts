import { createInterface } from 'node:readline/promises';
import type { Me } from '@cairn/contract';
import { Api } from '../api.js';
import { defineCommand } from '../command.js';
import { saveConfig } from '../config.js';
import { CliError, EXIT, usage } from '../errors.js';

export const login = defineCommand({
  name: 'login',
  summary: 'Store a personal token for a Cairn server',
  help: `cairn login --url URL

Reads a personal token (cairn_pat_…, made under Settings → Tokens) from stdin, or asks for it,
checks it with GET /auth/me, and stores {url, token} in $XDG_CONFIG_HOME/cairn/config.json
(~/.config/cairn/config.json) with mode 0600.`,
  options: { url: { type: 'string' } },
  positionals: { min: 0, max: 0 },
  async run(values) {
    if (!values.url) throw usage('--url is required (see cairn login --help)');
    let url: string;
    try {
      url = new URL(values.url).toString();
    } catch {
      throw usage(`--url: not a URL: ${values.url}`);
    }
    const token = (await readToken()).trim();
    if (!token.startsWith('cairn_pat_')) {
      throw new CliError('that is not a personal token (cairn_pat_…)', EXIT.auth);
    }
    const me = await new Api({ url, token }).json<Me>('GET', '/auth/me');
    // /auth/me is public: a bad, expired or revoked token reads as nobody rather than 401.
    if (!me.authenticated) {
      throw new CliError('the server refused the token (invalid, expired or revoked)', EXIT.auth);
    }
    const file = await saveConfig({ url, token });
    console.error(`Logged in to ${url} as ${me.username} (token stored in ${file})`);
  },
});

async function readToken(): Promise<string> {
  if (!process.stdin.isTTY) {
    let text = '';
    for await (const chunk of process.stdin) text += String(chunk);
    return text;
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question('Personal token: ');
  } finally {
    rl.close();
  }
}
