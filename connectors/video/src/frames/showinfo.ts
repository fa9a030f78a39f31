/**
 * ffmpeg's `showinfo` filter prints a line per frame on stderr, in frame order, led by the
 * filter's instance name (`[showinfo@out @ 0x…] n: 3 pts: 1536 pts_time:0.12 … s:320x240 …`),
 * after a `config in time_base: 1/12800` line per instance. The frame readers name their
 * instances and read times from `pts` and the time base, not from `pts_time`, which ffmpeg
 * prints with six significant digits (10 ms steps past 1,000 s).
 */
export interface ShowinfoFrame {
  /** The instance that printed it (`window`, `out`). */
  readonly instance: string;
  /** The frame's index among those this instance saw. */
  readonly n: number;
  /** In the instance's time base; a double holds it exactly (2^53 ticks of 1/90000 s are 3,000 years). */
  readonly pts: number;
  readonly width: number;
  readonly height: number;
}

const LINE = /^\[showinfo@(\w+) @ [^\]]+\] (.*)$/;
const FRAME = /\bn:\s*(\d+)\s+pts:\s*(-?\d+)\b.*?\bs:(\d+)x(\d+)/;
const TIME_BASE = /config in time_base: (\d+)\/(\d+)/;

export type ShowinfoLine =
  | { readonly kind: 'frame'; readonly frame: ShowinfoFrame }
  | { readonly kind: 'timeBase'; readonly instance: string; readonly num: number; readonly den: number }
  | { readonly kind: 'other' };

/** A stderr line as showinfo printed it, or null for a line that is not showinfo's (kept for error messages). */
export function parseShowinfo(line: string): ShowinfoLine | null {
  const match = LINE.exec(line);
  if (match === null) return null;
  const [, instance, rest] = match;
  const frame = FRAME.exec(rest);
  if (frame !== null) {
    return {
      kind: 'frame',
      frame: { instance, n: Number(frame[1]), pts: Number(frame[2]), width: Number(frame[3]), height: Number(frame[4]) },
    };
  }
  const timeBase = TIME_BASE.exec(rest);
  if (timeBase !== null) return { kind: 'timeBase', instance, num: Number(timeBase[1]), den: Number(timeBase[2]) };
  return { kind: 'other' };
}

/** Milliseconds of a pts in a time base, rounded to the microsecond. */
export function ptsToMs(pts: number, num: number, den: number): number {
  return Math.round((pts * num * 1_000_000) / den) / 1000;
}
