// npm run attio-sim -- --port 3300 --seed demo --size small [--webhook-url U --webhook-secret S]
import { parseArgs } from 'node:util';
import { startAttioSim, type AttioSizeName } from './index.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '3300' },
    host: { type: 'string', default: '127.0.0.1' },
    seed: { type: 'string', default: '1' },
    size: { type: 'string', default: 'small' },
    token: { type: 'string' },
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
const sim = await startAttioSim({
  port,
  host: values.host,
  seed: values.seed,
  size: values.size as AttioSizeName,
  token: values.token,
  webhook: values['webhook-url']
    ? { url: values['webhook-url'], secret: values['webhook-secret'] }
    : undefined,
});
const stats = sim.control.stats();
console.log(`Attio simulator ready in ${Date.now() - started} ms`);
console.log(`  base URL:   ${sim.url}   (paths under /v2)`);
console.log(`  token:      ${sim.token}   (header Authorization: Bearer <token>)`);
console.log(`  workspace:  ${sim.workspaceId} (${sim.workspaceSlug})`);
console.log(
  `  data:       ${stats.people} people, ${stats.companies} companies, ${stats.deals} deals, ${stats.notes} notes, ${stats.tasks} tasks (seed ${values.seed}, size ${values.size})`,
);
if (values['webhook-url'])
  console.log(`  webhooks:   ${values['webhook-url']} (secret ${sim.webhookSecret})`);
console.log(`  control:    ${sim.url}/__sim/stats, ${sim.url}/__sim/studio-truth`);

const shutdown = () => {
  void sim.stop().then(() => process.exit(0));
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
