// The load generator of bench/auth/run.ts, in its own process so that the server's CPU time per
// request is measured without the client's. Asked over IPC: { path, headers, seconds } → runs a
// closed loop of `concurrency` keep-alive clients → { count, p50, p99, failed }.
import http from 'node:http';

const [port, concurrency] = process.argv.slice(2).map(Number);
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });

function get(path, headers) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path, method: 'GET', agent, headers },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

process.on('message', async ({ path, headers, seconds }) => {
  const until = Date.now() + seconds * 1000;
  const latencies = [];
  let failed = null;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < until && !failed) {
        const started = process.hrtime.bigint();
        const res = await get(path, headers);
        if (res.status !== 200) failed = `status ${res.status}: ${res.body}`;
        latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  process.send({
    count: latencies.length,
    p50: latencies[Math.floor(latencies.length * 0.5)],
    p99: latencies[Math.floor(latencies.length * 0.99)],
    failed,
  });
});
process.on('disconnect', () => {
  agent.destroy();
  process.exit(0);
});
