const MAX_LINES = 30;
const MAX_CHARS = 4096;

/**
 * A tool's stderr, split into lines as it arrives: each complete line goes to `consume` first
 * (a reader parsing `showinfo` lines takes its own), and the ones it leaves are kept, the last
 * 30 lines and at most 4 KiB of them, to say why the tool failed.
 */
export class StderrLines {
  private partial = '';
  private readonly kept: string[] = [];
  private keptChars = 0;

  constructor(private readonly consume: ((line: string) => boolean) | undefined) {}

  push(chunk: string): void {
    // ffmpeg ends its progress lines with '\r' alone: they count as lines too.
    const parts = (this.partial + chunk).split(/\r\n|\r|\n/);
    this.partial = parts.pop() ?? '';
    for (const line of parts) this.line(line);
  }

  /** The last line, when the stream ended without a newline. */
  end(): void {
    if (this.partial !== '') this.line(this.partial);
    this.partial = '';
  }

  tail(): string {
    return this.kept.join('\n');
  }

  private line(line: string): void {
    if (this.consume?.(line) === true || line.trim() === '') return;
    this.kept.push(line);
    this.keptChars += line.length + 1;
    while (this.kept.length > MAX_LINES || (this.keptChars > MAX_CHARS && this.kept.length > 1)) {
      this.keptChars -= this.kept.shift()!.length + 1;
    }
  }
}
