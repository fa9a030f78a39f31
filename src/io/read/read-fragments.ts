import { blockBytes, type Block } from '../../blocks/block.js';
import { coalesceBatches } from '../../blocks/coalesce.js';
import { concatBlocks } from '../../blocks/concat.js';
import { fileError, TIMEOUT_HINT, timeoutProblem } from '../../errors.js';
import type { BlockTask } from '../../tasks/block-task.js';
import { raceTimeout } from '../../tasks/race-timeout.js';
import type { FileFormatModule } from './formats/file-format-module.js';
import type { FormatReader } from './formats/format-reader.js';
import { loadFormatModule } from './formats/load-format-module.js';
import { FragmentRead, fragmentsOfBlock } from './fragment-read.js';
import type { Fragment } from './fragment.js';
import type { FileFormat, ReadSpec } from './read-spec.js';

/**
 * The read step of a task, run on a worker as the function of a 'blocks' step (the planner
 * names it, see plan/plan-read.ts): reads every fragment its input block describes, adds the
 * `path` column when asked, and applies the projection. Under `onError: 'skip'` a bad record,
 * or a file that cannot be read, is skipped (to the error log) and reading goes on.
 */
export async function readFragments(input: Block, task: BlockTask<ReadSpec>): Promise<Block> {
  const { args: read } = task;
  const reader = await loadReader(read.format);
  // A fragment's time limit runs from its own start, so one read after another waits for none.
  const readOne = async (fragment: Fragment): Promise<Block | null> => {
    const deadline = new AbortController();
    const one = new FragmentRead(fragment, read, task, deadline.signal);
    try {
      const reading = reader(one.task);
      const block = await raceTimeout(reading, read.timeoutMs ?? Infinity);
      if (block === 'timeout') {
        // Given up on: the reader is told to stop; what it settles with later is of no interest.
        deadline.abort();
        reading.catch(() => undefined);
        throw fileError(read.name, one.where, timeoutProblem(read.timeoutMs!, false), TIMEOUT_HINT);
      }
      return one.shape(block);
    } catch (error) {
      one.failed(error);
      return null;
    }
  };
  const fragments = fragmentsOfBlock(input);
  const blocks: (Block | null)[] = [];
  if (read.interleaveFragments) blocks.push(...(await Promise.all(fragments.map(readOne))));
  else for (const fragment of fragments) blocks.push(await readOne(fragment));
  const out = concatBlocks(blocks.filter((block) => block !== null));
  return blockBytes(out) <= COALESCE_MAX_BYTES ? coalesceBatches(out) : out;
}

/**
 * A task's fragments up to this many bytes in all go to the main thread as one batch (a PDF
 * task's three page ranges, ~0.4 MB of text); larger ones as they are, their batches' own
 * costs small beside their bytes, which coalescing would copy once more.
 */
const COALESCE_MAX_BYTES = 16 * 1024 * 1024;

/** Readers are loaded on first use, so a job that reads JSON never loads parquet-wasm or csv-parse. */
async function loadReader(format: FileFormat): Promise<FormatReader> {
  if (typeof format !== 'string') {
    const module = (await loadFormatModule(format)) as FileFormatModule;
    return (task) => module.read(task, format.args);
  }
  switch (format) {
    case 'parquet':
      return (await import('./formats/parquet-reader.js')).readParquetFragment;
    case 'json':
      return (await import('./formats/json-reader.js')).readJsonFragment;
    case 'csv':
      return (await import('./formats/csv-reader.js')).readCsvFragment;
    case 'text':
      return (await import('./formats/text-reader.js')).readTextFragment;
    case 'binary':
      return (await import('./formats/binary-reader.js')).readBinaryFragment;
  }
}
