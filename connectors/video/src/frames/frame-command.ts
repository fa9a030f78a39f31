import type { AudioArgs } from '../audio/audio-args.js';
import { AUDIO_INFO_FILTER } from '../audio/ashowinfo.js';
import type { FrameArgs, FrameSize, Sampling } from './frame-args.js';
import type { VideoPart } from './video-part.js';

/** Seconds decoded past a part's end, so that frames shown before it but decoded after it (B-frames) are not lost. */
const READ_PAST_END_S = 1;

/** showinfo instances: `window` sees every frame of the part (for frame indexes), `out` each frame written. */
export const WINDOW_INSTANCE = 'window';
export const OUT_INSTANCE = 'out';

/**
 * ffmpeg's arguments to decode one part of a video into frames on pipe:1, and, with `audio`,
 * its audio as float samples on pipe:3 from the same decode. Timestamps are kept as the file
 * has them (`-copyts`, frames passed through as decoded), so that showinfo's are the file's own.
 */
export function frameCommand(path: string, part: VideoPart, args: FrameArgs, timing: readonly string[], audio: AudioArgs | null): string[] {
  const from = maxOf(part.from, args.start);
  const until = minOf(part.until, args.end);
  // A part seeks to its keyframe; a `start` alone seeks to the keyframe before it (frames before it are then dropped).
  const seekTo = part.seekTo ?? (args.start !== null && args.start > 0 ? args.start : null);
  const threads = String(args.threads);
  const input = [
    '-nostats',
    '-threads',
    threads,
    ...(args.sampling.kind === 'keyframes' ? ['-skip_frame', 'nokey'] : []),
    '-copyts',
    // Seeks count from the file's start; the window select (on the file's own times) keeps the part's frames exactly.
    ...(seekTo !== null ? ['-noaccurate_seek', '-ss', seconds(Math.max(0, seekTo - part.fileStart))] : []),
    // Reading is timed from where the seek landed (at the earliest, the part's seek floor).
    ...(until !== null ? ['-t', seconds(until + READ_PAST_END_S - (part.seekFloor ?? seekTo ?? part.fileStart))] : []),
    '-i',
    path,
  ];
  const video = [
    '-map',
    '0:v:0',
    '-filter_threads',
    threads,
    '-vf',
    filterChain(from, until, part, args),
    ...timing,
    '-threads',
    threads,
    ...encoder(args),
    'pipe:1',
  ];
  return [...input, ...video, ...(audio ? audioOutput(audio, 'pipe:3') : [])];
}

/** The audio output: the first audio stream, resampled to float samples (f32le, interleaved). */
export function audioOutput(audio: AudioArgs, target: string): string[] {
  return [
    '-map',
    '0:a:0',
    '-af',
    AUDIO_INFO_FILTER,
    '-ac',
    String(audio.channels),
    '-ar',
    String(audio.sampleRate),
    '-f',
    'f32le',
    '-c:a',
    'pcm_f32le',
    target,
  ];
}

function filterChain(from: number | null, until: number | null, part: VideoPart, args: FrameArgs): string {
  const filters: string[] = [];
  const window = [from !== null ? `gte(t,${seconds(from)})` : null, until !== null ? `lt(t,${seconds(until)})` : null].filter(Boolean);
  if (window.length) filters.push(`select@window='${window.join('*')}'`);
  // Decoders that honour -skip_frame (h264) give keyframes only; others (vp9) give every frame, which this drops.
  if (args.sampling.kind === 'keyframes') filters.push(`select@keyframes='key'`);
  const sample = sampleFilter(args.sampling, part);
  // Frame indexes are counted before sampling drops frames; without sampling the output's own count is the index.
  if (sample !== null) filters.push(`showinfo@${WINDOW_INSTANCE}=checksum=0`, sample);
  if (args.size !== null) filters.push(scaleFilter(args.size));
  filters.push(`format=${PIXEL_FORMATS[args.format]}`, `showinfo@${OUT_INSTANCE}=checksum=0`);
  return filters.join(',');
}

function sampleFilter(sampling: Sampling, part: VideoPart): string | null {
  switch (sampling.kind) {
    case 'all':
    case 'keyframes':
      return null;
    case 'fps': {
      // The first frame in each 1/fps-second bucket of the file's time: the same frames whichever part decodes them.
      const n = sampling.fps;
      const before = part.prevTime === null ? '-1e18' : seconds(part.prevTime);
      return `select@sample='gt(floor(t*${n}),floor(if(isnan(prev_t),${before},prev_t)*${n}))'`;
    }
    case 'everyNth':
      return `select@sample='not(mod(n+${part.firstIndex},${sampling.n}))'`;
    case 'scene':
      // The first frame has no scene score: it opens the first scene.
      return `select@sample='eq(n,0)+gt(scene,${sampling.threshold})'`;
  }
}

function scaleFilter(size: FrameSize): string {
  // -2 keeps the aspect ratio with an even side (JPEG's 4:2:0 chroma needs it).
  if ('width' in size) return `scale=${size.width}:-2`;
  if ('height' in size) return `scale=-2:${size.height}`;
  const m = size.maxSide;
  return `scale='if(gte(iw,ih),min(${m},iw),-2)':'if(gte(iw,ih),-2,min(${m},ih))'`;
}

const PIXEL_FORMATS = { jpeg: 'yuvj420p', png: 'rgb24', rgb: 'rgb24', gray: 'gray' } as const;

function encoder(args: FrameArgs): string[] {
  switch (args.format) {
    case 'jpeg':
      return ['-c:v', 'mjpeg', '-q:v', String(args.jpegQ), '-f', 'image2pipe'];
    case 'png':
      return ['-c:v', 'png', '-f', 'image2pipe'];
    case 'rgb':
    case 'gray':
      return ['-c:v', 'rawvideo', '-f', 'rawvideo'];
  }
}

/** Seconds as ffmpeg reads them, to the microsecond. */
function seconds(value: number): string {
  return value.toFixed(6);
}

function maxOf(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.max(a, b);
}

function minOf(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.min(a, b);
}
