import type { Block } from '../../../blocks/block.js';
import type { FilePart } from '../fragment.js';
import type { ReadTask } from './format-reader.js';
import type { PlanContext } from './plan-context.js';

/**
 * A file format added from outside the core (a connector's `readPdfs`), exported from a
 * module so that workers can import it. `plan` runs on the main thread as files are listed
 * and splits a file into parts, each read by one task (a large PDF into page ranges, so that
 * no task holds all of its text); `read` runs on a worker for one part.
 */
export interface FileFormatModule<Args extends object = Readonly<Record<string, unknown>>> {
  /** The parts of a file (plain data, given back to `read` as the fragment's `part`); default or `[]`: the whole file in one task. */
  plan?(path: string, args: Args, context: PlanContext): Promise<readonly FilePart[]>;
  read(task: ReadTask, args: Args): Promise<Block>;
}
