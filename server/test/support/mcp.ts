import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

/** An MCP client connected to the app listening at `base`, as a personal token's holder. */
export async function connectMcp(base: string, secret: string): Promise<Client> {
  const client = new Client({ name: 'cairn-test', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${base}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${secret}` } },
    }),
  );
  return client;
}

/** One tool call on a connection of its own, closed after. */
export async function callMcpTool(
  base: string,
  secret: string,
  name: string,
  args: Record<string, unknown>,
) {
  const client = await connectMcp(base, secret);
  try {
    return await client.callTool({ name, arguments: args });
  } finally {
    await client.close();
  }
}

/** The text of a tool result's first content item (a tool error's one line). */
export const toolText = (result: Awaited<ReturnType<typeof callMcpTool>>) =>
  (result.content as { text: string }[])[0]!.text;
