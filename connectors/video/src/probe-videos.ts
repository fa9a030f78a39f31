import { readFormat, type Dataset, type Paths, type ReadOptions } from 'sluice';
import type { VideoProbeRow } from './probe/video-probe-row.js';
import { VIDEO_EXTENSIONS } from './video-extensions.js';

export type ProbeVideosOptions = Omit<ReadOptions, 'includePaths'>;

/** A probe that takes longer (a file on a stalled network mount, a hostile file) fails, or is skipped under onError 'skip'. */
const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * A row per video file with what ffprobe says of it: `{path, durationSeconds, container,
 * videoCodec, width, height, fps, rotation, frameCount, bitRate, audio}` (see VideoProbeRow).
 * Nothing is decoded: one `ffprobe` per file, files spread over the task pool. Directories and
 * globs yield VIDEO_EXTENSIONS unless `fileExtensions` says otherwise. A file ffprobe cannot read
 * fails the job with a FileReadError naming it and carrying ffprobe's message, or is logged to
 * errorLog and skipped under `onError: 'skip'`.
 */
export function probeVideos(paths: Paths, options: ProbeVideosOptions = {}): Dataset<VideoProbeRow> {
  return readFormat<VideoProbeRow>(
    {
      operator: 'ProbeVideos',
      moduleUrl: new URL('./probe/probe-format.js', import.meta.url).href,
      exportName: 'probeFormat',
      args: {},
    },
    paths,
    { ...options, fileExtensions: options.fileExtensions ?? VIDEO_EXTENSIONS, timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS },
  );
}
