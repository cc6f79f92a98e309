// npm run attio-sim -- --port 3300 --seed demo --size small [--webhook-url U --webhook-secret S]
import { parseSimCli, stopOnSignals } from '@cairn/studio';
import { startAttioSim, type AttioSizeName } from './index.js';

const args = parseSimCli(
  { port: 3300, size: 'small' },
  ['tiny', 'small', 'medium', 'bench'],
  ['token'],
);
const started = Date.now();
const sim = await startAttioSim({
  port: args.port,
  host: args.host,
  seed: args.seed,
  size: args.size as AttioSizeName,
  token: args.extra['token'],
  webhook: args.webhook,
});
const stats = sim.control.stats();
console.log(`Attio simulator ready in ${Date.now() - started} ms`);
console.log(`  base URL:   ${sim.url}   (paths under /v2)`);
console.log(`  token:      ${sim.token}   (header Authorization: Bearer <token>)`);
console.log(`  workspace:  ${sim.workspaceId} (${sim.workspaceSlug})`);
console.log(
  `  data:       ${stats.people} people, ${stats.companies} companies, ${stats.deals} deals, ${stats.notes} notes, ${stats.tasks} tasks (seed ${args.seed}, size ${args.size})`,
);
if (args.webhook) console.log(`  webhooks:   ${args.webhook.url} (secret ${sim.webhookSecret})`);
console.log(`  control:    ${sim.url}/__sim/stats, ${sim.url}/__sim/studio-truth`);
stopOnSignals(() => sim.stop());
