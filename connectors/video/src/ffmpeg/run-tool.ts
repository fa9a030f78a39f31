import { collectOutput } from './collect-output.js';
import type { ToolName } from './spawn-tool.js';
import { startTool, type StartToolOptions } from './tool-process.js';

/** Runs ffmpeg or ffprobe to its end and gives its stdout; throws an Error with the failure (and stderr tail) otherwise. */
export async function runToolToEnd(tool: ToolName, args: readonly string[], options: StartToolOptions = {}): Promise<Buffer> {
  return collectOutput(await startTool(tool, args, options));
}
