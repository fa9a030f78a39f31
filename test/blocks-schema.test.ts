import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DataType,
  Dictionary,
  Field,
  Float64,
  Int32,
  Schema,
  Table,
  Type,
  Utf8,
  makeData,
  Struct,
  RecordBatch,
  tableFromIPC,
  tableToIPC,
  TimestampMillisecond,
  Vector,
  vectorFromArray,
  type List,
} from 'apache-arrow';
import {
  blockFromColumns,
  blockFromIpc,
  blockFromRows,
  blockToIpc,
  columnsOfBlock,
  concatBlocks,
  rowsOfBlock,
  type Block,
} from '../src/blocks/index.js';
import { SchemaError } from '../src/errors.js';
import { buildColumn } from '../src/index.js';

function typeOf(block: Block, column: string): DataType {
  const field = block.schema.fields.find((f) => f.name === column);
  assert.ok(field, `no column '${column}' in ${block.schema.fields.map((f) => f.name).join(', ')}`);
  return field.type as DataType;
}

/** A one-column block built directly from typed Arrow data, as a reader or `fromArrow` would hand it. */
function arrowBlock(name: string, type: DataType, values: ArrayLike<number>): Block {
  const field = new Field(name, type, true);
  const child = makeData({ type: type as Float64, length: values.length, data: values as Float64Array });
  const data = makeData({ type: new Struct([field]), length: values.length, children: [child], nullCount: 0 });
  return new Table([new RecordBatch(new Schema([field]), data)]);
}

test('numbers infer Float64 and round-trip exactly', () => {
  const rows = [{ x: 1 }, { x: -2.5 }, { x: Number.MAX_SAFE_INTEGER }, { x: 0.1 }];
  const block = blockFromRows(rows);
  assert.ok(DataType.isFloat(typeOf(block, 'x')));
  assert.equal(typeOf(block, 'x').toString(), 'Float64');
  assert.equal(block.numRows, 4);
  assert.deepEqual(rowsOfBlock(block), rows);
});

test('whole numbers within Int32 infer Int32 and read back as numbers; beyond its range they stay Float64', () => {
  const rows = [
    { page: 1, big: 2 ** 31 },
    { page: -(2 ** 31), big: 3 },
    { page: 2 ** 31 - 1, big: null },
    { page: null, big: 0 },
  ];
  const block = blockFromRows(rows);
  assert.equal(typeOf(block, 'page').toString(), 'Int32');
  assert.equal(typeOf(block, 'big').toString(), 'Float64');
  assert.deepEqual(rowsOfBlock(block), rows);
  assert.equal(typeof rowsOfBlock(block)[0].page, 'number');
  assert.equal(typeOf(blockFromRows([{ x: NaN }, { x: 1 }]), 'x').toString(), 'Float64');
  // A Float64Array stays a list of doubles even when its values are whole.
  assert.equal(typeOf(blockFromRows([{ v: new Float64Array([1, 2]) }]), 'v').toString(), 'List<Float64>');
});

test('bigints infer Int64 and come back as bigints', () => {
  const rows = [{ n: 1n }, { n: -(2n ** 62n) }, { n: 2n ** 63n - 1n }];
  const block = blockFromRows(rows);
  assert.equal(typeOf(block, 'n').toString(), 'Int64');
  assert.deepEqual(rowsOfBlock(block), rows);
});

test('strings infer Utf8, including multi-byte characters and the empty string', () => {
  const rows = [{ s: 'plain' }, { s: '' }, { s: 'ünïcødé ✓ 日本語' }, { s: '🙂' }];
  const block = blockFromRows(rows);
  assert.ok(DataType.isUtf8(typeOf(block, 's')));
  assert.deepEqual(rowsOfBlock(block), rows);
});

test('booleans infer Bool', () => {
  const rows = Array.from({ length: 19 }, (_, i) => ({ b: i % 3 === 0 }));
  const block = blockFromRows(rows);
  assert.ok(DataType.isBool(typeOf(block, 'b')));
  assert.deepEqual(rowsOfBlock(block), rows);
});

