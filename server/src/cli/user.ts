import { createInterface } from 'node:readline';
import type { Database } from '../db/database.js';
import { addUser, setPassword } from '../modules/auth/service.js';

/**
 * `npm run user -- add NAME` and `npm run user -- passwd NAME`. The password is read from stdin
 * (typed, or piped), never from argv, where any local user could read it in the process list.
 */
export async function runUserCommand(database: Database, args: string[]): Promise<void> {
  const [action, username] = args;
  if ((action !== 'add' && action !== 'passwd') || !username) {
    throw new Error(
      'usage: npm run user -- add NAME | passwd NAME   (password is read from stdin)',
    );
  }
  const password = await readPassword(`Password for ${username}: `);
  if (action === 'add') {
    await addUser(database, username, password);
    console.log(`user ${username} created`);
  } else {
    await setPassword(database, username, password);
    console.log(`password of ${username} changed; their sessions were ended`);
  }
}

async function readPassword(prompt: string): Promise<string> {
  const rl = createInterface({
    input: process.stdin,
    output: process.stdin.isTTY ? process.stdout : undefined,
    terminal: process.stdin.isTTY,
  });
  if (process.stdin.isTTY) {
    process.stdout.write(prompt);
    // Hide the typed characters: readline echoes through _writeToOutput.
    (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = () => undefined;
  }
  const line = await new Promise<string>((resolve) => rl.once('line', resolve));
  rl.close();
  if (process.stdin.isTTY) process.stdout.write('\n');
  return line.trim();
}
