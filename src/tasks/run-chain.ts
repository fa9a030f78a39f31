import { Field, RecordBatch, Schema, Table } from 'apache-arrow';
import { blockFromRows, type Block, type Row } from '../blocks/block.js';
import { batchResultToBlock, blockToBatch } from '../blocks/batch-format.js';
import { batchLocation } from '../blocks/batch-location.js';
import { castColumns, declaredTypes } from '../blocks/column-types.js';
import { concatBlocks } from '../blocks/concat.js';
import { keysInOrder } from '../blocks/infer-type.js';
import { rowsOfBlock } from '../blocks/read-values.js';
import { preview } from '../blocks/row-preview.js';
import { sliceIntoBatches } from '../blocks/slice.js';
import { CancelledError, causeMessage, missingColumnsProblem, SchemaError, UdfError, type InputLocation } from '../errors.js';
import type { BlockTask } from './block-task.js';
import { thrownError, type SkippedInput, type TaskOutcome } from './task-outcome.js';
import type { BlocksTransform, FnRef, Transform } from './transform.js';

type Udf = (...args: unknown[]) => unknown;

/** Async calls of a row function in flight at once, unless the operator's `concurrency` says otherwise. */
export const DEFAULT_ROW_CONCURRENCY = 16;

export interface ChainContext {
  readonly taskIndex: number;
  /** Most calls of an async row function in flight at once. */
  readonly concurrency: number;
  resolve(ref: FnRef): Udf | Promise<Udf>;
  /**
   * Aborted when the job stops: a chain on the main thread then stops at its next await, not
   * after its last batch. (A worker's task is ended with its thread instead.)
   */
  readonly signal?: AbortSignal;
}

/**
 * Runs a fused chain of transforms over one bundle. Rows are decoded from Arrow once for a
 * run of row-level steps and encoded once at the end, not at every step.
 */
export async function runChain(input: Block, transforms: readonly Transform[], ctx: ChainContext): Promise<TaskOutcome> {
  let block: Block | null = input;
  let rows: Row[] | null = null;
  const skipped: SkippedInput[] = [];
  let udfMs = 0;
  // The step whose rows are still to be encoded: a row it produced that Arrow cannot store is its error.
  let rowProducer: string | null = null;
  const asRows = (): Row[] => {
    if (rows === null) {
      rows = rowsOfBlock(block!);
      block = null;
    }
    return rows;
  };
  const asBlock = (): Block => {
    if (block === null) {
      try {
        block = blockFromRows(rows!);
      } catch (error) {
        throw error instanceof SchemaError && rowProducer !== null ? new UdfError(rowProducer, { taskIndex: ctx.taskIndex }, error) : error;
      }
      rows = null;
    }
    return block;
  };

  for (const t of transforms) {
    const started = performance.now();
    switch (t.op) {
      case 'map':
      case 'flatMap':
      case 'filter':
      case 'addColumn': {
        const fn = await ctx.resolve(t.fn);
        const source = asRows();
        const results = await applyPerRow(source, fn, t, ctx, skipped);
        rows = collectRows(source, results, t);
        rowProducer = t.name;
        break;
      }
      case 'mapBatches': {
        const fn = await ctx.resolve(t.fn);
        block = await applyPerBatch(asBlock(), fn, t, ctx, skipped);
        break;
      }
      case 'blocks':
        block = await applyToBlock(asBlock(), await ctx.resolve(t.fn), t, ctx, skipped);
        break;
      case 'selectColumns':
      case 'dropColumns':
      case 'renameColumns':
        if (rows !== null) rows = projectRows(rows, t);
        else block = projectBlock(block, t);
        break;
      case 'castColumns':
        block = castColumns(asBlock(), declaredTypes(t.types), t.name);
        break;
    }
    if ('fn' in t) udfMs += performance.now() - started;
  }
  return { block: asBlock(), skipped, udfMs };
}

const SKIP = Symbol('skip');

/** A 'blocks' step: its function gets the whole block and a BlockTask, and returns a block. */
async function applyToBlock(input: Block, fn: Udf, t: BlocksTransform, ctx: ChainContext, skipped: SkippedInput[]): Promise<Block> {
  const task: BlockTask = {
    taskIndex: ctx.taskIndex,
    args: t.args,
    skip: (input, message, rows = 1, error) =>
      skipped.push({ operator: t.name, input, message, rows, ...(error === undefined ? {} : { error: thrownError(error) }) }),
  };
  try {
    return (await fn(input, task)) as Block;
  } catch (error) {
    // A step that located its failure (a read names the file and line) keeps it.
    throw error instanceof UdfError ? error : new UdfError(t.name, { taskIndex: ctx.taskIndex }, error);
  }
}

async function applyPerRow(
  rows: readonly Row[],
  fn: Udf,
  t: Extract<Transform, { op: 'map' | 'flatMap' | 'filter' | 'addColumn' }>,
  ctx: ChainContext,
  skipped: SkippedInput[],
): Promise<unknown[]> {
  const results = new Array<unknown>(rows.length);
  const pending = new Set<Promise<void>>();
  let firstError = undefined as UdfError | undefined;
  const fail = (i: number, error: unknown) => {
    const input = locate(rows[i], i, ctx.taskIndex);
    if (t.onError === 'skip') {
      results[i] = SKIP;
      skipped.push({ operator: t.name, input, message: causeMessage(error), rows: 1, error: thrownError(error) });
    } else if (firstError === undefined) {
      firstError = new UdfError(t.name, input, error);
    }
  };
  for (let i = 0; i < rows.length && firstError === undefined; i++) {
    let result: unknown;
    try {
      result = fn(rows[i]);
    } catch (error) {
      fail(i, error);
      continue;
    }
    if (isThenable(result)) {
      const index = i;
      const settled: Promise<void> = Promise.resolve(result).then(
        (value) => void (results[index] = value),
        (error: unknown) => fail(index, error),
      );
      const tracked = settled.finally(() => pending.delete(tracked));
      pending.add(tracked);
      if (pending.size >= ctx.concurrency) {
        await Promise.race(pending);
        if (ctx.signal?.aborted) throw new CancelledError();
      }
    } else {
      results[i] = result;
    }
  }
  await Promise.all(pending);
  if (firstError !== undefined) throw firstError;
  return results;
}