test('an all-null column has the Null type; a mixed column keeps its nulls', () => {
  const rows = [
    { none: null, some: 1, text: null },
    { none: null, some: null, text: 'b' },
    { none: null, some: 3, text: null },
  ];
  const block = blockFromRows(rows);
  assert.ok(DataType.isNull(typeOf(block, 'none')));
  assert.equal(typeOf(block, 'some').toString(), 'Int32');
  assert.equal(typeOf(block, 'text').toString(), 'Utf8');
  assert.equal(block.getChild('some')!.nullCount, 1);
  assert.equal(block.getChild('text')!.nullCount, 2);
  assert.deepEqual(rowsOfBlock(block), rows);
});

test('a key missing from some rows becomes a nullable column with nulls there', () => {
  const block = blockFromRows([{ a: 1 }, { a: 2, b: 'x' }]);
  assert.deepEqual(
    block.schema.fields.map((f) => f.name),
    ['a', 'b'],
  );
  assert.ok(block.schema.fields[1].nullable);
  assert.deepEqual(rowsOfBlock(block), [
    { a: 1, b: null },
    { a: 2, b: 'x' },
  ]);
});

test('Uint8Array and Buffer infer Binary and come back as bytes', () => {
  const rows = [{ bytes: new Uint8Array([1, 2, 3]) }, { bytes: Buffer.from('hello') }, { bytes: new Uint8Array(0) }, { bytes: null }];
  const block = blockFromRows(rows);
  assert.ok(DataType.isBinary(typeOf(block, 'bytes')));
  const back = rowsOfBlock(block).map((r) => r.bytes);
  assert.ok(back[0] instanceof Uint8Array);
  assert.deepEqual([...back[0]], [1, 2, 3]);
  assert.equal(Buffer.from(back[1] as Uint8Array).toString(), 'hello');
  assert.equal((back[2] as Uint8Array).byteLength, 0);
  assert.equal(back[3], null);
});

test('Float32Array and number[] vectors infer List<Float32> and come back as Float32Array', () => {
  const rows = [{ v: new Float32Array([0.5, 1.5, -2]) }, { v: [1, 2] }, { v: [] as number[] }, { v: null }];
  const block = blockFromRows(rows);
  const type = typeOf(block, 'v');
  assert.ok(DataType.isList(type));
  const child: unknown = type.children[0].type;
  assert.ok(DataType.isFloat(child));
  assert.equal(child.toString(), 'Float32');
  const back = rowsOfBlock(block).map((r) => r.v);
  assert.ok(back[0] instanceof Float32Array);
  assert.deepEqual([...back[0]], [0.5, 1.5, -2]);
  assert.ok(back[1] instanceof Float32Array);
  assert.deepEqual([...back[1]], [1, 2]);
  assert.equal((back[2] as Float32Array).length, 0);
  assert.equal(back[3], null);
});

test('a vector read back from a later row of a sliced block has the right values', () => {
  const rows = Array.from({ length: 10 }, (_, i) => ({ v: new Float32Array([i, i + 0.5]) }));
  const sliced = blockFromRows(rows).slice(6, 9);
  const back = rowsOfBlock(sliced).map((r) => [...(r.v as Float32Array)]);
  assert.deepEqual(back, [
    [6, 6.5],
    [7, 7.5],
    [8, 8.5],
  ]);
});

test('nested objects infer Struct with typed children, nested to any depth', () => {
  const rows = [
    { meta: { page: 1, title: 'a', tags: { lang: 'en' } } },
    { meta: { page: 2, title: null, tags: { lang: 'fr' } } },
    { meta: null },
  ];
  const block = blockFromRows(rows);
  const type = typeOf(block, 'meta');
  assert.ok(DataType.isStruct(type));
  const children = type.children;
  assert.deepEqual(
    children.map((f) => [f.name, String(f.type)]),
    [
      ['page', 'Int32'],
      ['title', 'Utf8'],
      ['tags', 'Struct<{lang:Utf8}>'],
    ],
  );
  assert.deepEqual(rowsOfBlock(block), rows);
});

