import cliProgress from 'cli-progress';
import {
  filesNote,
  isTty,
  snapshot,
  type ProgressOptions,
  type ProgressReporter,
  type ProgressSource,
  type Snapshot,
} from './progress-source.js';

/** Redraw period of the bars on a terminal; off a terminal (bars forced) they print every interval instead. */
const TTY_REFRESH_MS = 200;

/** Live bars, one per operator, with cli-progress. A bar's value is the rows read of the rows expected, where the plan tells. */
export class BarProgress implements ProgressReporter {
  private readonly multibar: cliProgress.MultiBar;
  private readonly bars: cliProgress.SingleBar[];
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly options: ProgressOptions,
    private readonly sources: readonly ProgressSource[],
  ) {
    const tty = isTty(options.stream);
    const refreshMs = tty ? TTY_REFRESH_MS : options.intervalMs;
    this.multibar = new cliProgress.MultiBar(
      {
        stream: options.stream,
        // 'bars' asked for explicitly on a stream that is not a terminal: print the bars as lines.
        noTTYOutput: !tty,
        notTTYSchedule: refreshMs,
        fps: 1000 / TTY_REFRESH_MS,
        barsize: 24,
        autopadding: true,
      },
      cliProgress.Presets.shades_classic,
    );
    // cli-progress redraws on a timer it does not unref; a job whose consumer went away must not hold the process open for a bar.
    const unrefRedraw = () => (this.multibar as unknown as { timer: NodeJS.Timeout | null }).timer?.unref();
    this.multibar.on('start', unrefRedraw);
    this.multibar.on('update-post', unrefRedraw);
    const width = Math.max(...sources.map((s) => s.name.length));
    const stats = ' | {rowsOut} rows out{files} | {rate} rows/s | {active} active | {queued} queued';
    this.bars = sources.map((source) => {
      const known = source.expectedRowsIn !== undefined;
      const format = known ? `{name} |{bar}| {percentage}%${stats}` : `{name}${stats}`;
      return this.multibar.create(source.expectedRowsIn ?? 0, 0, { name: source.name.padEnd(width), ...this.payload(source) }, { format });
    });
    this.timer = setInterval(() => this.refresh(), refreshMs).unref();
  }

  log(line: string): void {
    // Above the bars, which are drawn again below it.
    this.multibar.log(line);
  }

  stop(completed: boolean): void {
    clearInterval(this.timer);
    this.refresh();
    // A finished job's bars end full even where fewer rows came than the plan expected (a limit downstream).
    if (completed) this.bars.forEach((bar, i) => bar.setTotal(this.valueOf(this.sources[i])));
    this.multibar.stop();
  }

  private refresh(): void {
    this.sources.forEach((source, i) => this.bars[i].update(this.valueOf(source), this.payload(source)));
  }

  private payload(source: ProgressSource): Snapshot & { files: string } {
    const s = snapshot(source, this.options.started);
    return { ...s, files: filesNote(s.filesOut, ' | ') };
  }

  private valueOf(source: ProgressSource): number {
    return source.expectedRowsIn === undefined ? 0 : source.stats.rowsIn;
  }
}
