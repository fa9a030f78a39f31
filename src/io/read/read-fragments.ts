import { Field, makeData, RecordBatch, Schema, Struct, Table, Utf8 } from 'apache-arrow';
import type { Block } from '../../blocks/block.js';
import { buildColumn } from '../../blocks/build-column.js';
import { concatBlocks } from '../../blocks/concat.js';
import { columnValues } from '../../blocks/read-values.js';
import {
  causeMessage,
  fileError,
  FileReadError,
  missingColumnsProblem,
  TIMEOUT_HINT,
  timeoutProblem,
  type InputLocation,
} from '../../errors.js';
import type { BlockTask } from '../../tasks/block-task.js';
import { raceTimeout } from '../../tasks/race-timeout.js';
import type { FormatReader, ReadTask } from './formats/format-reader.js';
import { loadFormatModule } from './formats/load-format-module.js';
import type { Fragment } from './fragment.js';
import { SKIP_FILES_HINT, SKIP_RECORDS_HINT } from './read-errors.js';
import type { FileFormat, ReadSpec } from './read-spec.js';

/**
 * The read step of a task, run on a worker as the function of a 'blocks' step (the planner
 * names it, see plan/plan-read.ts): reads every fragment its input block describes, adds the
 * `path` column when asked, and applies the projection. Under `onError: 'skip'` a bad record,
 * or a file that cannot be read, is skipped (to the error log) and reading goes on.
 */
export async function readFragments(input: Block, task: BlockTask<ReadSpec>): Promise<Block> {
  const { args: read, taskIndex } = task;
  const reader = await loadReader(read.format);
  const skip = (input: InputLocation, message: string, error?: unknown) => task.skip(input, message, 1, error);
  // A task's fragments are read at once (one each, but for formats that ask for more per task).
  const readOne = async (fragment: Fragment): Promise<Block | null> => {
    const where: InputLocation = {
      taskIndex,
      path: fragment.path,
      ...(fragment.kind === 'rowGroup' ? { rowGroup: fragment.rowGroup } : {}),
    };
    const deadline = new AbortController();
    const readTask: ReadTask = {
      fragment,
      read,
      signal: deadline.signal,
      fileColumns: read.columns?.filter((c) => !(c === 'path' && addsPath(read))),
      badRecord(at, problem, cause) {
        if (read.onError === 'fail') throw fileError(read.name, { ...where, ...at }, problem, SKIP_RECORDS_HINT, cause);
        skip({ ...where, ...at }, problem, cause);
      },
    };
    try {
      const reading = reader(readTask);
      const block = await raceTimeout(reading, read.timeoutMs ?? Infinity);
      if (block === 'timeout') {
        // Given up on: the reader is told to stop; what it settles with later is of no interest.
        deadline.abort();
        reading.catch(() => undefined);
        throw fileError(read.name, where, timeoutProblem(read.timeoutMs!, false), TIMEOUT_HINT);
      }
      return project(withPath(block, fragment, read), read, fragment);
    } catch (error) {
      const failure =
        error instanceof FileReadError
          ? error
          : fileError(read.name, where, `cannot read the file (${causeMessage(error)})`, SKIP_FILES_HINT, error);
      if (read.onError === 'fail') throw failure;
      skip(failure.input, causeMessage(failure.cause), failure);
      return null;
    }
  };
  const blocks = await Promise.all(fragmentsOfBlock(input).map(readOne));
  return concatBlocks(blocks.filter((block) => block !== null));
}

/** Readers are loaded on first use, so a job that reads JSON never loads parquet-wasm or csv-parse. */
async function loadReader(format: FileFormat): Promise<FormatReader> {
  if (typeof format !== 'string') {
    const module = await loadFormatModule(format);
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

/** Binary rows carry their path already. */
function addsPath(read: ReadSpec): boolean {
  return read.options.includePaths && read.format !== 'binary';
}

function withPath(block: Block, fragment: Fragment, read: ReadSpec): Block {
  if (!addsPath(read) || block.numRows === 0) return block;
  const type = new Utf8();
  const field = new Field('path', type, false);
  const schema = new Schema([...block.schema.fields, field]);
  const batches = block.batches.map((batch) => {
    const path = buildColumn(new Array<string>(batch.numRows).fill(fragment.path), type);
    const data = makeData({
      type: new Struct(schema.fields),
      length: batch.numRows,
      children: [...batch.data.children, path],
      nullCount: 0,
    });
    return new RecordBatch(schema, data);
  });
  return new Table(schema, batches);
}

/** The columns asked for, in the order asked; a reader that projected already leaves nothing to do but the order. */
function project(block: Block, read: ReadSpec, fragment: Fragment): Block {
  if (read.columns === undefined || block.numRows === 0) return block;
  const names = block.schema.fields.map((f) => f.name);
  const missing = read.columns.filter((c) => !names.includes(c));
  if (missing.length) {
    throw fileError(read.name, { path: fragment.path }, missingColumnsProblem(missing, names), 'ask for columns the file has');
  }
  return block.select([...read.columns]);
}

/** The fragments a block of fragment descriptors holds (the rows of list-fragments.ts). */
function fragmentsOfBlock(block: Block): Fragment[] {
  const column = block.getChild('fragment');
  if (column === null || !(column.type instanceof Utf8)) throw new Error('internal: a read step got a block without fragments');
  return columnValues(column).map((text) => JSON.parse(text as string) as Fragment);
}