test('lists of strings infer List<Utf8> and come back as arrays', () => {
  const rows = [{ words: ['a', 'bb'] }, { words: [] as string[] }, { words: ['ccc'] }];
  const block = blockFromRows(rows);
  const type = typeOf(block, 'words');
  assert.ok(DataType.isList(type));
  assert.ok(DataType.isUtf8(type.children[0].type));
  assert.deepEqual(rowsOfBlock(block), rows);
});

test('lists of objects infer List<Struct>', () => {
  const rows = [
    { spans: [{ start: 0, text: 'x' }] },
    {
      spans: [
        { start: 4, text: 'y' },
        { start: 9, text: 'z' },
      ],
    },
  ];
  const block = blockFromRows(rows);
  const type = typeOf(block, 'spans') as List;
  assert.ok(DataType.isList(type));
  assert.ok(DataType.isStruct(type.children[0].type));
  assert.deepEqual(rowsOfBlock(block), rows);
});

test('Dates infer a millisecond timestamp and come back as Dates', () => {
  const rows = [{ at: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)) }, { at: null }, { at: new Date(0) }];
  const block = blockFromRows(rows);
  assert.ok(DataType.isTimestamp(typeOf(block, 'at')));
  assert.equal(typeOf(block, 'at').toString(), 'Timestamp<MILLISECOND>');
  assert.deepEqual(rowsOfBlock(block), rows);
  assert.deepEqual(rowsOfBlock(blockFromIpc(blockToIpc(block))), rows);
});

test('buildColumn: millisecond timestamps from Dates and numbers, the values and nulls apache-arrow builds', () => {
  const type = new TimestampMillisecond();
  const values = [new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)), null, 1_700_000_000_123, undefined, new Date(-5)];
  const built = buildColumn(values, type);
  const reference = vectorFromArray(
    values.map((v) => (v === undefined ? null : v)),
    type,
  ).data[0];
  assert.equal(built.nullCount, 2);
  assert.deepEqual([...new Vector([built])], [...new Vector([reference])]);
  assert.deepEqual([...new Vector([built])], [Date.UTC(2024, 0, 2, 3, 4, 5, 6), null, 1_700_000_000_123, null, -5]);
});

test('mixed types in one column throw a SchemaError naming the column and the rows', () => {
  assert.throws(
    () =>
      blockFromRows([
        { ok: 1, bad: 1 },
        { ok: 2, bad: 'one' },
      ]),
    (error: unknown) => {
      assert.ok(error instanceof SchemaError);
      assert.match(error.message, /column 'bad'/);
      assert.match(error.message, /number \(row 0\)/);
      assert.match(error.message, /string \(row 1\)/);
      return true;
    },
  );
  assert.throws(
    () => blockFromRows([{ meta: { page: 1 } }, { meta: { page: true } }]),
    (error: unknown) => {
      assert.ok(error instanceof SchemaError);
      assert.match(error.message, /column 'meta\.page'/);
      return true;
    },
  );
});

test('values that cannot be stored throw a SchemaError naming the column', () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ cb: () => 1 }, /column 'cb' holds a value of type function/],
    [{ s: Symbol('x') }, /column 's' holds a value of type symbol/],
    // A Map would otherwise become an empty struct and lose its entries.
    [{ m: new Map([['k', 1]]) }, /column 'm' holds a Map/],
    [{ nested: { tags: new Set(['a']) } }, /column 'nested\.tags' holds a Set/],
  ];
  for (const [row, message] of cases) {
    assert.throws(
      () => blockFromRows([row]),
      (error: unknown) => {
        assert.ok(error instanceof SchemaError);
        assert.match(error.message, message);
        return true;
      },
    );
  }
});

