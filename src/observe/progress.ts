import { LogProgress } from './progress-log.js';
import { isTty, type ProgressMode, type ProgressOptions, type ProgressReporter, type ProgressSource } from './progress-source.js';

/**
 * Starts reporting a job's progress. Its timers are unref'd: progress never keeps the process
 * alive. cli-progress is loaded only for bars: every process and worker thread that imports
 * sluice would pay for it otherwise.
 */
export async function startProgress(options: ProgressOptions, sources: readonly ProgressSource[]): Promise<ProgressReporter> {
  switch (resolveMode(options.mode, options.stream)) {
    case 'off':
      // Without progress, a stuck task is still said: on stderr.
      return { stop: () => {}, log: (line) => void process.stderr.write(line) };
    case 'log':
      return new LogProgress(options, sources);
    case 'bars': {
      const { BarProgress } = await import('./progress-bars.js');
      return new BarProgress(options, sources);
    }
  }
}

function resolveMode(mode: ProgressMode, stream: NodeJS.WritableStream): 'bars' | 'log' | 'off' {
  if (mode !== 'auto') return mode;
  return isTty(stream) && !underCi() ? 'bars' : 'log';
}

function underCi(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci !== 'false';
}
