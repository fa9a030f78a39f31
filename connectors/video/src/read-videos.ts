import { InvalidOptionError, readFormat, type Dataset, type Paths, type ReadOptions } from 'sluice';
import { AUDIO_OPTIONS, audioArgs, type AudioOptions } from './audio/audio-options.js';
import type { FrameArgs, FrameFormat, FrameSize, Sampling } from './frames/frame-args.js';
import { oneOf, positiveInteger, positiveNumber, seconds } from './options.js';
import type { AudioSegmentRow } from './read-audio.js';
import { VIDEO_EXTENSIONS } from './video-extensions.js';

export interface ReadVideosOptions extends Omit<ReadOptions, 'includePaths'> {
  /** Frames per second to keep: the first frame in each 1/fps-second step of the video's time. Default: every frame. */
  fps?: number;
  /** Keeps frames 0, n, 2n… of the stream. */
  everyNth?: number;
  /** Decodes keyframes only (fast: the others are never decoded); `frameIndex` then counts keyframes. */
  keyframesOnly?: boolean;
  /** Keeps the first frame and each frame whose scene-change score (0 to 1) passes this, e.g. 0.3. */
  sceneThreshold?: number;
  /** Scales frames, aspect kept: `{width}`, `{height}`, or `{maxSide}` (never enlarges). Default: as decoded. */
  size?: FrameSize;
  /** 'jpeg' (default) or 'png' images, or raw pixels: 'rgb' (height × width × 3 bytes) or 'gray'. */
  format?: FrameFormat;
  /** JPEG quality, 1 to 100. Default 90. */
  quality?: number;
  /** Seconds of the video to read: frames with start <= timestamp < end. */
  start?: number;
  end?: number;
  /**
   * A file longer than 1.5 × this many seconds is cut at keyframes into parts of about this
   * length, decoded in parallel (frames are neither lost nor doubled at the cuts). Default 30.
   * Not with `audio` (one decode per file) or `sceneThreshold` (a part's first frame would have
   * no frame before it to be compared with): such files are decoded in one pass.
   */
  secondsPerTask?: number;
  /** Threads of each ffmpeg process; each process holds as many CPU slots. Default 1 (parallelism comes from files and parts). */
  threads?: number;
  /**
   * Also decodes the audio, in the same ffmpeg process: rows then have `kind` ('frame' or
   * 'audio') and audio segments come as AudioSegmentRow (see readAudio). `true` takes the defaults.
   */
  audio?: AudioOptions | true;
}

/** A frame of `readVideos`. */
export interface VideoFrameRow {
  path: string;
  /** The frame's index in the decoded video stream (among keyframes with keyframesOnly). */
  frameIndex: number;
  /** Its presentation time in the file, in milliseconds (ffprobe's best_effort_timestamp_time). */
  timestampMs: number;
  width: number;
  height: number;
  format: FrameFormat;
  /** The encoded image, or raw pixels: rows of `width` pixels, 3 bytes each for 'rgb', 1 for 'gray'. */
  data: Uint8Array;
}

/** Rows of readVideos with `audio`: frames and audio segments, told apart by `kind`. */
export type VideoRow = (VideoFrameRow & { kind: 'frame' }) | (AudioSegmentRow & { kind: 'audio' });

/** Rows of `readVideos` for its options. */
export type VideoRowOf<O extends ReadVideosOptions> = O extends { audio: AudioOptions | true } ? VideoRow : VideoFrameRow;

const DEFAULT_SECONDS_PER_TASK = 30;
const DEFAULT_QUALITY = 90;
const DEFAULT_TIMEOUT_MS = 60_000;
/** Planning gives up on probing a file after this long (or the read's timeoutMs, if shorter). */
const PLAN_TIMEOUT_MS = 30_000;
const OWN_OPTIONS = [
  'fps',
  'everyNth',
  'keyframesOnly',
  'sceneThreshold',
  'size',
  'format',
  'quality',
  'start',
  'end',
  'secondsPerTask',
  'threads',
  'audio',
];

/**
 * Video files as a row per frame, decoded by ffmpeg processes (Ray Data's `read_videos`): every
 * frame, or those of one sampling option (`fps`, `everyNth`, `keyframesOnly`, `sceneThreshold`),
 * scaled to `size`, as JPEG (default), PNG or raw pixels, rotation applied (a portrait phone
 * clip comes out portrait). Frames stream through a pipe and out in blocks of bounded bytes.
 * Long files are cut into parts decoded in parallel; each process holds `threads` CPU slots,
 * shared with the job's task and actor pools. A file ffmpeg cannot decode fails the job with a
 * FileReadError carrying the tail of ffmpeg's stderr, or is logged and skipped under
 * `onError: 'skip'`. `timeoutMs` (default 60 s) is the longest a decode may go without output
 * before it is killed. Directories and globs yield the VIDEO_EXTENSIONS files.
 */
