import type { AudioArgs } from './audio-args.js';
import { ashowinfoTimeMs } from './ashowinfo.js';

/** A segment of decoded audio: what an ASR model takes. */
export interface AudioSegment {
  readonly segmentIndex: number;
  readonly startMs: number;
  readonly endMs: number;
  /** Interleaved float samples, `channels` per frame. */
  readonly samples: Float32Array;
}

/**
 * Cuts a stream of f32le bytes into segments of `segmentSeconds` that start every
 * `segmentSeconds - overlapSeconds`. Bytes may split a sample anywhere; the last, shorter
 * segment is kept when it holds samples no segment before it did.
 */
export class AudioSegmenter {
  private readonly frameSamples: number;
  private readonly stepFrames: number;
  private buffer: Float32Array;
  /** Samples (all channels) held in `buffer`. */
  private held = 0;
  /** Bytes of a sample split across chunks. */
  private partial = Buffer.alloc(0);
  private index = 0;
  /** Frames (samples per channel) before the buffer's start. */
  private offsetFrames = 0;
  /** Frames the previous segment reached: a tail shorter than that is covered already. */
  private coveredFrames = 0;
  /** Milliseconds of the first sample (the audio stream's start). */
  private startMs: number | null = null;

  constructor(private readonly args: AudioArgs) {
    this.frameSamples = Math.round(args.segmentSeconds * args.sampleRate);
    this.stepFrames = Math.max(1, Math.round((args.segmentSeconds - args.overlapSeconds) * args.sampleRate));
    this.buffer = new Float32Array(this.frameSamples * args.channels);
  }

  /** A stderr line of the decode: true when it was the audio's ashowinfo (whose first line gives the start). */
  line(line: string): boolean {
    const ms = ashowinfoTimeMs(line);
    if (ms === undefined) return false;
    if (ms !== null && this.startMs === null) this.startMs = ms;
    return true;
  }

  /** Segments completed by these bytes. */
  push(chunk: Uint8Array): AudioSegment[] {
    let bytes: Uint8Array = chunk;
    if (this.partial.length) {
      bytes = Buffer.concat([this.partial, chunk]);
      this.partial = Buffer.alloc(0);
    }
    const whole = bytes.length - (bytes.length % 4);
    if (whole < bytes.length) this.partial = Buffer.from(bytes.subarray(whole));
    // f32le: on a little-endian machine the bytes are the floats (copied once to be aligned).
    const samples = new Float32Array(new Uint8Array(bytes.subarray(0, whole)).buffer);
    const out: AudioSegment[] = [];
    let at = 0;
    const size = this.frameSamples * this.args.channels;
    while (at < samples.length) {
      const n = Math.min(samples.length - at, size - this.held);
      this.buffer.set(samples.subarray(at, at + n), this.held);
      this.held += n;
      at += n;
      if (this.held === size) out.push(this.emit(this.frameSamples));
    }
    return out;
  }

  /** The last, shorter segment, if it holds samples that no segment before it did. */
  finish(): AudioSegment[] {
    const frames = this.held / this.args.channels;
    if (frames === 0 || this.offsetFrames + frames <= this.coveredFrames) return [];
    return [this.emit(frames)];
  }

  private emit(frames: number): AudioSegment {
    const { channels, sampleRate } = this.args;
    const samples = this.buffer.slice(0, frames * channels);
    const start = this.startMs ?? 0;
    const segment: AudioSegment = {
      segmentIndex: this.index++,
      startMs: start + (this.offsetFrames / sampleRate) * 1000,
      endMs: start + ((this.offsetFrames + frames) / sampleRate) * 1000,
      samples,
    };
    this.coveredFrames = this.offsetFrames + frames;
    // The next segment starts a step later: what overlaps stays at the front of the buffer.
    const keep = Math.max(0, frames - this.stepFrames) * channels;
    this.buffer.copyWithin(0, this.held - keep, this.held);
    this.held = keep;
    this.offsetFrames += this.stepFrames;
    return segment;
  }
}
