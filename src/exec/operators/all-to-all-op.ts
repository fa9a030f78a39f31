import { blockFromRows, type Block, type Row } from '../../blocks/block.js';
import { concatBlocks } from '../../blocks/concat.js';
import { rowsOfBlock } from '../../blocks/read-values.js';
import { SchemaError } from '../../errors.js';
import { requireColumns } from '../../tasks/run-chain.js';
import type { AllToAllSpec } from '../../plan/logical.js';
import type { PhysicalOf } from '../../plan/physical.js';
import { rowsPerBlock } from '../sources.js';
import { consume, emit, type OperatorContext } from './operator.js';
import { seededRandom } from '../seeded-random.js';

/**
 * Operators that need every input row before they can emit one: repartition, shuffle,
 * sort, group-by aggregation and unique. They gather their input, compute, then stream
 * the result out in blocks.
 */
export async function runAllToAllOp(op: PhysicalOf<'AllToAll'>, ctx: OperatorContext): Promise<void> {
  const blocks: Block[] = [];
  let checked = false;
  for await (const block of consume(ctx, ctx.inputs[0])) {
    // Checked at the first rows, not after gathering them all: a misspelled column fails at once.
    if (!checked && block.numRows > 0) {
      requireColumns(op.name, columnsRead(op.spec), columnNames(block));
      checked = true;
    }
    blocks.push(block);
  }
  if (ctx.signal.aborted) return;
  const started = performance.now();
  const output = computeAllToAll(op.spec, blocks, ctx.job.resources.cpus);
  ctx.stats.udfMs += performance.now() - started;
  for (const block of output) await emit(ctx, block);
}

function computeAllToAll(spec: AllToAllSpec, blocks: Block[], cpus: number): Block[] {
  switch (spec.kind) {
    case 'repartition':
      return splitEvenly(concatBlocks(blocks), spec.numBlocks);
    case 'randomShuffle':
      return rowBlocks(shuffle(allRows(blocks), spec.seed), cpus);
    case 'sort':
      return rowBlocks(allRows(blocks).sort(compareBy(spec.keys, spec.descending)), cpus);
    case 'aggregate':
      return rowBlocks(aggregate(allRows(blocks), spec), cpus);
    case 'unique': {
      const seen = new Map<unknown, Row>();
      for (const row of allRows(blocks)) {
        const value = row[spec.column];
        const key = typeof value === 'object' && value !== null ? JSON.stringify(value, bigintSafe) : value;
        if (!seen.has(key)) seen.set(key, { [spec.column]: value });
      }
      return rowBlocks([...seen.values()], cpus);
    }
  }
}

/**
 * The input columns a spec reads: sort and group keys, the columns of the aggregations that
 * declare theirs, the unique column. A missing one would read as null in every row.
 */
function columnsRead(spec: AllToAllSpec): readonly string[] {
  switch (spec.kind) {
    case 'repartition':
    case 'randomShuffle':
      return [];
    case 'sort':
      return spec.keys;
    case 'aggregate':
      return [...spec.keys, ...spec.aggs.flatMap((agg) => agg.columns ?? [])];
    case 'unique':
      return [spec.column];
  }
}

function columnNames(block: Block): string[] {
  return block.schema.fields.map((f) => f.name);
}

function allRows(blocks: readonly Block[]): Row[] {
  return blocks.flatMap((b) => rowsOfBlock(b));
}

function rowBlocks(rows: readonly Row[], cpus: number): Block[] {
  const step = rowsPerBlock(rows.length, cpus);
  const out: Block[] = [];
  for (let start = 0; start < rows.length; start += step) out.push(blockFromRows(rows.slice(start, start + step)));
  return out;
}

function splitEvenly(block: Block, parts: number): Block[] {
  const out: Block[] = [];
  for (let i = 0; i < parts; i++) {
    const start = Math.floor((i * block.numRows) / parts);
    const end = Math.floor(((i + 1) * block.numRows) / parts);
    out.push(block.slice(start, end));
  }
  return out;
}

function shuffle<T>(items: T[], seed: number | undefined): T[] {
  const random = seed === undefined ? Math.random : seededRandom(seed);
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/** Orders values of one column: nulls last, numbers and bigints by value, strings by code point, dates by time. */
export function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint'))
    return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  if (a instanceof Date && b instanceof Date) return Math.sign(a.getTime() - b.getTime());
  throw new SchemaError(`cannot order values of type ${typeof a} and ${typeof b}; sort by a column of numbers, strings, booleans or dates`);
}

function compareBy(keys: readonly string[], descending: boolean): (a: Row, b: Row) => number {
  const sign = descending ? -1 : 1;
  return (a, b) => {
    for (const key of keys) {
      const order = compareValues(a[key], b[key]);
      if (order === 0) continue;
      // Nulls stay last in both directions, where Arrow's sort (and so Ray Data's) puts them.
      return a[key] == null || b[key] == null ? order : sign * order;
    }
    return 0;
  };
}

function aggregate(rows: readonly Row[], spec: Extract<AllToAllSpec, { kind: 'aggregate' }>): Row[] {
  const groups = new Map<string, { key: Row; accs: unknown[] }>();
  for (const row of rows) {
    const keyRow: Row = {};
    for (const k of spec.keys) keyRow[k] = row[k];
    const id = JSON.stringify(
      spec.keys.map((k) => row[k]),
      bigintSafe,
    );
    let group = groups.get(id);
    if (!group) groups.set(id, (group = { key: keyRow, accs: spec.aggs.map((a) => a.init()) }));
    for (let i = 0; i < spec.aggs.length; i++) group.accs[i] = spec.aggs[i].accumulate(group.accs[i], row);
  }
  if (groups.size === 0 && spec.keys.length === 0) groups.set('[]', { key: {}, accs: spec.aggs.map((a) => a.init()) });
  const out = [...groups.values()].map(({ key, accs }) => {
    const row: Row = { ...key };
    spec.aggs.forEach((agg, i) => (row[agg.name] = agg.finalize(accs[i])));
    return row;
  });
  return spec.keys.length ? out.sort(compareBy(spec.keys, false)) : out;
}

function bigintSafe(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? `${value}n` : value;
}
