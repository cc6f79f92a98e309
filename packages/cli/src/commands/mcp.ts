import { Api } from '../api.js';
import { defineCommand } from '../command.js';
import { loadConfig } from '../config.js';
import { CliError, EXIT } from '../errors.js';

export const mcp = defineCommand({
  name: 'mcp',
  summary: 'A stdio MCP server that forwards to the Cairn server’s /mcp with the stored token',
  help: `cairn mcp

For desktop assistants that only start local MCP servers (Claude Desktop): speaks MCP on
stdin/stdout and forwards every request to <url>/mcp with the token stored by cairn login.
See docs/mcp.md for the configuration.`,
  options: {},
  positionals: { min: 0, max: 0 },
  async run() {
    // The SDK is loaded by this command alone: imported at the top, it was 0.4 s of every other
    // command's start.
    const [
      { Client },
      { StreamableHTTPClientTransport },
      { Server },
      { StdioServerTransport },
      {
        CallToolRequestSchema,
        ListResourcesRequestSchema,
        ListResourceTemplatesRequestSchema,
        ListToolsRequestSchema,
        ReadResourceRequestSchema,
      },
    ] = await Promise.all([
      import('@modelcontextprotocol/sdk/client/index.js'),
      import('@modelcontextprotocol/sdk/client/streamableHttp.js'),
      import('@modelcontextprotocol/sdk/server/index.js'),
      import('@modelcontextprotocol/sdk/server/stdio.js'),
      import('@modelcontextprotocol/sdk/types.js'),
    ]);
    const api = new Api(await loadConfig());
    const upstream = new Client({ name: 'cairn-cli', version: '0.1.0' });
    try {
      await upstream.connect(
        new StreamableHTTPClientTransport(new URL(api.url('/mcp')), {
          requestInit: { headers: { authorization: `Bearer ${api.config.token}` } },
        }),
      );
    } catch (error) {
      const message = (error as Error).message;
      throw new CliError(
        `cannot open ${api.url('/mcp')}: ${message}`,
        /401|403/.test(message) ? EXIT.auth : EXIT.error,
      );
    }
    const info = upstream.getServerVersion() ?? { name: 'cairn', version: '0.1.0' };
    const server = new Server(info, {
      capabilities: upstream.getServerCapabilities() ?? {},
      instructions: upstream.getInstructions(),
    });
    // Each request is passed on as it is; results come back untouched (quoted-data wrappers
    // included), so the desktop client sees exactly what the HTTP server says.
    server.setRequestHandler(ListToolsRequestSchema, (request) =>
      upstream.listTools(request.params),
    );
    server.setRequestHandler(CallToolRequestSchema, (request) => upstream.callTool(request.params));
    server.setRequestHandler(ListResourcesRequestSchema, (request) =>
      upstream.listResources(request.params),
    );
    server.setRequestHandler(ListResourceTemplatesRequestSchema, (request) =>
      upstream.listResourceTemplates(request.params),
    );
    server.setRequestHandler(ReadResourceRequestSchema, (request) =>
      upstream.readResource(request.params),
    );
    const stdio = new StdioServerTransport();
    const closed = new Promise<void>((resolve) => {
      stdio.onclose = resolve;
    });
    await server.connect(stdio);
    process.stdin.once('end', () => void server.close());
    await closed;
    await upstream.close();
  },
});
