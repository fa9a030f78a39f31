import type { Block } from '../../../blocks/block.js';
import type { FilePart } from '../fragment.js';
import type { ReadTask } from './format-reader.js';
import type { PlanContext } from './plan-context.js';

/**
 * A file format whose work another process does (ffmpeg decoding a video): `stream` runs on
 * the main thread, drives that process, and yields blocks as they come, so that one part of
 * a file may give far more data than a block (every frame of an hour of video) in bounded
 * memory. The read step pulls the next block only once the previous one is downstream, so a
 * slow consumer pauses the stream (and, through its pipe, the process); each part being
 * streamed holds the CPU slots its format declares (ModuleFormat.streaming). `plan` splits a
 * file into parts as FileFormatModule's does (time ranges of a long video).
 *
 * The module owns what it starts: it stops its process when `task.signal` aborts (the job
 * failed or its consumer wants no more) or when the iteration is returned early, and it
 * applies `task.read.timeoutMs` itself (only it can tell a hang from a pause downstream).
 */
export interface StreamingFormatModule<Args extends object = Readonly<Record<string, unknown>>> {
  plan?(path: string, args: Args, context: PlanContext): Promise<readonly FilePart[]>;
  stream(task: ReadTask, args: Args): AsyncIterable<Block>;
}