test('blockFromColumns keeps typed arrays typed and infers the rest', () => {
  const block = blockFromColumns(
    {
      f64: new Float64Array([1.5, 2.5, 3.5]),
      f32: new Float32Array([1, 2, 3]),
      i32: new Int32Array([7, 8, 9]),
      u8: new Uint8Array([1, 2, 255]),
      big: new BigInt64Array([1n, 2n, 3n]),
      name: ['a', 'b', null],
      num: [1, 2, 3],
    },
    'test',
  );
  assert.equal(block.numRows, 3);
  assert.deepEqual(
    block.schema.fields.map((f) => `${f.name}:${f.type}`),
    ['f64:Float64', 'f32:Float32', 'i32:Int32', 'u8:Uint8', 'big:Int64', 'name:Utf8', 'num:Int32'],
  );
  const columns = columnsOfBlock(block);
  assert.ok(columns.f64 instanceof Float64Array);
  assert.ok(columns.f32 instanceof Float32Array);
  assert.ok(columns.i32 instanceof Int32Array);
  assert.ok(columns.u8 instanceof Uint8Array);
  assert.ok(columns.big instanceof BigInt64Array);
  assert.ok(columns.num instanceof Int32Array);
  assert.deepEqual([...columns.i32], [7, 8, 9]);
  assert.deepEqual([...columns.big], [1n, 2n, 3n]);
  assert.deepEqual(columns.name, ['a', 'b', null]);
});

test('columnsOfBlock: a numeric column with nulls is a plain array (typed arrays cannot hold null)', () => {
  const columns = columnsOfBlock(blockFromRows([{ x: 1 }, { x: null }, { x: 3 }]));
  assert.ok(Array.isArray(columns.x));
  assert.deepEqual(columns.x, [1, null, 3]);
});

test('columnsOfBlock of a sliced block holds only the slice', () => {
  const block = blockFromColumns({ x: new Float64Array([0, 1, 2, 3, 4, 5]) }, 'test').slice(2, 5);
  const columns = columnsOfBlock(block);
  assert.deepEqual([...columns.x], [2, 3, 4]);
});

test('blockFromColumns rejects columns of different lengths with a SchemaError', () => {
  assert.throws(
    () => blockFromColumns({ a: [1, 2, 3], b: new Float64Array(2) }, 'MapBatches(f)'),
    (error: unknown) => {
      assert.ok(error instanceof SchemaError);
      assert.match(error.message, /MapBatches\(f\)/);
      assert.match(error.message, /a: 3, b: 2/);
      return true;
    },
  );
});

test('a block survives an IPC round trip with types, values and nulls intact', () => {
  const rows = [
    { id: 1, n: 10n, s: 'x', b: true, bytes: new Uint8Array([9]), v: new Float32Array([1, 2]), meta: { k: 'a' }, words: ['p'], none: null },
    { id: 2, n: 20n, s: null, b: false, bytes: null, v: new Float32Array([3]), meta: null, words: [], none: null },
  ];
  const block = blockFromRows(rows);
  const ipc = blockToIpc(block);
  assert.ok(ipc instanceof ArrayBuffer);
  // The buffer is the block's alone, so it can be put in a transfer list.
  const copy = structuredClone(ipc, { transfer: [ipc] });
  assert.equal(ipc.byteLength, 0, 'the buffer was moved, not copied');
  const back = blockFromIpc(copy);
  assert.ok(back instanceof Table);
  assert.equal(back.numRows, 2);
  assert.deepEqual(
    back.schema.fields.map((f) => `${f.name}:${f.type}`),
    block.schema.fields.map((f) => `${f.name}:${f.type}`),
  );
  assert.deepEqual(rowsOfBlock(back), rowsOfBlock(block));
});

test('an IPC round trip of a sliced block carries only the slice', () => {
  const block = blockFromRows(Array.from({ length: 100 }, (_, i) => ({ i, s: `row ${i}` }))).slice(40, 43);
  const back = blockFromIpc(blockToIpc(block));
  assert.deepEqual(rowsOfBlock(back), [
    { i: 40, s: 'row 40' },
    { i: 41, s: 'row 41' },
    { i: 42, s: 'row 42' },
  ]);
});

