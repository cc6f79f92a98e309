// npm run linear-sim -- --port 3200 --seed demo --size small [--webhook-url U --webhook-secret S]
import { parseArgs } from 'node:util';
import { startLinearSim, type LinearSizeName } from './index.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '3200' },
    host: { type: 'string', default: '127.0.0.1' },
    seed: { type: 'string', default: '1' },
    size: { type: 'string', default: 'small' },
    'api-key': { type: 'string' },
    'webhook-url': { type: 'string' },
    'webhook-secret': { type: 'string' },
  },
});

const sizes = ['tiny', 'small', 'medium', 'bench'];
if (!sizes.includes(values.size)) {
  console.error(`--size must be one of ${sizes.join(', ')}`);
  process.exit(2);
}
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error('--port must be an integer between 0 and 65535');
  process.exit(2);
}

const started = Date.now();
const sim = await startLinearSim({
  port,
  host: values.host,
  seed: values.seed,
  size: values.size as LinearSizeName,
  apiKey: values['api-key'],
  webhook: values['webhook-url']
    ? { url: values['webhook-url'], secret: values['webhook-secret'] }
    : undefined,
});
const stats = sim.control.stats();
console.log(`Linear simulator ready in ${Date.now() - started} ms`);
console.log(`  GraphQL:      ${sim.graphqlUrl}`);
console.log(`  API key:      ${sim.apiKey}   (header Authorization: <key>)`);
console.log(`  organization: ${sim.organizationId} (${sim.urlKey})`);
console.log(
  `  data:         ${stats.issues} issues, ${stats.comments} comments, ${stats.customers} customers, ${stats.projects} projects (seed ${values.seed}, size ${values.size})`,
);
if (values['webhook-url'])
  console.log(`  webhooks:     ${values['webhook-url']} (secret ${sim.webhookSecret})`);
console.log(`  control:      ${sim.url}/__sim/stats, ${sim.url}/__sim/studio-truth`);

const shutdown = () => {
  void sim.stop().then(() => process.exit(0));
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
