import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import type { McpContext } from '../context.js';

/**
 * One MCP tool: its schemas, its truthful annotations, and what it does with a validated input.
 * `run` returns the structured result and a short text rendering of it; errors it throws become
 * tool errors (isError), never protocol errors.
 */
export interface ToolDefinition<
  In extends z.ZodRawShape = z.ZodRawShape,
  Out extends z.ZodRawShape = z.ZodRawShape,
> {
  name: string;
  title: string;
  description: string;
  inputSchema: In;
  outputSchema: Out;
  annotations: ToolAnnotations;
  run(
    ctx: McpContext,
    input: z.infer<z.ZodObject<In>>,
  ): Promise<{ structured: z.infer<z.ZodObject<Out>>; text: string }>;
}

/** Keeps each tool's input typed by its own schema while the list holds them all. */
export const defineTool = <In extends z.ZodRawShape, Out extends z.ZodRawShape>(
  tool: ToolDefinition<In, Out>,
) => tool as unknown as ToolDefinition;
