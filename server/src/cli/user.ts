import { createInterface } from 'node:readline';
import type { Database } from '../db/database.js';
import { addUser, setPassword } from '../modules/auth/service.js';

/**
 * `npm run user -- add NAME [--owner]` and `npm run user -- passwd NAME`. The password is read
 * from stdin (typed, or piped), never from argv, where any local user could read it in the
 * process list. A user added without --owner is a member: an owner gives them projects
 * (PUT /projects/:id/members/:user_id), or invites users from the API instead (POST /users).
 */
export async function runUserCommand(database: Database, args: string[]): Promise<void> {
  const flags = new Set(args.filter((a) => a.startsWith('--')));
  const [action, username, ...rest] = args.filter((a) => !a.startsWith('--'));
  const unknown = [...flags].filter((f) => !(action === 'add' && f === '--owner'));
  if ((action !== 'add' && action !== 'passwd') || !username || rest.length || unknown.length) {
    throw new Error(
      'usage: npm run user -- add NAME [--owner] | passwd NAME   (password is read from stdin)',
    );
  }
  const password = await readPassword(`Password for ${username}: `);
  if (action === 'add') {
    const role = flags.has('--owner') ? 'owner' : 'member';
    await addUser(database, username, password, { role });
    console.log(`user ${username} created (${role})`);
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
