import { collectOutput } from './collect-output.js';
import type { ToolName, ToolProcessOptions } from './spawn-tool.js';
import { startTool } from './tool-process.js';

/** Runs ffmpeg or ffprobe to its end and gives its stdout; throws an Error with the failure (and stderr tail) otherwise. */
export async function runToolToEnd(tool: ToolName, args: readonly string[], options: ToolProcessOptions = {}): Promise<Buffer> {
  return collectOutput(await startTool(tool, args, options));
}
