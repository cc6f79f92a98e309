// npm run linear-sim -- --port 3200 --seed demo --size small [--webhook-url U --webhook-secret S]
import { parseSimCli, stopOnSignals } from '@cairn/studio';
import { startLinearSim, type LinearSizeName } from './index.js';

const args = parseSimCli(
  { port: 3200, size: 'small' },
  ['tiny', 'small', 'medium', 'bench'],
  ['api-key'],
);
const started = Date.now();
const sim = await startLinearSim({
  port: args.port,
  host: args.host,
  seed: args.seed,
  size: args.size as LinearSizeName,
  apiKey: args.extra['api-key'],
  webhook: args.webhook,
});
const stats = sim.control.stats();
console.log(`Linear simulator ready in ${Date.now() - started} ms`);
console.log(`  GraphQL:      ${sim.graphqlUrl}`);
console.log(`  API key:      ${sim.apiKey}   (header Authorization: <key>)`);
console.log(`  organization: ${sim.organizationId} (${sim.urlKey})`);
console.log(
  `  data:         ${stats.issues} issues, ${stats.comments} comments, ${stats.customers} customers, ${stats.projects} projects (seed ${args.seed}, size ${args.size})`,
);
if (args.webhook) console.log(`  webhooks:     ${args.webhook.url} (secret ${sim.webhookSecret})`);
console.log(`  control:      ${sim.url}/__sim/stats, ${sim.url}/__sim/studio-truth`);
stopOnSignals(() => sim.stop());
