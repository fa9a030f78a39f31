import { readFormat, type Dataset, type Paths, type ReadOptions } from 'sluice';
import { AUDIO_OPTIONS, audioArgs, type AudioOptions } from './audio/audio-options.js';
import { VIDEO_EXTENSIONS } from './video-extensions.js';

export interface ReadAudioOptions extends Omit<ReadOptions, 'includePaths'>, AudioOptions {}

/** A segment of `readAudio`: float samples, interleaved when there are several channels. */
export interface AudioSegmentRow {
  path: string;
  segmentIndex: number;
  /** The segment's time in the file (its first audio sample's presentation time, then by sample count). */
  startMs: number;
  endMs: number;
  sampleRate: number;
  channels: number;
  samples: Float32Array;
}

/** Audio and video files' extensions read from directories and globs. */
export const AUDIO_EXTENSIONS = ['wav', 'mp3', 'flac', 'ogg', 'opus', 'm4a', 'aac', 'wma', ...VIDEO_EXTENSIONS];

const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * Audio of video (or audio) files as rows of segments, the input speech models take: the first
 * audio stream decoded by ffmpeg to `sampleRate` and `channels`, cut into `segmentSeconds` with
 * `overlapSeconds` shared. A file with no audio stream gives no rows. `timeoutMs` (default 60 s)
 * is the longest ffmpeg may go without output before it is killed and the file fails.
 */
export function readAudio(paths: Paths, options: ReadAudioOptions = {}): Dataset<AudioSegmentRow> {
  const { sampleRate, channels, segmentSeconds, overlapSeconds, ...read } = options;
  const args = audioArgs({ sampleRate, channels, segmentSeconds, overlapSeconds });
  return readFormat<AudioSegmentRow>(
    {
      operator: 'ReadAudio',
      moduleUrl: new URL('./audio/audio-format.js', import.meta.url).href,
      exportName: 'audioFormat',
      args: { ...args },
      streaming: { cpus: 1 },
    },
    paths,
    { ...read, fileExtensions: read.fileExtensions ?? AUDIO_EXTENSIONS, timeoutMs: read.timeoutMs ?? DEFAULT_TIMEOUT_MS },
    AUDIO_OPTIONS,
  );
}