export function readVideos<const O extends ReadVideosOptions = ReadVideosOptions>(paths: Paths, options?: O): Dataset<VideoRowOf<O>> {
  const given: ReadVideosOptions = options ?? {};
  // The sampling options are read from `given` by sampling(); the rest are the reading options.
  const { size, format, quality, start, end, secondsPerTask, threads, audio, ...rest } = given;
  const read = Object.fromEntries(
    Object.entries(rest).filter(([k]) => !(SAMPLING_OPTIONS as readonly string[]).includes(k)),
  ) as ReadOptions;
  const args: FrameArgs = {
    sampling: sampling(given),
    size: frameSize(size),
    format: oneOf('format', format ?? 'jpeg', ['jpeg', 'png', 'rgb', 'gray']),
    jpegQ: jpegQuantiser(quality),
    start: seconds('start', start),
    end: seconds('end', end),
    secondsPerTask: positiveNumber('secondsPerTask', secondsPerTask ?? DEFAULT_SECONDS_PER_TASK),
    audio: audio === undefined ? null : audioArgs(audio === true ? {} : checkedAudio(audio), 'audio.'),
    threads: positiveInteger('threads', threads ?? 1),
    planTimeoutMs: Math.min(PLAN_TIMEOUT_MS, read.timeoutMs ?? DEFAULT_TIMEOUT_MS),
  };
  if (args.start !== null && args.end !== null && args.end <= args.start)
    throw new InvalidOptionError('end', end, `seconds after start (${args.start})`);
  return readFormat<VideoRowOf<O>>(
    {
      operator: 'ReadVideos',
      moduleUrl: new URL('./frames/video-format.js', import.meta.url).href,
      exportName: 'videoFormat',
      args: { ...args },
      streaming: { cpus: args.threads },
    },
    paths,
    { ...read, fileExtensions: read.fileExtensions ?? VIDEO_EXTENSIONS, timeoutMs: read.timeoutMs ?? DEFAULT_TIMEOUT_MS },
    OWN_OPTIONS,
  );
}

const SAMPLING_OPTIONS = ['fps', 'everyNth', 'keyframesOnly', 'sceneThreshold'] as const;

function sampling(options: ReadVideosOptions): Sampling {
  const given = SAMPLING_OPTIONS.filter((k) => options[k] !== undefined && options[k] !== false);
  if (given.length > 1)
    throw new InvalidOptionError(given[1], options[given[1]], `one sampling option at a time (${given.join(' and ')} were given)`);
  if (options.fps !== undefined) return { kind: 'fps', fps: positiveNumber('fps', options.fps, 1000) };
  if (options.everyNth !== undefined) return { kind: 'everyNth', n: positiveInteger('everyNth', options.everyNth) };
  if (options.keyframesOnly !== undefined && typeof options.keyframesOnly !== 'boolean')
    throw new InvalidOptionError('keyframesOnly', options.keyframesOnly, 'true or false');
  if (options.keyframesOnly) return { kind: 'keyframes' };
  if (options.sceneThreshold !== undefined) {
    const t = options.sceneThreshold;
    if (typeof t !== 'number' || !(t > 0 && t < 1)) throw new InvalidOptionError('sceneThreshold', t, 'a score between 0 and 1, e.g. 0.3');
    return { kind: 'scene', threshold: t };
  }
  return { kind: 'all' };
}

function frameSize(size: unknown): FrameSize | null {
  if (size === undefined) return null;
  const fix = '{width}, {height} or {maxSide}: one whole number of pixels >= 2';
  if (typeof size !== 'object' || size === null) throw new InvalidOptionError('size', size, fix);
  const keys = Object.keys(size);
  const key = keys[0];
  const value = (size as Record<string, unknown>)[key];
  if (keys.length !== 1 || !['width', 'height', 'maxSide'].includes(key) || !(Number.isInteger(value) && (value as number) >= 2))
    throw new InvalidOptionError('size', size, fix);
  return { [key]: value } as FrameSize;
}

/** Quality 1–100 to ffmpeg's MJPEG quantiser, 31 (worst) to 2 (best). */
function jpegQuantiser(quality: unknown): number {
  const q = quality ?? DEFAULT_QUALITY;
  if (!(Number.isInteger(q) && (q as number) >= 1 && (q as number) <= 100))
    throw new InvalidOptionError('quality', quality, 'a whole number 1 to 100');
  return Math.round(31 - (((q as number) - 1) * 29) / 99);
}

function checkedAudio(audio: unknown): AudioOptions {
  if (typeof audio !== 'object' || audio === null)
    throw new InvalidOptionError('audio', audio, `true, or an object of ${AUDIO_OPTIONS.join(', ')}`);
  const unknown = Object.keys(audio).filter((k) => !(AUDIO_OPTIONS as readonly string[]).includes(k));
  if (unknown.length)
    throw new InvalidOptionError(
      `audio.${unknown[0]}`,
      (audio as Record<string, unknown>)[unknown[0]],
      `one of ${AUDIO_OPTIONS.join(', ')}`,
    );
  return audio;
}
