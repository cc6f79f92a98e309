// npm run chatwoot-sim -- --port 3100 --seed demo --size small [--webhook-url U --webhook-secret S]
import { parseArgs } from 'node:util';
import { startChatwootSim } from './index.js';
import type { SizeName } from './sizes.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '3100' },
    host: { type: 'string', default: '127.0.0.1' },
    seed: { type: 'string', default: '1' },
    size: { type: 'string', default: 'small' },
    token: { type: 'string' },
    'account-id': { type: 'string' },
    'webhook-url': { type: 'string' },
    'webhook-secret': { type: 'string' },
  },
});

const sizes = ['tiny', 'small', 'medium', 'large'];
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
const sim = await startChatwootSim({
  port,
  host: values.host,
  seed: values.seed,
  size: values.size as SizeName,
  token: values.token,
  accountId: values['account-id'] === undefined ? undefined : Number(values['account-id']),
  webhook: values['webhook-url']
    ? { url: values['webhook-url'], secret: values['webhook-secret'] }
    : undefined,
});
const stats = sim.control.stats();
console.log(`Chatwoot simulator (v4.15.1 shapes) ready in ${Date.now() - started} ms`);
console.log(`  base URL:   ${sim.url}`);
console.log(`  account id: ${sim.accountId}`);
console.log(`  token:      ${sim.token}   (header api_access_token)`);
console.log(
  `  data:       ${stats.conversations} conversations, ${stats.contacts} contacts, ${stats.generatedMessages} messages (seed ${values.seed}, size ${values.size})`,
);
if (values['webhook-url'])
  console.log(`  webhooks:   ${values['webhook-url']} (secret ${sim.webhookSecret})`);
console.log(`  control:    ${sim.url}/__sim/stats`);

const shutdown = () => {
  void sim.stop().then(() => process.exit(0));
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
