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
  /** The frame's bytes, its own memory. */
  readonly data: Uint8Array;
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
  private readonly windowIndexes = new Map<number, number>();
  private timeBase: { num: number; den: number } | null = null;
  private scan: ScanState = SCAN_START;
  /** A raw frame being filled as its bytes come (raw frames skip the queue: one copy, from the pipe's chunk). */
  private raw: { data: Uint8Array; filled: number } | null = null;

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
    const frames: DecodedFrame[] = [];
    if (this.format === 'rgb' || this.format === 'gray') {
      this.pushRaw(chunk, frames);
      return frames;
    }
    this.bytes.push(chunk);
    for (let frame = this.nextImage(); frame !== null; frame = this.nextImage()) frames.push(frame);
    return frames;
  }

  /**
   * Where the next output bytes may be read to directly: the rest of the raw frame being
   * filled (its size known from its line), or null (encoded images, or a size not yet known).
   */
  readTarget(): Uint8Array | null {
    if (this.format !== 'rgb' && this.format !== 'gray') return null;
    if (this.raw === null) {
      const info = this.infos[0];
      if (info === undefined || this.bytes.length > 0) return null;
      this.raw = { data: Buffer.allocUnsafeSlow(info.width * info.height * (this.format === 'rgb' ? 3 : 1)), filled: 0 };
    }
    return this.raw.data.subarray(this.raw.filled);
  }

  /**
   * Raw bytes go straight into the frame they belong to, once its showinfo line says its size;
   * bytes that come before their line wait in the queue.
   */
  private pushRaw(chunk: Uint8Array, frames: DecodedFrame[]): void {
    let at = 0;
    for (;;) {
      if (this.raw === null) {
        const info = this.infos[0];
        if (info === undefined) {
          this.bytes.push(chunk.subarray(at));
          return;
        }
        const size = info.width * info.height * (this.format === 'rgb' ? 3 : 1);
        this.raw = { data: Buffer.allocUnsafeSlow(size), filled: 0 };
        this.raw.filled += this.bytes.moveInto(this.raw.data, 0, size);
      }
      const raw = this.raw;
      const count = Math.min(chunk.length - at, raw.data.length - raw.filled);
      // Bytes read straight into the frame (readTarget) are where they belong already.
      const inPlace = chunk.buffer === raw.data.buffer && chunk.byteOffset + at === raw.data.byteOffset + raw.filled;
      if (!inPlace) raw.data.set(chunk.subarray(at, at + count), raw.filled);
      raw.filled += count;
      at += count;
      if (raw.filled < raw.data.length) return;
      this.raw = null;
      frames.push(this.described(this.infos.shift()!, raw.data));
    }
  }

  /** At the end of the output (stderr fully read too): the frames left, and a check that nothing is. */
  finish(): DecodedFrame[] {
    const frames = this.push(new Uint8Array(0));
    const bytes = this.bytes.length + (this.raw?.filled ?? 0);
    if (bytes > 0 || this.infos.length > 0)
      throw new Error(
        `ffmpeg's output ended with ${bytes} bytes and ${this.infos.length} frame descriptions left unpaired (a truncated or corrupt stream)`,
      );
    return frames;
  }

  /** The next encoded image, once its bytes and its line are both here. */
  private nextImage(): DecodedFrame | null {
    const info = this.infos[0];
    if (info === undefined || this.bytes.length === 0) return null;
    const found = (this.format === 'jpeg' ? jpegEnd : pngEnd)(this.bytes.view(), this.scan);
    this.scan = found.resume;
    if (found.end === null) return null;
    this.infos.shift();
    return this.described(info, this.bytes.take(found.end));
  }

  private described(info: ShowinfoFrame, data: Uint8Array): DecodedFrame {
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
      data,
    };
  }
}
