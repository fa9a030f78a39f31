/**
 * FixedSizeList columns (what the ONNX embedder outputs: FixedSizeList<384, Float32>) read back
 * as typed arrays per row, nulls as null, through rows, columns batches, slices and Parquet.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  Field,
  FixedSizeList,
  Float32,
  Float64,
  Int32,
  Int64,
  RecordBatch,
  Schema,
  Struct,
  Table,
  Type,
  Utf8,
  makeData,
  vectorFromArray,
  type Data,
  type DataType,
} from 'apache-arrow';
import { blockFromColumns, blockFromRows, columnsOfBlock, rowsOfBlock, type Block } from '../src/blocks/index.js';
import { fromArrow, readParquet } from '../src/index.js';

const WIDTH = 3;

/** An `id` column and a `vector` FixedSizeList<WIDTH> column of `child` values; `valid` marks the non-null rows. */
function vectorBlock(child: Data, valid?: boolean[]): Block {
  const rows = child.length / WIDTH;
  const item = new Field('item', child.type, true);
  const nullBitmap =
    valid &&
    new Uint8Array(Math.ceil(rows / 8)).map((_, b) => valid.slice(b * 8, b * 8 + 8).reduce((bits, v, i) => bits | (v ? 1 << i : 0), 0));
  const vector = makeData({ type: new FixedSizeList(WIDTH, item), length: rows, child, nullBitmap });
  const id = makeData({ type: new Int32(), length: rows, data: Int32Array.from({ length: rows }, (_, i) => i) });
  const fields = [new Field('id', new Int32(), false), new Field('vector', vector.type, true)];
  const data = makeData({ type: new Struct(fields), length: rows, children: [id, vector], nullCount: 0 });
  return new Table([new RecordBatch(new Schema(fields), data)]);
}

const floats = (rows: number): Float32Array => Float32Array.from({ length: rows * WIDTH }, (_, i) => i / 4);
const float32Data = (values: Float32Array): Data => makeData({ type: new Float32(), length: values.length, data: values });

function typeOf(block: Block, column: string): DataType {
  return block.schema.fields.find((f) => f.name === column)!.type as DataType;
}

test('FixedSizeList<Float32> rows are Float32Array views of the vectors; null rows are null', () => {
  const values = floats(4);
  const rows = rowsOfBlock(vectorBlock(float32Data(values), [true, false, true, true]));
  assert.deepEqual(rows[0], { id: 0, vector: values.subarray(0, 3) });
  assert.equal(rows[1].vector, null);
  assert.ok(rows[3].vector instanceof Float32Array);
  assert.deepEqual(rows[3].vector, values.subarray(9, 12));
  assert.equal(rows[3].vector.buffer, values.buffer, 'a view, not a copy');
});

test('FixedSizeList of Float64, Int32 and Int64 read as Float64Array, Int32Array and BigInt64Array', () => {
  const cases: [Data, ArrayBufferView][] = [
    [makeData({ type: new Float64(), length: 6, data: Float64Array.of(0.5, 1, 2, 3, 4, 5) }), Float64Array.of(3, 4, 5)],
    [makeData({ type: new Int32(), length: 6, data: Int32Array.of(1, 2, 3, -4, 5, 2 ** 31 - 1) }), Int32Array.of(-4, 5, 2 ** 31 - 1)],
    [
      makeData({ type: new Int64(), length: 6, data: BigInt64Array.of(1n, 2n, 3n, 4n, 5n, 2n ** 62n) }),
      BigInt64Array.of(4n, 5n, 2n ** 62n),
    ],
  ];
  for (const [child, second] of cases) assert.deepEqual(rowsOfBlock(vectorBlock(child))[1].vector, second, String(child.type));
});

test('FixedSizeList children with nulls, and of strings, read as arrays', () => {
  const withNull = vectorFromArray([1, null, 3, 4, 5, 6], new Float32()).data[0];
  assert.deepEqual(
    rowsOfBlock(vectorBlock(withNull)).map((r) => r.vector),
    [
      [1, null, 3],
      [4, 5, 6],
    ],
  );
  const strings = vectorFromArray(['a', 'b', 'c', 'd', 'e', 'f'], new Utf8()).data[0];
  assert.deepEqual(rowsOfBlock(vectorBlock(strings))[1].vector, ['d', 'e', 'f']);
});

