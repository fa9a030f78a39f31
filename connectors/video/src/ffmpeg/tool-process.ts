import { resolveBinaries } from './binaries.js';
import { openSocketOutputs } from './socket-outputs.js';
import { spawnTool, type ToolName, type ToolProcess, type ToolProcessOptions } from './spawn-tool.js';

export { liveToolProcesses, type ToolExit, type ToolName, type ToolProcess, type ToolProcessOptions } from './spawn-tool.js';

/**
 * Starts ffmpeg or ffprobe (as resolveBinaries finds them) with `args`, ffmpeg with
 * `-hide_banner -nostdin` first (no banner in the stderr tail; never reading the terminal).
 * stdin is closed; stdout and `extraPipes` pipes (fd 3, …) are read through `read()`.
 * Throws a FfmpegNotFoundError when there is no ffmpeg; a binary that cannot be started is
 * reported by the process's failure().
 */
/** startTool's options: ToolProcessOptions, with `socketOutputs` a switch (the sockets are made here). */
export type StartToolOptions = Omit<ToolProcessOptions, 'socketOutputs'> & { readonly socketOutputs?: boolean };

export async function startTool(tool: ToolName, args: readonly string[], options: StartToolOptions = {}): Promise<ToolProcess> {
  const binaries = await resolveBinaries();
  const full = tool === 'ffmpeg' ? ['-hide_banner', '-nostdin', ...args] : args;
  const { socketOutputs, ...rest } = options;
  // stdout and the extra outputs through sockets read into a reused buffer (see SocketOutput).
  const sockets = socketOutputs ? await openSocketOutputs(1 + (options.extraPipes ?? 0)) : undefined;
  return spawnTool(tool, binaries[tool], full, { ...rest, ...(sockets ? { socketOutputs: sockets } : {}) });
}
