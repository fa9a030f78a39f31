import { ByteQueue } from './byte-queue.js';
import type { FrameFormat } from './frame-args.js';
import { OUT_INSTANCE, WINDOW_INSTANCE } from './frame-command.js';
import { jpegEnd, pngEnd, SCAN_START, type ScanState } from './image-boundaries.js';
import { parseShowinfo, ptsToMs, type ShowinfoFrame } from './showinfo.js';

/** A frame cut from ffmpeg's output, with what showinfo said of it. */
export interface DecodedFrame {
  readonly frameIndex: number;
  readonly timestampMs: number;
  readonly width: number;
  readonly height: number;
  /** The frame's bytes, as views into the pipe's chunks (copied once, into its block). */
  readonly parts: readonly Uint8Array[];
  readonly bytes: number;
}

/**
 * Pairs the frames ffmpeg writes on its output pipe with the `showinfo` lines it prints for
 * them on stderr. Both come in frame order, on two pipes that race: a frame is cut once its
 * bytes and its line are both here (a raw frame's size is known from its line alone). Indexes
 * come from the `window` instance when sampling drops frames (it sees every frame of the part,
 * matched by pts), else from the `out` instance; `firstIndex` is the part's first frame.
 */
export class FramePairing {
  private readonly bytes = new ByteQueue();
  private readonly infos: ShowinfoFrame[] = [];
  private readonly windowIndexes = new Map<bigint, number>();
  private timeBase: { num: number; den: number } | null = null;
  private scan: ScanState = SCAN_START;

  constructor(
    private readonly format: FrameFormat,
    private readonly firstIndex: number,
    private readonly indexedBeforeSampling: boolean,
  ) {}

  /** A stderr line: true when it was showinfo's (consumed), false for a line to keep for errors. */
  line(line: string): boolean {
    const parsed = parseShowinfo(line);
    if (parsed === null) return false;
    if (parsed.kind === 'timeBase' && parsed.instance === OUT_INSTANCE) this.timeBase = { num: parsed.num, den: parsed.den };
    if (parsed.kind === 'frame') {
      if (parsed.frame.instance === OUT_INSTANCE) this.infos.push(parsed.frame);
      else if (parsed.frame.instance === WINDOW_INSTANCE) this.windowIndexes.set(parsed.frame.pts, parsed.frame.n);
    }
    return true;
  }

  /** Output bytes: the frames they complete. */
  push(chunk: Uint8Array): DecodedFrame[] {
    this.bytes.push(chunk);
    const frames: DecodedFrame[] = [];
    for (let frame = this.next(); frame !== null; frame = this.next()) frames.push(frame);
    return frames;
  }

  /** At the end of the output (stderr fully read too): the frames left, and a check that nothing is. */
  finish(): DecodedFrame[] {
    const frames = this.push(new Uint8Array(0));
    if (this.bytes.length > 0 || this.infos.length > 0)
      throw new Error(
        `ffmpeg's output ended with ${this.bytes.length} bytes and ${this.infos.length} frame descriptions left unpaired (a truncated or corrupt stream)`,
      );
    return frames;
  }

  private next(): DecodedFrame | null {
    const info = this.infos[0];
    if (info === undefined || this.bytes.length === 0) return null;
    const size = this.frameSize(info);
    if (size === null) return null;
    this.infos.shift();
    const parts = this.bytes.take(size);
    const { num, den } = this.timeBase ?? { num: 1, den: 1_000_000 };
    const local = this.indexedBeforeSampling ? this.windowIndexes.get(info.pts) : info.n;
    if (local === undefined) throw new Error(`internal: no frame index for the frame at pts ${info.pts}`);
    // Frames the sampling dropped before this one are done with (both lines come in display order).
    if (this.indexedBeforeSampling)
      for (const pts of this.windowIndexes.keys()) {
        if (pts > info.pts) break;
        this.windowIndexes.delete(pts);
      }
    return {
      frameIndex: this.firstIndex + local,
      timestampMs: ptsToMs(info.pts, num, den),
      width: info.width,
      height: info.height,
      parts,
      bytes: size,
    };
  }

  /** Bytes of the next frame, or null while they are not all here. */
  private frameSize(info: ShowinfoFrame): number | null {
    switch (this.format) {
      case 'rgb':
      case 'gray': {
        const size = info.width * info.height * (this.format === 'rgb' ? 3 : 1);
        return this.bytes.length >= size ? size : null;
      }
      case 'jpeg':
      case 'png': {
        const found = (this.format === 'jpeg' ? jpegEnd : pngEnd)(this.bytes.joined(), this.scan);
        this.scan = found.resume;
        return found.end;
      }
    }
  }
}
