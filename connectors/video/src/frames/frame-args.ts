import type { AudioArgs } from '../audio/audio-args.js';

/** Which frames of the decoded stream become rows. */
export type Sampling =
  | { readonly kind: 'all' }
  | { readonly kind: 'fps'; readonly fps: number }
  | { readonly kind: 'everyNth'; readonly n: number }
  | { readonly kind: 'keyframes' }
  | { readonly kind: 'scene'; readonly threshold: number };

export type FrameFormat = 'jpeg' | 'png' | 'rgb' | 'gray';

/** The size frames are scaled to, aspect kept; frames are never enlarged by `maxSide`. */
export type FrameSize = { readonly width: number } | { readonly height: number } | { readonly maxSide: number };

/** readVideos' options as its streams get them (plain data). */
export interface FrameArgs {
  readonly sampling: Sampling;
  readonly size: FrameSize | null;
  readonly format: FrameFormat;
  /** ffmpeg's JPEG quantiser (`-q:v`, 2 best to 31). */
  readonly jpegQ: number;
  /** Seconds of the video to read, [start, end). */
  readonly start: number | null;
  readonly end: number | null;
  /** A file longer than this is read as parts of about this length, in parallel. */
  readonly secondsPerTask: number;
  /** Audio segments from the same decode (rows with `kind`), or null for frames only. */
  readonly audio: AudioArgs | null;
  /** Threads of each ffmpeg process: the CPU slots each stream holds. */
  readonly threads: number;
  /** How long planning may probe one file (the read's timeoutMs, at most 30 s). */
  readonly planTimeoutMs: number;
}