test("blockToIpc writes apache-arrow's stream bytes, and blockFromIpc reads what tableFromIPC reads", () => {
  const ints = blockFromRows([{ a: 1 }, { a: 2 }, { a: 3 }]);
  const blocks: Block[] = [
    blockFromRows([
      { id: 1, n: 10n, s: 'x', v: new Float32Array([1, 2]), meta: { k: 'a' }, at: new Date(5), none: null },
      { id: null, n: null, s: null, v: null, meta: null, at: null, none: null },
    ]),
    blockFromRows(Array.from({ length: 100 }, (_, i) => ({ s: i % 3 ? `row ${i}` : null, v: new Float32Array([i, 2]) }))).slice(7, 60),
    new Table([...ints.batches, ...ints.slice(1).batches]),
    // Dictionaries, and empty tables (an empty batch, or none), are written by Arrow's writer.
    new Table({ d: vectorFromArray(['a', 'b', 'a'], new Dictionary(new Utf8(), new Int32())) }),
    new Table(ints.schema),
    ints.slice(1, 1),
    blockFromRows([]),
  ];
  for (const block of blocks) {
    const ipc = blockToIpc(block);
    assert.deepEqual(new Uint8Array(ipc), tableToIPC(block, 'stream'));
    const back = blockFromIpc(ipc);
    const arrow = tableFromIPC(tableToIPC(block, 'stream'));
    assert.equal(String(back.schema.fields), String(arrow.schema.fields));
    assert.equal(back.batches.length, arrow.batches.length);
    assert.deepEqual(rowsOfBlock(back), rowsOfBlock(arrow));
  }
});

test('concatBlocks: a Null column in one block takes the Utf8 type of another', () => {
  const a = blockFromRows([{ id: 1, label: null }]);
  const b = blockFromRows([{ id: 2, label: 'two' }]);
  assert.ok(DataType.isNull(typeOf(a, 'label')));
  const joined = concatBlocks([a, b]);
  assert.equal(typeOf(joined, 'label').toString(), 'Utf8');
  assert.deepEqual(rowsOfBlock(joined), [
    { id: 1, label: null },
    { id: 2, label: 'two' },
  ]);
  // Either order.
  assert.equal(typeOf(concatBlocks([b, a]), 'label').toString(), 'Utf8');
});

test('concatBlocks: Int32 and Float64 columns widen to Float64', () => {
  const ints = arrowBlock('x', new Int32(), new Int32Array([1, 2]));
  const floats = arrowBlock('x', new Float64(), new Float64Array([0.5]));
  const joined = concatBlocks([ints, floats]);
  assert.equal(typeOf(joined, 'x').toString(), 'Float64');
  assert.deepEqual(rowsOfBlock(joined), [{ x: 1 }, { x: 2 }, { x: 0.5 }]);
});

test('concatBlocks: a column missing from one block is null there', () => {
  const joined = concatBlocks([blockFromRows([{ a: 1 }]), blockFromRows([{ a: 2, b: 'x' }])]);
  assert.deepEqual(rowsOfBlock(joined), [
    { a: 1, b: null },
    { a: 2, b: 'x' },
  ]);
});

test('concatBlocks: incompatible column types throw a SchemaError naming the column', () => {
  assert.throws(
    () => concatBlocks([blockFromRows([{ c: 1 }]), blockFromRows([{ c: 'one' }])]),
    (error: unknown) => {
      assert.ok(error instanceof SchemaError);
      assert.match(error.message, /column 'c'/);
      return true;
    },
  );
});

test('concatBlocks of blocks that already agree shares their buffers', () => {
  const a = blockFromRows([{ s: 'a' }]);
  const b = blockFromRows([{ s: 'b' }, { s: 'c' }]);
  const joined = concatBlocks([a, b]);
  assert.equal(joined.numRows, 3);
  assert.equal(joined.batches.length, 2);
  assert.equal(joined.batches[0].data, a.batches[0].data);
  assert.equal((joined.getChild('s')!.type as DataType).typeId, Type.Utf8);
  assert.equal(concatBlocks([]).numRows, 0);
});

test('an explicit schema is used as given', () => {
  const schema = new Schema([new Field('x', new Float64(), true), new Field('s', new Utf8(), true)]);
  const block = blockFromRows([{ x: 1 }, { x: 2, s: 'b' }], schema);
  assert.equal(block.schema.fields.length, 2);
  assert.deepEqual(rowsOfBlock(block), [
    { x: 1, s: null },
    { x: 2, s: 'b' },
  ]);
});
