import { fragmentBlocks, READ_FRAGMENTS, STREAM_FRAGMENTS, type FilesSpec, type ReadSpec } from '../io/read/index.js';
import type { BlocksTransform } from '../tasks/transform.js';
import type { ReadTransform } from './logical.js';
import type { PhysicalSource } from './physical.js';

/**
 * A read becomes an ordinary map, as in Ray Data's planner (plan_read_op): the files source
 * becomes a stream of fragment rows `{path, fragment}` listed on the main thread, and the
 * read a 'blocks' step whose function, io's reader, turns each task's fragment rows into
 * data. The executor runs both as it runs any source and map, and imports no file code.
 */
export function planRead(read: ReadTransform): BlocksTransform {
  const spec: ReadSpec = {
    name: read.name,
    format: read.format,
    onError: read.onError,
    columns: read.columns,
    limit: read.limit,
    timeoutMs: read.timeoutMs,
    fragmentsPerTask: read.fragmentsPerTask,
    interleaveFragments: read.interleaveFragments,
    options: read.options,
  };
  // A streaming format's parts stream on the main thread, one per task, each holding its CPU slots.
  const streaming = typeof read.format === 'string' ? undefined : read.format.streaming;
  return {
    op: 'blocks',
    name: read.name,
    fn: streaming ? STREAM_FRAGMENTS : READ_FRAGMENTS,
    args: spec,
    onError: read.onError,
    // One fragment row per block: a task reads `fragmentsPerTask` of them.
    maxRows: read.fragmentsPerTask,
    maxBytes: Infinity,
    timeoutMsPerRow: read.timeoutMs,
    inputs: 'files',
    ...(streaming ? { streams: { cpus: streaming.cpus } } : {}),
  };
}

/** The physical source of a files source: its fragment rows, listed and planned as the read pulls them. */
export function planFilesSource(spec: FilesSpec): PhysicalSource {
  return { kind: 'stream', open: () => fragmentBlocks(spec) };
}
