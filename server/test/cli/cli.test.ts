// @module-tag api-client
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
import { insertSignal } from '../support/signals.js';
import { rebuildPeople } from '../../src/modules/people/rebuild.js';
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
  let openSignal: string;
  let resolvedSignal: string;

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
    await rebuildPeople(ctx.database, ctx.config, project);
    const cites = {
      conversation: thread[0]!.conversationGlobalId,
      message: thread[0]!.messageGlobalId,
    };
    openSignal = await insertSignal(ctx.database, project, cites, {
      title: 'Maria Lopez is waiting for a reply',
    });
    resolvedSignal = await insertSignal(ctx.database, project, cites, {
      kind: 'commitment',
      status: 'resolved',
      resolved_at: new Date(),
      resolution: 'Proof sent',
      title: 'We promised the proof by Monday',
    });
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

  it('signals lists the open signals, filtered, for people and as JSON', async () => {
    const human = await cairn(['signals'], { configHome });
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain(openSignal);
    expect(human.stdout).toContain('Maria Lopez is waiting for a reply');
    expect(human.stdout).toContain(`cairn thread ${thread[0]!.conversationGlobalId}`);
    expect(human.stdout).not.toContain(resolvedSignal);
    const json = await cairn(
      ['signals', '--status', 'resolved', '--kind', 'commitment', '--json'],
      {
        configHome,
      },
    );
    expect(json.code).toBe(0);
    const ids = (JSON.parse(json.stdout) as { signals: { id: string }[] }).signals.map((s) => s.id);
    expect(ids).toEqual([resolvedSignal]);
    const none = await cairn(['signals', '--kind', 'payment'], { configHome });
    expect(none.stdout.trim()).toBe('No open signals.');
    expect((await cairn(['signals', '--status', 'pending'], { configHome })).code).toBe(2);
    expect((await cairn(['signals', '--kind', 'gossip'], { configHome })).code).toBe(2);
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
    expect(['contact', 'person', 'conversation', 'message', 'signal'].map(count)).toEqual([
      2, 2, 2, 3, 2,
    ]);
    expect(lines.every((l) => typeof l.type === 'string')).toBe(true);
    const maria = lines.find((l) => l.type === 'person' && 'name' in l && l.name === 'Maria Lopez');
    expect(maria).toBeDefined();
    const exported = lines.filter((l) => l.type === 'signal') as unknown as { id: string }[];
    expect(exported.map((s) => s.id).sort()).toEqual([openSignal, resolvedSignal].sort());
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
