import { basename, dirname, join } from 'node:path';
import { collectOutput } from './collect-output.js';
import { FfmpegNotFoundError } from './errors.js';
import { findOnPath, isExecutableFile } from './find-on-path.js';
import { NPM_PACKAGES, npmBinaries } from './npm-binaries.js';
import { spawnTool, type ToolName } from './spawn-tool.js';
import { parseFfmpegVersion, type FfmpegVersion } from './ffmpeg-version.js';

export interface FfmpegBinaries {
  readonly ffmpeg: string;
  readonly ffprobe: string;
  /** ffmpeg's release (major.minor); {4, 0} when its build does not say (a git build's "N-…"). */
  readonly version: FfmpegVersion;
  /** Where they were found: FFMPEG_PATH/FFPROBE_PATH, the system's PATH, or the npm packages. */
  readonly source: 'env' | 'path' | 'npm';
}

const VERSION_TIMEOUT_MS = 10_000;

let cached: Promise<FfmpegBinaries> | undefined;

/**
 * The ffmpeg and ffprobe this process runs, found once: FFMPEG_PATH/FFPROBE_PATH when set (a
 * set one must work), else the system's (both on PATH), else the npm-shipped binaries. Each is
 * run once with -version. Throws a FfmpegNotFoundError that says the three ways to get them.
 */
export function resolveBinaries(): Promise<FfmpegBinaries> {
  if (cached === undefined) {
    const found = locate().then(withVersion);
    // A failure is not kept: the caller may fix the setup (install, set a variable) and ask again.
    found.catch(() => {
      if (cached === found) cached = undefined;
    });
    cached = found;
  }
  return cached;
}

/**
 * The arguments that pass every decoded frame through with its own timestamp (no frame dropped
 * or duplicated to a constant rate): `-fps_mode` from ffmpeg 5.1 on, `-vsync` before it.
 */
export function passthroughTimingArgs(version: FfmpegVersion): string[] {
  const hasFpsMode = version.major > 5 || (version.major === 5 && version.minor >= 1);
  return hasFpsMode ? ['-fps_mode', 'passthrough'] : ['-vsync', 'passthrough'];
}

interface Located {
  readonly ffmpeg: string;
  readonly ffprobe: string;
  readonly source: FfmpegBinaries['source'];
}

async function locate(): Promise<Located> {
  const env = { ffmpeg: await fromEnv('FFMPEG_PATH', 'ffmpeg'), ffprobe: await fromEnv('FFPROBE_PATH', 'ffprobe') };
  if (env.ffmpeg !== null || env.ffprobe !== null) {
    // The one not set is looked for beside the one that is, then on PATH, then in the npm packages.
    const other = async (tool: ToolName, given: string): Promise<string | null> =>
      (await besides(given, tool)) ?? (await findOnPath(tool)) ?? npmPath(await npmBinaries(), tool);
    const ffmpeg = env.ffmpeg ?? (await other('ffmpeg', env.ffprobe!));
    const ffprobe = env.ffprobe ?? (await other('ffprobe', env.ffmpeg!));
    if (ffmpeg === null || ffprobe === null) {
      const [set, missing] = ffmpeg === null ? ['FFPROBE_PATH', 'FFMPEG_PATH'] : ['FFMPEG_PATH', 'FFPROBE_PATH'];
      throw notFound(`${set} is set but ${missing} is not, and no ${missing === 'FFMPEG_PATH' ? 'ffmpeg' : 'ffprobe'} was found beside it`);
    }
    return { ffmpeg, ffprobe, source: 'env' };
  }
  const ffmpeg = await findOnPath('ffmpeg');
  const ffprobe = await findOnPath('ffprobe');
  if (ffmpeg !== null && ffprobe !== null) return { ffmpeg, ffprobe, source: 'path' };
  const npm = await npmBinaries();
  if ('ffmpeg' in npm) return { ...npm, source: 'npm' };
  const onPath = ffmpeg === null && ffprobe === null ? 'neither is on PATH' : `only ${ffmpeg ?? ffprobe} is on PATH`;
  throw notFound(`${onPath}; ${npm.problem}`);
}

/** The variable's path when it is set; throws when it names no executable file (a typo must not fall back silently). */
async function fromEnv(variable: string, tool: ToolName): Promise<string | null> {
  const value = process.env[variable];
  if (value === undefined || value === '') return null;
  if (await isExecutableFile(value)) return value;
  throw new FfmpegNotFoundError(
    `${variable} is set to ${value}, which is not an executable file; point it at the ${tool} binary, or unset it to use the system's or the npm-shipped one`,
  );
}

/** `tool` in the same directory as `other` (named alike: ffmpeg.exe beside ffprobe.exe), when it is there. */
async function besides(other: string, tool: ToolName): Promise<string | null> {
  const name = basename(other).replace(/ffmpeg|ffprobe/, tool);
  const candidate = join(dirname(other), name === basename(other) ? tool : name);
  return (await isExecutableFile(candidate)) ? candidate : null;
}

function npmPath(npm: Awaited<ReturnType<typeof npmBinaries>>, tool: ToolName): string | null {
  return tool in npm ? (npm as Record<ToolName, string>)[tool] : null;
}

/** Runs both with -version: ffmpeg's first line gives the release, and a binary that does not run is caught here, once. */
async function withVersion(located: Located): Promise<FfmpegBinaries> {
  const [ffmpegText] = await Promise.all([runVersion('ffmpeg', located), runVersion('ffprobe', located)]);
  return { ...located, version: parseFfmpegVersion(ffmpegText) };
}

async function runVersion(tool: ToolName, located: Located): Promise<string> {
  const path = located[tool];
  let text: string;
  try {
    text = (await collectOutput(spawnTool(tool, path, ['-version'], { idleTimeoutMs: VERSION_TIMEOUT_MS }))).toString('utf8');
  } catch (error) {
    throw new FfmpegNotFoundError(`${path} (${describeSource(located.source)}) does not run: ${(error as Error).message}; ${HOW_TO_FIX}`);
  }
  if (!text.startsWith(`${tool} version`)) {
    throw new FfmpegNotFoundError(
      `${path} (${describeSource(located.source)}) is not ${tool}: '${tool} -version' printed ${JSON.stringify(text.slice(0, 80))}; ${HOW_TO_FIX}`,
    );
  }
  return text;
}

function describeSource(source: FfmpegBinaries['source']): string {
  if (source === 'env') return 'from FFMPEG_PATH/FFPROBE_PATH';
  if (source === 'path') return 'found on PATH';
  return `from ${NPM_PACKAGES.ffmpeg} and ${NPM_PACKAGES.ffprobe}`;
}

const HOW_TO_FIX =
  'to fix it, do one of: set FFMPEG_PATH and FFPROBE_PATH to the ffmpeg and ffprobe binaries; ' +
  "install the system's ffmpeg so that both are on PATH (e.g. `apt-get install ffmpeg`, `brew install ffmpeg`); " +
  `or install the npm packages ${NPM_PACKAGES.ffmpeg} and ${NPM_PACKAGES.ffprobe} (optional dependencies of @sluice/video, ` +
  'left out by an install that skips optional dependencies)';

function notFound(why: string): FfmpegNotFoundError {
  return new FfmpegNotFoundError(`ffmpeg and ffprobe were not found (${why}); ${HOW_TO_FIX}`);
}
