import type { Table } from 'apache-arrow';
import type { FilePart, ReadTask, StreamingFormatModule } from 'sluice';
import { batchItems } from '../block-batches.js';
import { decodedBytes, decodeVideo, type Decoded } from './decode-video.js';
import type { FrameArgs } from './frame-args.js';
import { planParts } from './plan-parts.js';
import { audioBlock, frameBlock } from './video-blocks.js';
import { WHOLE_FILE, type VideoPart } from './video-part.js';

/** Bytes of frames per block: a raw 1080p frame is a block of its own (no copy), 720p ones go two to a block, JPEGs about a hundred. */
export const BLOCK_BYTES = 8 * 1024 * 1024;
const BLOCK_ROWS = 1024;
/** A block is sent once its first row has waited this long, so that sparse sampling still streams. */
const BLOCK_WAIT_MS = 100;

/** readVideos' format: parts planned on the main thread, each decoded by one ffmpeg process whose frames stream out. */
export const videoFormat: StreamingFormatModule<FrameArgs> = {
  plan(path, args): Promise<readonly FilePart[]> {
    return planParts(path, args);
  },

  async *stream(task: ReadTask, args: FrameArgs): AsyncGenerator<Table> {
    const { fragment } = task;
    const part = fragment.kind === 'part' ? (fragment.part as VideoPart) : WHOLE_FILE;
    const mixed = args.audio !== null;
    // A file without audio gives its frames (with the mixed columns) and no segments.
    const audio = part.hasAudio === false ? null : args.audio;
    const decoded = decodeVideo(fragment.path, part, args, audio, { signal: task.signal, timeoutMs: task.read.timeoutMs });
    let left = task.read.limit ?? Infinity;
    const batches = batchItems(decoded, {
      maxBytes: BLOCK_BYTES,
      maxItems: BLOCK_ROWS,
      maxWaitMs: BLOCK_WAIT_MS,
      bytesOf: decodedBytes,
      keyOf: (item: Decoded) => item.kind,
    });
    for await (const { items } of batches) {
      const frames = items.flatMap((item) => (item.kind === 'frame' ? [item.frame] : []));
      const segments = items.flatMap((item) => (item.kind === 'audio' ? [item.segment] : []));
      if (frames.length) yield frameBlock(fragment.path, frames.slice(0, left), args.format, mixed);
      if (segments.length && audio) yield audioBlock(fragment.path, segments, audio, mixed);
      left -= frames.length + segments.length;
      // A limit above the read needs no more rows from this part: returning stops its process.
      if (left <= 0) return;
    }
  },
};
