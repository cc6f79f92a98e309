// bench/mcp: what asking through MCP costs. The same queries through the MCP tool
// `search_evidence` (the SDK's client, Streamable HTTP, one POST per call) and through
// `POST /search` (fetch), on one project over real HTTP on loopback; the REST figures are the
// baseline measured in the same run. Both run the same search (modules/rag/search-chunks.ts), so
// the difference is the protocol: JSON-RPC framing, a server built per request, schemas, wrapping.
//   npx tsx bench/mcp/run.ts                                  (embedded database)
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/mcp/run.ts
//   BENCH_CHUNKS=20000 BENCH_ROUNDS=5 npx tsx bench/mcp/run.ts
// Prints figures; asserts nothing.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startApi } from '../support/api.js';
import { createProjectWithChunks, percentile, rng } from '../support/studio-chunks.js';

const CHUNKS = Number(process.env.BENCH_CHUNKS ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const QUERIES = [
  'logo revisions',
  'invoice payment',
  'deadline friday',
  'packaging mockup',
  'website homepage layout',
  'макет логотипа',
  'счёт оплата',
  'дедлайн пятница',
  'презентация концепция',
  'catalogue print',
  'menu restaurant',
  'banner animation',
  'договор аванс',
  'photos photographer',
  'font typeface colour',
  'визитки типография',
  'checkout store delivery',
  'brief estimate phase',
  'правки версия',
  'urgent tomorrow',
];

const api = await startApi('mcp');
const base = api.baseUrl;

try {
  const started = performance.now();
  const project = await createProjectWithChunks(api.database, 'mcp', CHUNKS, rng(20));
  console.log(`seeded ${CHUNKS} messages in ${Math.round(performance.now() - started)} ms`);
  const secret = await api.token('read', [project.projectId]);
  const headers = {
    authorization: `Bearer ${secret}`,
    'content-type': 'application/json',
  };

  const rest = async (query: string) => {
    const res = await fetch(`${base}/search`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query, topK: 10 }),
    });
    if (res.status !== 200) throw new Error(`search: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { hits: unknown[] }).hits.length;
  };
  const client = new Client({ name: 'bench', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${base}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${secret}` } },
    }),
  );
  const mcp = async (query: string) => {
    const result = await client.callTool({
      name: 'search_evidence',
      arguments: { query, limit: 10 },
    });
    if (result.isError) throw new Error(JSON.stringify(result.content));
    return (result.structuredContent as { hits: unknown[] }).hits.length;
  };

  // Warm both paths (plans, JIT, connection pools), then alternate them query by query so both
  // see the same cache and machine load.
  for (const q of QUERIES) {
    await rest(q);
    await mcp(q);
  }
  const timings = { rest: [] as number[], mcp: [] as number[] };
  let hitsRest = 0;
  let hitsMcp = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (const q of QUERIES) {
      let t = performance.now();
      hitsRest += await rest(q);
      timings.rest.push(performance.now() - t);
      t = performance.now();
      hitsMcp += await mcp(q);
      timings.mcp.push(performance.now() - t);
    }
  }
  await client.close();
  const report = (name: string, values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return { name, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
  };
  const r = report('POST /search (baseline)', timings.rest);
  const m = report('MCP search_evidence', timings.mcp);
  console.log(
    `\n${CHUNKS} chunks (text mode: none embedded), ${QUERIES.length} queries × ${ROUNDS} rounds, top 10`,
  );
  for (const row of [r, m]) {
    console.log(
      `${row.name.padEnd(26)} p50 ${row.p50.toFixed(1)} ms   p99 ${row.p99.toFixed(1)} ms`,
    );
  }
  console.log(
    `MCP / REST: p50 ×${(m.p50 / r.p50).toFixed(2)}, p99 ×${(m.p99 / r.p99).toFixed(2)} (target ≤ 1.2); hits ${hitsMcp} vs ${hitsRest}`,
  );
} finally {
  await api.close();
}
