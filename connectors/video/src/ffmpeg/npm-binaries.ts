import { chmod, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { isExecutableFile } from './find-on-path.js';

/** The npm packages that ship ffmpeg and ffprobe inside their tarballs (optionalDependencies of @sluice/video). */
export const NPM_PACKAGES = { ffmpeg: '@ffmpeg-installer/ffmpeg', ffprobe: '@ffprobe-installer/ffprobe' } as const;

export type NpmBinaries = { readonly ffmpeg: string; readonly ffprobe: string } | { readonly problem: string };

const require = createRequire(import.meta.url);

/** The npm-shipped ffmpeg and ffprobe for this platform, or why they cannot be used. */
export async function npmBinaries(): Promise<NpmBinaries> {
  const ffmpeg = await npmBinary('ffmpeg');
  const ffprobe = await npmBinary('ffprobe');
  if (typeof ffmpeg === 'string' && typeof ffprobe === 'string') return { ffmpeg, ffprobe };
  return {
    problem: [ffmpeg, ffprobe]
      .filter((p) => typeof p !== 'string')
      .map((p) => p.problem)
      .join('; '),
  };
}

async function npmBinary(tool: keyof typeof NPM_PACKAGES): Promise<string | { problem: string }> {
  const name = NPM_PACKAGES[tool];
  let path: unknown;
  try {
    // The package finds its platform package (@ffmpeg-installer/linux-x64, …) from where it is installed.
    const exported: unknown = require(name);
    path = typeof exported === 'object' && exported !== null && 'path' in exported ? exported.path : undefined;
  } catch (error) {
    // These packages throw strings as well as Errors (an unsupported platform, a missing platform package).
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return { problem: `${name} is not usable (${message})` };
  }
  if (typeof path !== 'string') return { problem: `${name} gave no binary path` };
  if (!(await isExecutableFile(path)) && !(await makeExecutable(path))) {
    return { problem: `${path} (from ${name}) is not executable; run chmod +x on it, or let its install script run` };
  }
  return path;
}

/**
 * Sets the execute bits that the package's own install script (`chmod u+x`) sets: installs
 * that skip scripts (pnpm by default, npm --ignore-scripts) leave ffprobe's binary without them.
 */
async function makeExecutable(path: string): Promise<boolean> {
  try {
    await chmod(path, (await stat(path)).mode | 0o111);
    return await isExecutableFile(path);
  } catch {
    return false;
  }
}
