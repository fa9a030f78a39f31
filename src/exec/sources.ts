import { Field, Float64, Int32, type Table } from 'apache-arrow';
import { blockFromData, blockFromRows, type Block, type Row } from '../blocks/block.js';
import { buildColumn } from '../blocks/build-column.js';
import type { PhysicalSource } from '../plan/physical.js';
import { raceTimeout } from '../tasks/race-timeout.js';

/**
 * Rows per block when a source splits data it holds: about 200 blocks, 64 to 65,536 rows each.
 * A block becomes one task on the task pool, and a task costs a few ms beyond its UDF (Arrow
 * IPC both ways, dispatch), so where 200 blocks would be small, blocks grow up to 1,024 rows
 * (the default batch size) as long as each of the `cpus` CPU slots still gets 16 blocks.
 */
export function rowsPerBlock(total: number, cpus: number): number {
  const coarse = Math.min(1024, Math.ceil(total / (16 * cpus)));
  return Math.min(65_536, Math.max(64, Math.ceil(total / 200), coarse));
}

const ASYNC_FLUSH_MS = 100;

/** The blocks of a source, generated as they are pulled (nothing is read ahead); `cpus` is the job's CPU slots. */
export async function* sourceBlocks(source: PhysicalSource, cpus: number): AsyncGenerator<Block> {
  switch (source.kind) {
    case 'range':
      yield* rangeBlocks(source.n, cpus);
      return;
    case 'items': {
      const step = rowsPerBlock(source.items.length, cpus);
      for (let start = 0; start < source.items.length; start += step) yield blockFromRows(source.items.slice(start, start + step));
      return;
    }
    case 'arrow':
      yield* tableBlocks(source.table, cpus);
      return;
    case 'blocks':
      yield* source.blocks;
      return;
    case 'asyncIterable':
      yield* iterableBlocks(source.open());
      return;
    case 'stream':
      yield* source.open();
      return;
  }
}

function* rangeBlocks(n: number, cpus: number): Generator<Block> {
  const step = rowsPerBlock(n, cpus);
  const type = n <= 2 ** 31 ? new Int32() : new Float64();
  const field = new Field('id', type, false);
  for (let start = 0; start < n; start += step) {
    const length = Math.min(step, n - start);
    const ids = type instanceof Int32 ? new Int32Array(length) : new Float64Array(length);
    for (let i = 0; i < length; i++) ids[i] = start + i;
    yield blockFromData([field], [buildColumn(ids, type)], length);
  }
}

function* tableBlocks(table: Table, cpus: number): Generator<Block> {
  const step = rowsPerBlock(table.numRows, cpus);
  for (let start = 0; start < table.numRows; start += step) yield table.slice(start, Math.min(start + step, table.numRows));
}

/**
 * Groups rows of an iterable into blocks of up to 1,024 rows; a block is also flushed when
 * a slow iterable has held rows back for 100 ms, so that a trickle still streams.
 */
async function* iterableBlocks(iterable: AsyncIterable<Row> | Iterable<Row>): AsyncGenerator<Block> {
  const iterator = Symbol.asyncIterator in iterable ? iterable[Symbol.asyncIterator]() : toAsync(iterable[Symbol.iterator]());
  const limit = 1024;
  let rows: Row[] = [];
  let next = iterator.next();
  let since = performance.now();
  try {
    for (;;) {
      const waitMs = rows.length ? ASYNC_FLUSH_MS - (performance.now() - since) : Infinity;
      const result = await raceTimeout(next, waitMs);
      if (result === 'timeout') {
        yield blockFromRows(rows);
        rows = [];
        continue;
      }
      if (result.done) break;
      if (rows.length === 0) since = performance.now();
      rows.push(result.value);
      next = iterator.next();
      if (rows.length >= limit) {
        yield blockFromRows(rows);
        rows = [];
      }
    }
    if (rows.length) yield blockFromRows(rows);
  } finally {
    await iterator.return?.();
  }
}

function toAsync<T>(iterator: Iterator<T>): AsyncIterator<T> {
  return {
    next: () => Promise.resolve(iterator.next()),
    return: () => Promise.resolve(iterator.return?.() ?? { done: true, value: undefined }),
  };
}