function collectRows(
  source: readonly Row[],
  results: readonly unknown[],
  t: Extract<Transform, { op: 'map' | 'flatMap' | 'filter' | 'addColumn' }>,
): Row[] {
  const out: Row[] = [];
  for (let i = 0; i < results.length; i++) {
    const result = results[i];
    if (result === SKIP) continue;
    switch (t.op) {
      case 'map':
        if (result === null || typeof result !== 'object' || Array.isArray(result)) {
          throw new UdfError(
            t.name,
            locate(source[i], i, undefined),
            new TypeError(`map must return an object (a row); it returned ${describe(result)}`),
          );
        }
        out.push(result as Row);
        break;
      case 'filter':
        // A truthy non-boolean (a count, a string) is most often a slip that would keep rows silently.
        if (typeof result !== 'boolean') {
          throw new UdfError(
            t.name,
            locate(source[i], i, undefined),
            new TypeError(`filter must return true or false; it returned ${describe(result)}`),
          );
        }
        if (result) out.push(source[i]);
        break;
      case 'flatMap':
        if (result === null || typeof result !== 'object' || !(Symbol.iterator in result)) {
          throw new UdfError(
            t.name,
            locate(source[i], i, undefined),
            new TypeError(`flatMap must return an array of rows; it returned ${describe(result)}`),
          );
        }
        for (const row of result as Iterable<Row>) out.push(row);
        break;
      case 'addColumn':
        out.push({ ...source[i], [t.column]: result });
        break;
    }
  }
  return out;
}

async function applyPerBatch(
  block: Block,
  fn: Udf,
  t: Extract<Transform, { op: 'mapBatches' }>,
  ctx: ChainContext,
  skipped: SkippedInput[],
): Promise<Block> {
  const outputs: Block[] = [];
  let offset = 0;
  for (const batch of sliceIntoBatches(block, t.batchSize)) {
    const input = batchLocation(batch, ctx.taskIndex, offset);
    offset += batch.numRows;
    try {
      outputs.push(batchResultToBlock(await fn(blockToBatch(batch, t.batchFormat)), t.name));
      if (ctx.signal?.aborted) throw new CancelledError();
    } catch (error) {
      if (error instanceof CancelledError) throw error;
      if (t.onError !== 'skip') throw new UdfError(t.name, input, error);
      skipped.push({ operator: t.name, input, message: causeMessage(error), rows: batch.numRows, error: thrownError(error) });
    }
  }
  return concatBlocks(outputs);
}

type ColumnTransform = Extract<Transform, { op: 'selectColumns' | 'dropColumns' | 'renameColumns' }>;

/** Projects decoded rows. A column that no row has is an error here too, as it is for a block. */
function projectRows(rows: readonly Row[], t: ColumnTransform): Row[] {
  if (rows.length > 0) requireColumns(t.name, columnsNamed(t), keysInOrder(rows));
  return rows.map((row) => projectRow(row, t));
}

function columnsNamed(t: ColumnTransform): readonly string[] {
  return t.op === 'renameColumns' ? Object.keys(t.mapping) : t.columns;
}

/**
 * Throws a SchemaError, led by the operator's name, for each of `wanted` not among `names`: a
 * misspelled column would otherwise read as nulls and give a wrong answer instead of an error.
 */
export function requireColumns(operator: string, wanted: readonly string[], names: readonly string[]): void {
  const missing = [...new Set(wanted)].filter((c) => !names.includes(c));
  if (missing.length) throw new SchemaError(`${operator}: ${missingColumnsProblem(missing, names)}`);
}

function projectRow(row: Row, t: ColumnTransform): Row {
  const out: Row = {};
  if (t.op === 'renameColumns') {
    for (const [k, v] of Object.entries(row)) out[t.mapping[k] ?? k] = v;
  } else if (t.op === 'selectColumns') {
    for (const c of t.columns) out[c] = row[c];
  } else {
    for (const [k, v] of Object.entries(row)) if (!t.columns.includes(k)) out[k] = v;
  }
  return out;
}

function projectBlock(block: Block, t: ColumnTransform): Block {
  const names = block.schema.fields.map((f) => f.name);
  // A block without rows may have no columns at all (a step's empty output): as for rows, there is nothing to check.
  if (block.numRows > 0) requireColumns(t.name, columnsNamed(t), names);
  if (t.op === 'selectColumns') return block.select(t.columns.filter((c) => names.includes(c)));
  if (t.op === 'dropColumns') return block.select(names.filter((n) => !t.columns.includes(n)));
  const { mapping } = t as Extract<Transform, { op: 'renameColumns' }>;
  const schema = new Schema(block.schema.fields.map((f) => new Field(mapping[f.name] ?? f.name, f.type, f.nullable)));
  return new Table(
    schema,
    block.batches.map((b) => new RecordBatch(schema, b.data)),
  );
}

function locate(row: Row, rowIndex: number, taskIndex: number | undefined): InputLocation {
  return { taskIndex, rowIndex, preview: preview(row), ...(typeof row?.path === 'string' ? { path: row.path } : {}) };
}

function describe(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
