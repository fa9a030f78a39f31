import { Field, makeData, RecordBatch, Schema, Struct, Table, Utf8 } from 'apache-arrow';
import type { Block } from '../../blocks/block.js';
import { buildColumn } from '../../blocks/build-column.js';
import { columnValues } from '../../blocks/read-values.js';
import { causeMessage, fileError, FileReadError, missingColumnsProblem, type InputLocation } from '../../errors.js';
import type { BlockTask } from '../../tasks/block-task.js';
import type { ReadTask } from './formats/format-reader.js';
import type { Fragment } from './fragment.js';
import { SKIP_FILES_HINT, SKIP_RECORDS_HINT } from './read-errors.js';
import type { ReadSpec } from './read-spec.js';

/**
 * What reading one fragment needs, whether a worker reads it whole (read-fragments.ts) or the
 * main thread streams it (stream-fragments.ts): the ReadTask a format gets, where its
 * failures are located, how a failure is reported (thrown, or skipped under `onError: 'skip'`)
 * and how its blocks are shaped (the `path` column, the projection).
 */
export class FragmentRead {
  readonly where: InputLocation;
  readonly task: ReadTask;

  constructor(
    readonly fragment: Fragment,
    private readonly read: ReadSpec,
    private readonly block: BlockTask<ReadSpec>,
    signal: AbortSignal,
  ) {
    this.where = {
      taskIndex: block.taskIndex,
      path: fragment.path,
      ...(fragment.kind === 'rowGroup' ? { rowGroup: fragment.rowGroup } : {}),
    };
    const where = this.where;
    this.task = {
      fragment,
      read,
      signal,
      fileColumns: read.columns?.filter((c) => !(c === 'path' && addsPath(read))),
      badRecord: (at, problem, cause) => {
        if (read.onError === 'fail') throw fileError(read.name, { ...where, ...at }, problem, SKIP_RECORDS_HINT, cause);
        block.skip({ ...where, ...at }, problem, 1, cause);
      },
    };
  }

  /** The fragment's block as the read step gives it: with the `path` column when asked, projected. */
  shape(block: Block): Block {
    return project(withPath(block, this.fragment, this.read), this.read, this.fragment);
  }

  /** A failure of the fragment: thrown as a FileReadError naming the file under 'fail', logged under 'skip'. */
  failed(error: unknown): void {
    const failure =
      error instanceof FileReadError
        ? error
        : fileError(this.read.name, this.where, `cannot read the file (${causeMessage(error)})`, SKIP_FILES_HINT, error);
    if (this.read.onError === 'fail') throw failure;
    this.block.skip(failure.input, causeMessage(failure.cause), 1, failure);
  }
}

/** The fragments a block of fragment descriptors holds (the rows of list-fragments.ts). */
export function fragmentsOfBlock(block: Block): Fragment[] {
  const column = block.getChild('fragment');
  if (column === null || !(column.type instanceof Utf8)) throw new Error('internal: a read step got a block without fragments');
  return columnValues(column).map((text) => JSON.parse(text as string) as Fragment);
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
