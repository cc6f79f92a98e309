// Entry of the embedded database's thread (embedded.ts): serves PGlite on loopback, reports the
// address, stops when told to.
import { parentPort, workerData } from 'node:worker_threads';
import { servePGlite } from './embedded-server.js';

const options = workerData as { dataDir: string; port?: number };
try {
  const server = await servePGlite(options);
  parentPort!.on('message', (message: unknown) => {
    if (message !== 'stop') return;
    void server
      .stop()
      .then(() => parentPort!.postMessage({ stopped: true }))
      .finally(() => parentPort!.close());
  });
  parentPort!.postMessage({ connectionString: server.connectionString });
} catch (error) {
  parentPort!.postMessage({ error: error instanceof Error ? error.message : String(error) });
  parentPort!.close();
}
