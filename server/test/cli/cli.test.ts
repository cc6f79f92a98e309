import { mkdtemp, readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.js';
import { CAIRN_BIN, runCairn } from '../support/cli.js';
import { LOOPBACK } from '../support/constants.js';
import { createProject, signIn, type Session } from '../support/factories.js';
import { tokenCaller } from '../support/team.js';
import { createConversation, type TestMessage } from '../rag/factories.js';

const cairn = runCairn;

describe('the cairn CLI against a started server', () => {
  const ctx = useTestApp();
  let base: string;
  let owner: Session;
  let project: Awaited<ReturnType<typeof createProject>>;
  let thread: TestMessage[];
  let secret: string;
  let configHome: string;

  beforeAll(async () => {
    base = await ctx.app.listen({ port: 0, host: LOOPBACK });
    owner = await signIn(ctx.app, ctx.database);
    project = await createProject(owner);
    thread = await createConversation(
      ctx.database,
      { ...project, accountId: 7 },
      {
        contactName: 'Maria Lopez',
        messages: [
          { text: 'We need the brochure reprinted in blue.' },
          { text: 'The brochure proof is attached.', senderType: 'User' },
        ],
      },
    );
    await createConversation(
      ctx.database,
      { ...project, accountId: 7 },
      { messages: [{ text: 'Another conversation about invoices.' }] },
    );
    secret = (
      await tokenCaller(ctx.app, owner, { permission: 'read', project_ids: [project.projectId] })
    ).secret;
    configHome = await mkdtemp(path.join(os.tmpdir(), 'cairn-cli-'));
  });

  it('logs in with a token from stdin and stores it with mode 0600', async () => {
    const out = await cairn(['login', '--url', base], { configHome, stdin: `${secret}\n` });
    expect(out.stderr).toContain(owner.username);
    expect(out.code).toBe(0);
    const file = path.join(configHome, 'cairn', 'config.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ url: `${base}/`, token: secret });
  });

  it('search --json prints parseable hits carrying evidence ids', async () => {
    const out = await cairn(['search', 'brochure', '--json'], { configHome });
    expect(out.code).toBe(0);
    const result = JSON.parse(out.stdout) as {
      hits: { evidence: { ref: string }; conversation_global_id: string }[];
    };
    expect(result.hits.map((h) => h.evidence.ref).sort()).toEqual(
      thread.map((m) => m.chunkId).sort(),
    );
    const human = await cairn(['search', 'brochure'], { configHome });
    expect(human.stdout).toContain(`evidence ${thread[0]!.chunkId}`);
  });

  it('thread prints the conversation oldest first', async () => {
    const out = await cairn(['thread', thread[0]!.conversationGlobalId], { configHome });
    expect(out.code).toBe(0);
    expect(out.stdout.indexOf('reprinted in blue')).toBeLessThan(
      out.stdout.indexOf('proof is attached'),
    );
  });

  it('export streams the project as JSON lines', async () => {
    const out = await cairn(['export', '--project', project.projectId, '--format', 'jsonl'], {
      configHome,
    });
    expect(out.code).toBe(0);
    const lines = out.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string });
    const count = (type: string) => lines.filter((l) => l.type === type).length;
    expect([count('contact'), count('conversation'), count('message')]).toEqual([2, 2, 3]);
  });

  it('status names the caller and the project', async () => {
    const out = await cairn(['status', '--json'], { configHome });
    expect(out.code).toBe(0);
    const status = JSON.parse(out.stdout) as {
      me: { username: string };
      jobs: { entities: { messages: number } };
    };
    expect(status.me.username).toBe(owner.username);
    expect(status.jobs.entities.messages).toBe(3);
  });

  it('serves MCP on stdio, forwarding to the HTTP server', async () => {
    const client = new Client({ name: 'stdio-test', version: '1.0.0' });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [CAIRN_BIN, 'mcp'],
        env: { ...(process.env as Record<string, string>), XDG_CONFIG_HOME: configHome },
      }),
    );
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toContain('search_evidence');
    const result = await client.callTool({
      name: 'search_evidence',
      arguments: { query: 'brochure' },
    });
    expect((result.structuredContent as { hits: unknown[] }).hits).toHaveLength(2);
    await client.close();
  });

  it('exits 2 on usage errors, 1 on errors, 3 on authentication', async () => {
    expect((await cairn(['search'], { configHome })).code).toBe(2);
    expect((await cairn(['search', 'x', '--limit', 'many'], { configHome })).code).toBe(2);
    expect((await cairn(['frobnicate'], { configHome })).code).toBe(2);
    const missing = await cairn(['thread', 'cw:nope'], { configHome });
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toContain('not_found');
    const elsewhere = await mkdtemp(path.join(os.tmpdir(), 'cairn-cli-none-'));
    expect((await cairn(['status'], { configHome: elsewhere })).code).toBe(3);
    const bad = await cairn(['login', '--url', base], {
      configHome: elsewhere,
      stdin: 'cairn_pat_notatoken\n',
    });
    expect(bad.code).toBe(3);
    await expect(stat(path.join(elsewhere, 'cairn', 'config.json'))).rejects.toThrow();

    const tokens = (await owner.request('GET', '/auth/tokens')).json() as {
      tokens: { id: string; prefix: string }[];
    };
    const mine = tokens.tokens.find((t) => secret.startsWith(t.prefix))!;
    expect((await owner.request('DELETE', `/auth/tokens/${mine.id}`)).statusCode).toBe(200);
    const revoked = await cairn(['search', 'brochure'], { configHome });
    expect(revoked.code).toBe(3);
    expect(revoked.stderr).toContain('unauthorized');
  });
});
