// One bench worker process: the real startJobs with a handler that does no work, so the figures
// are the queue's own cost (enqueue, claim, heartbeat, finish, schedule bookkeeping).
import pino from 'pino';
import { loadConfig } from '../../server/src/config.js';
import { openDatabase } from '../../server/src/db/database.js';
import { startJobs } from '../../server/src/modules/jobs/runtime.js';
import { JOB_TYPES, type JobHandler } from '../../server/src/modules/jobs/types.js';

const config = loadConfig({ DB_POOL_MAX: '4', ...process.env });
const database = await openDatabase(config);
const noop: JobHandler = async () => ({ done: 1 });
const runtime = await startJobs({
  config,
  database,
  logger: pino({ level: 'warn' }, pino.destination(2)),
  handlers: Object.fromEntries(JOB_TYPES.map((type) => [type, noop])),
  workerId: process.env.WORKER_ID,
  queue: { pollingIntervalSeconds: 0.5 },
  scheduler: false,
});
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  void runtime
    .stop()
    .then(() => database.close())
    .then(() => process.exit(0));
});
