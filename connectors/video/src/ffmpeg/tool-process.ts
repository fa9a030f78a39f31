import { resolveBinaries } from './binaries.js';
import { spawnTool, type ToolName, type ToolProcess, type ToolProcessOptions } from './spawn-tool.js';

export { liveToolProcesses, type ToolExit, type ToolName, type ToolProcess, type ToolProcessOptions } from './spawn-tool.js';

/**
 * Starts ffmpeg or ffprobe (as resolveBinaries finds them) with `args`, ffmpeg with
 * `-hide_banner -nostdin` first (no banner in the stderr tail; never reading the terminal).
 * stdin is closed; stdout and `extraPipes` pipes (fd 3, …) are read through `read()`.
 * Throws a FfmpegNotFoundError when there is no ffmpeg; a binary that cannot be started is
 * reported by the process's failure().
 */
export async function startTool(tool: ToolName, args: readonly string[], options: ToolProcessOptions = {}): Promise<ToolProcess> {
  const binaries = await resolveBinaries();
  const full = tool === 'ffmpeg' ? ['-hide_banner', '-nostdin', ...args] : args;
  return spawnTool(tool, binaries[tool], full, options);
}
