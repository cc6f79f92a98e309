// Starts the e2e stack and keeps it running, for exploring the UI by hand:
//   npx tsx e2e/dev-stack.ts        (Ctrl-C stops everything)
import { ADMIN, ensureServerBuild, ensureWebBuild, startStack } from './stack';

ensureServerBuild();
ensureWebBuild();
const stack = await startStack();
console.warn(
  [
    `web  ${stack.webUrl}   (sign in as ${ADMIN.username} / ${ADMIN.password})`,
    `api  ${stack.apiUrl}`,
    `sim  ${stack.sim.url}   account ${stack.sim.accountId}, token ${stack.sim.token}`,
    `logs ${stack.logFile}`,
  ].join('\n'),
);
const stop = () => void stack.stop().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
