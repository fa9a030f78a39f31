import { formatMs } from './format.js';
import { filesNote, snapshot, type ProgressOptions, type ProgressReporter, type ProgressSource } from './progress-source.js';

/** Plain lines for logs and CI: every interval, and once more at the end of a job that outlived one interval. */
export class LogProgress implements ProgressReporter {
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly options: ProgressOptions,
    private readonly sources: readonly ProgressSource[],
  ) {
    this.timer = setInterval(() => this.print('running'), options.intervalMs).unref();
  }

  log(line: string): void {
    this.options.stream.write(line);
  }

  stop(completed: boolean): void {
    clearInterval(this.timer);
    // A job shorter than an interval printed nothing while it ran and stays quiet at its end too.
    if (performance.now() - this.options.started > this.options.intervalMs) this.print(completed ? 'done' : 'stopped');
  }

  private print(state: 'running' | 'done' | 'stopped'): void {
    const at = formatMs(performance.now() - this.options.started);
    const width = Math.max(...this.sources.map((s) => s.name.length));
    const lines = this.sources.map((source) => {
      const s = snapshot(source, this.options.started);
      return `sluice ${state} ${at}  ${source.name.padEnd(width)}  ${s.rowsOut} rows out${filesNote(s.filesOut, ', ')}, ${s.rate} rows/s, ${s.active} tasks active, ${s.queued} queued`;
    });
    this.options.stream.write(lines.join('\n') + '\n');
  }
}