test('a sliced FixedSizeList block reads the rows of its slice', () => {
  const values = floats(10);
  const block = vectorBlock(float32Data(values), [true, true, true, true, false, true, true, true, true, true]);
  const rows = rowsOfBlock(block.slice(3, 7));
  assert.deepEqual(
    rows.map((r) => r.id),
    [3, 4, 5, 6],
  );
  assert.deepEqual(rows[0].vector, values.subarray(9, 12));
  assert.equal(rows[1].vector, null);
  assert.deepEqual(rows[3].vector, values.subarray(18, 21));
  assert.deepEqual(columnsOfBlock(block.slice(8, 10)).vector, [values.subarray(24, 27), values.subarray(27, 30)]);
});

test('rows -> blockFromRows: vectors become List<Float32> and read back equal', () => {
  const rows = rowsOfBlock(vectorBlock(float32Data(floats(5)), [true, true, false, true, true]));
  const rebuilt = blockFromRows(rows);
  assert.equal(typeOf(rebuilt, 'vector').typeId, Type.List);
  assert.deepEqual(rowsOfBlock(rebuilt), rows);
  // Float64 vectors are not narrowed to Float32: they become List<Float64>, values kept.
  const doubles = Float64Array.of(0.1, 0.2, 0.3, 1e300, -1e-300, 2 ** 53);
  const rebuilt64 = blockFromRows(rowsOfBlock(vectorBlock(makeData({ type: new Float64(), length: 6, data: doubles }))));
  assert.equal(String(typeOf(rebuilt64, 'vector')), 'List<Float64>');
  assert.deepEqual(rowsOfBlock(rebuilt64)[1].vector, [...doubles.subarray(3)]);
});

test('a columns batch holds one typed array per row, and rebuilds into a block with equal rows', () => {
  const block = vectorBlock(makeData({ type: new Int32(), length: 9, data: Int32Array.from({ length: 9 }, (_, i) => i - 4) }));
  const columns = columnsOfBlock(block);
  assert.deepEqual(columns.vector, [Int32Array.of(-4, -3, -2), Int32Array.of(-1, 0, 1), Int32Array.of(2, 3, 4)]);
  // Int32Arrays are lists of their own type (List<Int32>): read back as number arrays, values kept.
  const rebuilt = blockFromColumns(columns, 'test');
  assert.equal(String(typeOf(rebuilt, 'vector')), 'List<Int32>');
  assert.deepEqual(
    rowsOfBlock(rebuilt).map((r) => r.vector),
    [
      [-4, -3, -2],
      [-1, 0, 1],
      [2, 3, 4],
    ],
  );
});

test('Dataset rows, take and columns batches of a FixedSizeList column hold Float32Arrays', async () => {
  const values = floats(6);
  const ds = fromArrow<{ id: number; vector: Float32Array | null }>(
    vectorBlock(float32Data(values), [true, true, true, false, true, true]),
  );
  const rows = await ds.takeAll({ preserveOrder: true });
  assert.deepEqual(rows[5], { id: 5, vector: values.subarray(15, 18) });
  assert.equal(rows[3].vector, null);
  assert.deepEqual((await ds.take(1))[0].vector, values.subarray(0, 3));
  const norms = await ds
    .mapBatches((batch) => batch.map((r) => ({ id: r.id, first: r.vector?.[0] ?? null })))
    .takeAll({ preserveOrder: true });
  assert.deepEqual(norms[2], { id: 2, first: 1.5 });
  const widths = await ds
    .mapBatches((batch) => ({ id: batch.id, width: batch.vector.map((v) => (v instanceof Float32Array ? v.length : -1)) }), {
      batchFormat: 'columns',
    })
    .takeAll({ preserveOrder: true });
  assert.deepEqual(
    widths.map((r) => r.width),
    [3, 3, 3, -1, 3, 3],
  );
});

test('writeParquet of a FixedSizeList column reads back with readParquet as equal rows', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-fsl-'));
  try {
    const block = vectorBlock(
      float32Data(floats(20)),
      Array.from({ length: 20 }, (_, i) => i % 7 !== 3),
    );
    await fromArrow(block).writeParquet(dir);
    const back = await readParquet(dir).sort('id').takeAll();
    assert.deepEqual(back, rowsOfBlock(block));
    assert.ok(back[0].vector instanceof Float32Array);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
