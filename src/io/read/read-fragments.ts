import { Field, makeData, RecordBatch, Schema, Struct, Table, Utf8 } from 'apache-arrow';
import type { Block } from '../../blocks/block.js';
import { buildColumn } from '../../blocks/build-column.js';
import { concatBlocks } from '../../blocks/concat.js';
import { FileReadError, type InputLocation } from '../../errors.js';
import type { SkippedInput } from '../../tasks/run-chain.js';
import type { FileFormat } from './read-spec.js';
import type { ReadTransform } from '../../tasks/transform.js';
import type { FormatReader, ReadTask } from './formats/format-reader.js';
import { fileError, messageOf, SKIP_FILES_HINT, SKIP_RECORDS_HINT, TIMEOUT_HINT, timeoutProblem } from './read-errors.js';
import { fragmentsOfBlock, type Fragment } from './list-fragments.js';
import { loadFormatModule } from './formats/load-format-module.js';
import { raceTimeout } from '../../tasks/race-timeout.js';

/**
 * The read step of a task: reads every fragment its input block describes, adds the `path`
 * column when asked, and applies the projection. Under `onError: 'skip'` a bad record, or a
 * file that cannot be read, is added to `skipped` (then to the error log) and reading goes on.
 */
export async function readFragments(input: Block, read: ReadTransform, taskIndex: number, skipped: SkippedInput[]): Promise<Block> {
  const reader = await loadReader(read.format);
  const skip = (input: InputLocation, message: string) => skipped.push({ operator: read.name, input, message, rows: 1 });
  // A task's fragments are read at once (one each, but for formats that ask for more per task).
  const readOne = async (fragment: Fragment): Promise<Block | null> => {
    const where: InputLocation = { taskIndex, path: fragment.path, ...(fragment.kind === 'rowGroup' ? { rowGroup: fragment.rowGroup } : {}) };
    const deadline = new AbortController();
    const task: ReadTask = {
      fragment,
      read,
      signal: deadline.signal,
      fileColumns: read.columns?.filter((c) => !(c === 'path' && addsPath(read))),
      badRecord(at, problem, cause) {
        if (read.onError === 'fail') throw fileError(read.name, { ...where, ...at }, problem, SKIP_RECORDS_HINT, cause);
        skip({ ...where, ...at }, problem);
      },
    };
    try {
      const reading = reader(task);
      const block = await raceTimeout(reading, read.timeoutMs ?? Infinity);
      if (block === 'timeout') {
        // Given up on: the reader is told to stop; what it settles with later is of no interest.
        deadline.abort();
        reading.catch(() => undefined);
        throw fileError(read.name, where, timeoutProblem(read.timeoutMs!, false), TIMEOUT_HINT);
      }
      return project(withPath(block, fragment, read), read, fragment);
    } catch (error) {
      const failure = error instanceof FileReadError ? error : fileError(read.name, where, `cannot read the file (${messageOf(error)})`, SKIP_FILES_HINT, error);
      if (read.onError === 'fail') throw failure;
      skip(failure.input, messageOf(failure.cause));
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
function addsPath(read: ReadTransform): boolean {
  return read.options.includePaths && read.format !== 'binary';
}

function withPath(block: Block, fragment: Fragment, read: ReadTransform): Block {
  if (!addsPath(read) || block.numRows === 0) return block;
  const type = new Utf8();
  const field = new Field('path', type, false);
  const schema = new Schema([...block.schema.fields, field]);
  const batches = block.batches.map((batch) => {
    const path = buildColumn(new Array<string>(batch.numRows).fill(fragment.path), type);
    const data = makeData({ type: new Struct(schema.fields), length: batch.numRows, children: [...batch.data.children, path], nullCount: 0 });
    return new RecordBatch(schema, data);
  });
  return new Table(schema, batches);
}

/** The columns asked for, in the order asked; a reader that projected already leaves nothing to do but the order. */
function project(block: Block, read: ReadTransform, fragment: Fragment): Block {
  if (read.columns === undefined || block.numRows === 0) return block;
  const names = block.schema.fields.map((f) => f.name);
  const missing = read.columns.filter((c) => !names.includes(c));
  if (missing.length) {
    throw fileError(read.name, { path: fragment.path }, `no column ${missing.map((c) => `'${c}'`).join(', ')}; the columns are ${names.join(', ')}`, 'ask for columns the file has');
  }
  return block.select([...read.columns]);
}
