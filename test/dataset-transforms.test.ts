import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataType, Schema, Table, tableFromArrays } from 'apache-arrow';
import {
  Dataset,
  InvalidOptionError,
  SchemaError,
  UdfError,
  count,
  fromArrow,
  fromAsyncIterable,
  fromItems,
  max,
  mean,
  min,
  range,
  std,
  sum,
  type ColumnsOf,
  type Row,
} from '../src/index.js';
import { arrowTwiceUdf, batchSizesOfArrowUdf, batchSizesOfRowsUdf, squareOnWorkerUdf } from './fixtures/dataset-transforms-udfs.js';
import { countCalls } from './fixtures/count-calls.js';

const ordered = { preserveOrder: true } as const;

/** true when A and B are the same type (mutual assignability would let Row pass for many types). */
type Equal<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;
type RowOf<D> = D extends Dataset<infer T> ? T : never;

/** Runs `fn` with console.log captured; returns what it printed, one entry per call. */
async function captureLog(fn: () => unknown): Promise<string[]> {
  const lines: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => void lines.push(args.map(String).join(' '));
  try {
    await fn();
  } finally {
    console.log = original;
  }
  return lines;
}

function ids(rows: readonly { id: number }[]): number[] {
  return rows.map((r) => r.id);
}

/** Every batch but one has exactly `size` rows, that one is smaller, and together they cover `total`. */
function assertExactBatches(sizes: readonly number[], size: number, total: number): void {
  assert.equal(
    sizes.reduce((a, b) => a + b, 0),
    total,
  );
  const short = sizes.filter((s) => s !== size);
  assert.ok(short.length <= 1, `more than one batch is not ${size} rows: ${sizes.join(', ')}`);
  for (const s of short) assert.ok(s < size && s > 0, `a batch of ${s} rows`);
}

// ---- creation ----------------------------------------------------------------------------

test('range(n) gives rows {id} from 0 to n - 1', async () => {
  assert.deepEqual(await range(5).takeAll(ordered), [{ id: 0 }, { id: 1 }, { id: 2 }, { id: 3 }, { id: 4 }]);
  assert.deepEqual(await range(0).takeAll(), []);
  assert.equal(await range(100_000).count(), 100_000);
  assert.throws(() => range(-1), InvalidOptionError);
  assert.throws(() => range(1.5), InvalidOptionError);
});

test('fromItems: objects are rows; other values become {item}', async () => {
  assert.deepEqual(
    await fromItems([
      { a: 1, b: 'x' },
      { a: 2, b: 'y' },
    ]).takeAll(ordered),
    [
      { a: 1, b: 'x' },
      { a: 2, b: 'y' },
    ],
  );
  const numbers: { item: number }[] = await fromItems([1, 2, 3]).takeAll(ordered);
  assert.deepEqual(numbers, [{ item: 1 }, { item: 2 }, { item: 3 }]);
  assert.deepEqual(await fromItems(['a', 'b']).takeAll(ordered), [{ item: 'a' }, { item: 'b' }]);
  // Arrays are items too, not rows (number arrays are stored as float32 vectors).
  const arrays: { item: number[] }[] = await fromItems([[1, 2], [3]]).takeAll(ordered);
  assert.deepEqual(
    arrays.map((r) => Array.from(r.item)),
    [[1, 2], [3]],
  );
  const dates = await fromItems([new Date(5), new Date(7)]).takeAll(ordered);
  assert.deepEqual(
    dates.map((r) => r.item.getTime()),
    [5, 7],
  );
});

test('fromAsyncIterable: an async generator function is a factory, so the dataset runs twice', async () => {
  const ds = fromAsyncIterable(async function* () {
    for (let i = 0; i < 2500; i++) {
      if (i % 1000 === 0) await new Promise((r) => setTimeout(r, 1));
      yield { n: i, label: `row ${i}` };
    }
  });
  const first = await ds.takeAll(ordered);
  assert.equal(first.length, 2500);
  assert.deepEqual(first[1234], { n: 1234, label: 'row 1234' });
  assert.deepEqual(
    first.map((r) => r.n),
    Array.from({ length: 2500 }, (_, i) => i),
  );
  assert.equal(await ds.count(), 2500, 'a second run opens a fresh iterable');
  assert.deepEqual(await fromAsyncIterable(() => [{ x: 1 }, { x: 2 }]).takeAll(ordered), [{ x: 1 }, { x: 2 }]);
});

test('fromAsyncIterable: a bare iterable runs once, and a second run fails with a clear error', async () => {
  // eslint-disable-next-line @typescript-eslint/require-await -- async with nothing to await: the test needs an async generator object
  async function* generate() {
    yield { x: 1 };
    yield { x: 2 };
  }
  const ds = fromAsyncIterable(generate());
  assert.deepEqual(await ds.takeAll(ordered), [{ x: 1 }, { x: 2 }]);
  await assert.rejects(ds.takeAll(), (error: unknown) => {
    assert.ok(error instanceof InvalidOptionError);
    assert.match(error.message, /already consumed/);
    assert.match(error.message, /function returning a fresh iterable/);
    return true;
  });
});

test('fromAsyncIterable: a slow iterable still streams its rows before it ends', async () => {
  let produced = 0;
  const ds = fromAsyncIterable(async function* () {
    for (;;) {
      await new Promise((r) => setTimeout(r, 5));
      produced++;
      yield { i: produced };
    }
  });
  const started = performance.now();
  const first = await ds.take(3);
  assert.equal(first.length, 3);
  assert.ok(performance.now() - started < 2_000);
});

test('fromArrow: rows of an Arrow table, with its column types', async () => {
  const table = tableFromArrays({ x: Int32Array.from({ length: 1000 }, (_, i) => i), s: Array.from({ length: 1000 }, (_, i) => `s${i}`) });
  const ds = fromArrow<{ x: number; s: string }>(table);
  const rows = await ds.takeAll(ordered);
  assert.equal(rows.length, 1000);
  assert.deepEqual(rows[999], { x: 999, s: 's999' });
  const schema = await ds.schema();
  assert.equal(String(schema.fields[0].type), 'Int32');
  assert.throws(() => fromArrow([] as unknown as Table), InvalidOptionError);
});

// ---- row transforms ----------------------------------------------------------------------

test('map, flatMap and filter', async () => {
  const mapped = await range(5)
    .map((r) => ({ id: r.id, sq: r.id * r.id }))
    .takeAll(ordered);
  assert.deepEqual(
    mapped.map((r) => r.sq),
    [0, 1, 4, 9, 16],
  );
  const flat = await range(4)
    .flatMap((r) => Array.from({ length: r.id }, (_, k) => ({ from: r.id, k })))
    .takeAll(ordered);
  assert.deepEqual(flat, [
    { from: 1, k: 0 },
    { from: 2, k: 0 },
    { from: 2, k: 1 },
    { from: 3, k: 0 },
    { from: 3, k: 1 },
    { from: 3, k: 2 },
  ]);
  const evens = await range(10)
    .filter((r) => r.id % 2 === 0)
    .takeAll(ordered);
  assert.deepEqual(ids(evens), [0, 2, 4, 6, 8]);
});

test('map with an async function', async () => {
  const rows = await range(50)
    .map(async (r) => {
      await new Promise((resolve) => setTimeout(resolve, (r.id * 7) % 5));
      return { id: r.id, text: `#${r.id}` };
    })
    .takeAll(ordered);
  assert.deepEqual(
    rows.map((r) => r.text),
    Array.from({ length: 50 }, (_, i) => `#${i}`),
  );
});

test('map on the task pool (udf) gives the same rows', async () => {
  const rows = await range(300).map(squareOnWorkerUdf).takeAll(ordered);
  assert.equal(rows.length, 300);
  assert.deepEqual(rows[17], { id: 17, square: 289 });
});

// ---- mapBatches --------------------------------------------------------------------------

test("mapBatches 'rows': exact batchSize on the main thread", async () => {
  const sizes: number[] = [];
  const out = await range(1000)
    .mapBatches(
      (batch) => {
        sizes.push(batch.length);
        return batch.map((r) => ({ id: r.id, n: batch.length }));
      },
      { batchSize: 64 },
    )
    .takeAll(ordered);
  assert.deepEqual(
    ids(out),
    Array.from({ length: 1000 }, (_, i) => i),
  );
  assert.equal(sizes.length, 16);
  assertExactBatches(sizes, 64, 1000);
  assert.equal(sizes.filter((s) => s === 1000 - 15 * 64).length, 1);
});

test('mapBatches: a batchSize that does not divide the source blocks is still exact', async () => {
  const sizes: number[] = [];
  await range(1000)
    .mapBatches(
      (batch) => {
        sizes.push(batch.length);
        return batch;
      },
      { batchSize: 96 },
    )
    .count();
  assert.equal(sizes.length, 11);
  assertExactBatches(sizes, 96, 1000);
});

test('mapBatches: exact batchSize after a fused map', async () => {
  const sizes: number[] = [];
  await range(1000)
    .map((r) => ({ id: r.id, x: r.id * 2 }))
    .mapBatches(
      (batch) => {
        sizes.push(batch.length);
        return batch;
      },
      { batchSize: 100 },
    )
    .count();
  assertExactBatches(sizes, 100, 1000);
  assert.equal(sizes.length, 10);
});

test('mapBatches on the task pool: exact batchSize', async () => {
  const out = await range(1000).mapBatches(batchSizesOfRowsUdf, { batchSize: 96 }).takeAll(ordered);
  assertExactBatches(
    out.map((r) => r.size),
    96,
    1000,
  );
  assert.deepEqual(
    out.map((r) => r.first),
    Array.from({ length: 11 }, (_, i) => i * 96),
  );
  const arrow = await range(500).mapBatches(batchSizesOfArrowUdf, { batchSize: 128, batchFormat: 'arrow' }).takeAll();
  assertExactBatches(
    arrow.map((r) => r.size),
    128,
    500,
  );
});

test("mapBatches 'columns': typed arrays in, columns out", async () => {
  const seen: string[] = [];
  const out = await range(300)
    .mapBatches(
      (batch: ColumnsOf<{ id: number }>) => {
        seen.push(batch.id.constructor.name);
        const doubled = Float64Array.from(batch.id, (v) => v * 2);
        return { id: batch.id, doubled, label: Array.from(batch.id, (v) => `n${v}`) };
      },
      { batchFormat: 'columns', batchSize: 100 },
    )
    .takeAll(ordered);
  assert.deepEqual([...new Set(seen)], ['Int32Array']);
  assert.equal(seen.length, 3);
  assert.deepEqual(out[7], { id: 7, doubled: 14, label: 'n7' });
  assert.equal(out.length, 300);
});

test("mapBatches 'arrow': an Arrow Table in, a Table out", async () => {
  const sizes: number[] = [];
  const ds = range(250).mapBatches(
    (table: Table) => {
      assert.ok(table instanceof Table);
      sizes.push(table.numRows);
      const id = table.getChild('id')!.toArray() as Int32Array;
      return tableFromArrays({ id, neg: Float64Array.from(id, (v) => -v) });
    },
    { batchFormat: 'arrow', batchSize: 100 },
  );
  const out = await ds.takeAll(ordered);
  assert.deepEqual(
    sizes.sort((a, b) => b - a),
    [100, 100, 50],
  );
  assert.deepEqual(out[42], { id: 42, neg: -42 });
  assert.equal(String((await ds.schema()).fields[1].type), 'Float64');
});

test('mapBatches with batchSize null hands whole blocks', async () => {
  const sizes: number[] = [];
  await range(1000)
    .mapBatches(
      (batch) => {
        sizes.push(batch.length);
        return batch;
      },
      { batchSize: null },
    )
    .count();
  assert.equal(
    sizes.reduce((a, b) => a + b),
    1000,
  );
  assert.ok(sizes.length > 1, 'range(1000) comes in several blocks');
});

// ---- column transforms ----------------------------------------------------------------------

test('addColumn, selectColumns, dropColumns, renameColumns', async () => {
  const base = fromItems([
    { a: 1, b: 'x', c: true },
    { a: 2, b: 'y', c: false },
  ]);
  assert.deepEqual(await base.addColumn('d', (r) => r.a * 10).takeAll(ordered), [
    { a: 1, b: 'x', c: true, d: 10 },
    { a: 2, b: 'y', c: false, d: 20 },
  ]);
  assert.deepEqual(await base.addColumn('a', (r) => -r.a).takeAll(ordered), [
    { a: -1, b: 'x', c: true },
    { a: -2, b: 'y', c: false },
  ]);
  assert.deepEqual(await base.selectColumns(['c', 'a']).takeAll(ordered), [
    { c: true, a: 1 },
    { c: false, a: 2 },
  ]);
  assert.deepEqual(
    (await base.selectColumns(['c', 'a']).schema()).fields.map((f) => f.name),
    ['c', 'a'],
  );
  assert.deepEqual(await base.dropColumns(['b']).takeAll(ordered), [
    { a: 1, c: true },
    { a: 2, c: false },
  ]);
  const renamed = await base.renameColumns({ a: 'alpha' }).takeAll(ordered);
  assert.deepEqual(renamed, [
    { alpha: 1, b: 'x', c: true },
    { alpha: 2, b: 'y', c: false },
  ]);
});

test('column transforms after a row map work on rows, and on blocks alone', async () => {
  const viaRows = await range(3)
    .map((r) => ({ id: r.id, t: `t${r.id}`, drop: 0 }))
    .dropColumns(['drop'])
    .renameColumns({ t: 'text' })
    .takeAll(ordered);
  assert.deepEqual(viaRows, [
    { id: 0, text: 't0' },
    { id: 1, text: 't1' },
    { id: 2, text: 't2' },
  ]);
  const blocksOnly = await range(3).renameColumns({ id: 'key' }).selectColumns(['key']).takeAll(ordered);
  assert.deepEqual(blocksOnly, [{ key: 0 }, { key: 1 }, { key: 2 }]);
});

test('selecting, dropping or renaming a column that does not exist fails with its name, on blocks and on rows', async () => {
  const mapped = range(3).map((r) => ({ id: r.id, s: 'x' }));
  const cases = [
    range(3).selectColumns(['nope' as 'id']),
    mapped.selectColumns(['id', 'nope' as 's']),
    range(3).dropColumns(['nope' as 'id']),
    mapped.dropColumns(['nope' as 'id']),
    range(3).renameColumns({ nope: 'x' } as unknown as { id: string }),
    mapped.renameColumns({ nope: 'x' } as unknown as { id: string }),
  ];
  for (const ds of cases) {
    await assert.rejects(ds.takeAll(), (error: unknown) => {
      assert.ok(error instanceof SchemaError, String(error));
      assert.match(error.message, /no column 'nope'/);
      return true;
    });
  }
});

// ---- limit, union, repartition -------------------------------------------------------------

test('limit', async () => {
  assert.deepEqual(ids(await range(100).limit(3).takeAll(ordered)), [0, 1, 2]);
  assert.equal(await range(100).limit(0).count(), 0);
  assert.equal(await range(10).limit(50).count(), 10);
  assert.equal(
    await range(1000)
      .filter((r) => r.id % 3 === 0)
      .limit(7)
      .count(),
    7,
  );
  assert.throws(() => range(10).limit(-1), InvalidOptionError);
});

test('union', async () => {
  const ds = range(3).union(
    range(2).map((r) => ({ id: r.id + 100 })),
    fromItems([{ id: 7 }]),
  );
  assert.deepEqual(ids(await ds.takeAll(ordered)), [0, 1, 2, 100, 101, 7]);
  assert.deepEqual(
    ids(await ds.takeAll()).sort((a, b) => a - b),
    [0, 1, 2, 7, 100, 101],
  );
});

test('union of a dataset with itself runs each side in full', async () => {
  const slow = fromAsyncIterable(async function* () {
    for (let i = 0; i < 3000; i++) {
      if (i % 300 === 0) await new Promise((r) => setTimeout(r, 2));
      yield { i };
    }
  });
  for (const preserveOrder of [false, true]) {
    assert.equal(await slow.union(slow).count({ preserveOrder }), 6000);
  }
  const base = range(1000).map((r) => ({ id: r.id }));
  const rows = await base.union(base, base.limit(5)).takeAll(ordered);
  assert.equal(rows.length, 2005);
  assert.deepEqual(ids(rows.slice(995, 1005)), [995, 996, 997, 998, 999, 0, 1, 2, 3, 4]);
});

test('repartition(n) gives n blocks with the same rows', async () => {
  const blockSizes = async (ds: Dataset<{ id: number }>) => {
    const sizes: number[] = [];
    for await (const batch of ds.iterBatches({ batchSize: null, ...ordered })) sizes.push(batch.length);
    return sizes;
  };
  const ds = range(1000);
  assert.ok((await blockSizes(ds)).length > 4);
  assert.deepEqual(await blockSizes(ds.repartition(4)), [250, 250, 250, 250]);
  assert.deepEqual(await blockSizes(ds.repartition(3)), [333, 333, 334]);
  assert.deepEqual(ids(await ds.repartition(3).takeAll(ordered)), ids(await ds.takeAll(ordered)));
  const stats = await ds.repartition(5).stats();
  const op = stats.operators.find((s) => s.name === 'Repartition(5)');
  assert.ok(op);
  assert.equal(op.blocksOut, 5);
  assert.equal(op.rowsOut, 1000);
});

// ---- all-to-all ----------------------------------------------------------------------------

test('randomShuffle({seed}) is a reproducible permutation', async () => {
  const a = ids(await range(500).randomShuffle({ seed: 42 }).takeAll());
  const b = ids(await range(500).randomShuffle({ seed: 42 }).takeAll());
  const c = ids(await range(500).randomShuffle({ seed: 7 }).takeAll());
  const all = Array.from({ length: 500 }, (_, i) => i);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  assert.notDeepEqual(a, all);
  assert.deepEqual(
    [...a].sort((x, y) => x - y),
    all,
  );
  assert.deepEqual(
    [...c].sort((x, y) => x - y),
    all,
  );
  assert.throws(() => range(3).randomShuffle({ seed: 1.5 }), InvalidOptionError);
});

test('sort: ascending, descending, string keys, several keys', async () => {
  const shuffled = range(200).randomShuffle({ seed: 1 });
  assert.deepEqual(
    ids(await shuffled.sort('id').takeAll()),
    Array.from({ length: 200 }, (_, i) => i),
  );
  assert.deepEqual(
    ids(await shuffled.sort('id', { descending: true }).takeAll()),
    Array.from({ length: 200 }, (_, i) => 199 - i),
  );
  const people = fromItems([
    { name: 'carol', age: 30 },
    { name: 'alice', age: 30 },
    { name: 'bob', age: 25 },
    { name: 'Zed', age: 25 },
    { name: 'alice', age: 22 },
  ]);
  assert.deepEqual(
    (await people.sort('name').takeAll()).map((p) => p.name),
    ['Zed', 'alice', 'alice', 'bob', 'carol'],
  );
  assert.deepEqual(
    (await people.sort(['age', 'name']).takeAll()).map((p) => `${p.age}:${p.name}`),
    ['22:alice', '25:Zed', '25:bob', '30:alice', '30:carol'],
  );
  assert.deepEqual(
    (await people.sort(['age', 'name'], { descending: true }).takeAll()).map((p) => `${p.age}:${p.name}`),
    ['30:carol', '30:alice', '25:bob', '25:Zed', '22:alice'],
  );
});

test('sort puts nulls last in both directions, and orders dates', async () => {
  const ds = fromItems([{ a: 2 }, { a: null }, { a: 3 }, { a: 1 }]);
  assert.deepEqual(
    (await ds.sort('a').takeAll()).map((r) => r.a),
    [1, 2, 3, null],
  );
  assert.deepEqual(
    (await ds.sort('a', { descending: true }).takeAll()).map((r) => r.a),
    [3, 2, 1, null],
  );
  const events = fromItems([{ at: new Date(3000) }, { at: new Date(1000) }, { at: new Date(2000) }]);
  const sorted = await events.sort('at').takeAll();
  assert.ok(sorted[0].at instanceof Date);
  assert.deepEqual(
    sorted.map((r) => r.at.getTime()),
    [1000, 2000, 3000],
  );
});

test('groupBy(key).count(), sum(), mean() and aggregate(count, min, max, std)', async () => {
  const ds = range(10).map((r) => ({ group: r.id % 3 === 0 ? 'a' : 'b', v: r.id }));
  // a: 0, 3, 6, 9   b: 1, 2, 4, 5, 7, 8
  assert.deepEqual(await ds.groupBy('group').count().takeAll(), [
    { group: 'a', 'count()': 4 },
    { group: 'b', 'count()': 6 },
  ]);
  assert.deepEqual(await ds.groupBy('group').sum('v').takeAll(), [
    { group: 'a', 'sum(v)': 18 },
    { group: 'b', 'sum(v)': 27 },
  ]);
  assert.deepEqual(await ds.groupBy('group').mean('v').takeAll(), [
    { group: 'a', 'mean(v)': 4.5 },
    { group: 'b', 'mean(v)': 4.5 },
  ]);
  const stats = await ds.groupBy('group').aggregate(count(), min('v'), max('v'), std('v'), sum('v'), mean('v')).takeAll();
  assert.equal(stats.length, 2);
  const [a, b] = stats as Record<string, unknown>[];
  assert.equal(a.group, 'a');
  assert.equal(a['count()'], 4);
  assert.equal(a['min(v)'], 0);
  assert.equal(a['max(v)'], 9);
  // Sample standard deviation of 0, 3, 6, 9: sqrt(15).
  assert.ok(Math.abs((a['std(v)'] as number) - Math.sqrt(15)) < 1e-12);
  assert.equal(b['min(v)'], 1);
  assert.equal(b['max(v)'], 8);
  assert.ok(Math.abs((b['std(v)'] as number) - Math.sqrt(7.5)) < 1e-12);
});

test('groupBy over several keys, and over many blocks', async () => {
  const ds = range(10_000).map((r) => ({ a: r.id % 2, b: r.id % 3 === 0 ? 'x' : 'y', v: 1 }));
  const rows = await ds.groupBy(['a', 'b']).sum('v').takeAll();
  assert.deepEqual(
    rows.map((r) => [r.a, r.b, r['sum(v)']]),
    [
      [0, 'x', 1667],
      [0, 'y', 3333],
      [1, 'x', 1667],
      [1, 'y', 3333],
    ],
  );
});

test('unique(column)', async () => {
  const ds = range(1000).map((r) => ({ id: r.id, bucket: `b${r.id % 7}` }));
  const values = (await ds.unique('bucket').takeAll()).map((r) => r.bucket).sort();
  assert.deepEqual(values, ['b0', 'b1', 'b2', 'b3', 'b4', 'b5', 'b6']);
  const rows = await ds.unique('bucket').takeAll();
  assert.deepEqual(Object.keys(rows[0]), ['bucket']);
});

// ---- consumers -----------------------------------------------------------------------------

test('take, takeAll', async () => {
  assert.equal((await range(1000).take()).length, 20);
  assert.deepEqual(ids(await range(1000).take(3, ordered)), [0, 1, 2]);
  assert.equal((await range(1000).takeAll()).length, 1000);
});

test('takeBatch in rows, columns and arrow formats', async () => {
  const ds = range(100).map((r) => ({ id: r.id, name: `n${r.id}` }));
  const rows = await ds.takeBatch(5, ordered);
  assert.deepEqual(
    rows.map((r) => r.name),
    ['n0', 'n1', 'n2', 'n3', 'n4'],
  );
  const columns = await ds.takeBatch(4, { batchFormat: 'columns', ...ordered });
  assert.ok(columns.id instanceof Int32Array);
  assert.deepEqual([...columns.id], [0, 1, 2, 3]);
  assert.deepEqual(columns.name, ['n0', 'n1', 'n2', 'n3']);
  const table = await ds.takeBatch(6, { batchFormat: 'arrow' });
  assert.ok(table instanceof Table);
  assert.equal(table.numRows, 6);
  assert.equal(String(table.schema.fields[1].type), 'Utf8');
});

test('show prints one JSON line per row', async () => {
  const lines = await captureLog(() =>
    range(10)
      .map((r) => ({ id: r.id, s: `v${r.id}` }))
      .show(3, ordered),
  );
  assert.deepEqual(lines, ['{"id":0,"s":"v0"}', '{"id":1,"s":"v1"}', '{"id":2,"s":"v2"}']);
});

test('count', async () => {
  assert.equal(await range(12_345).count(), 12_345);
  assert.equal(
    await range(12_345)
      .filter((r) => r.id < 10)
      .count(),
    10,
  );
  assert.equal(await fromItems([]).count(), 0);
});

test('schema returns the Arrow schema', async () => {
  const schema = await fromItems([{ n: 1, s: 'a', v: new Float32Array(4), big: 1n }]).schema();
  assert.ok(schema instanceof Schema);
  assert.deepEqual(
    schema.fields.map((f) => f.name),
    ['n', 's', 'v', 'big'],
  );
  assert.equal(String(schema.fields[0].type), 'Int32');
  assert.ok(DataType.isUtf8(schema.fields[1].type));
  assert.ok(DataType.isList(schema.fields[2].type));
  assert.equal(String(schema.fields[2].type.children[0].type), 'Float32');
  assert.equal(String(schema.fields[3].type), 'Int64');
  assert.equal((await range(3).schema()).fields[0].name, 'id');
});

test('iterRows streams every row', async () => {
  let n = 0;
  for await (const row of range(5000).iterRows(ordered)) {
    assert.equal(row.id, n);
    n++;
  }
  assert.equal(n, 5000);
});

test('iterRows: a break stops upstream work', async () => {
  const f = countCalls((r: { id: number }) => ({ id: r.id }));
  const ds = range(1_000_000).map(f.fn);
  const seen: number[] = [];
  const started = performance.now();
  for await (const row of ds.iterRows({ memoryBudget: 1 << 20 })) {
    seen.push(row.id);
    if (seen.length === 10) break;
  }
  assert.equal(seen.length, 10);
  const callsAtBreak = f.calls;
  assert.ok(callsAtBreak < 200_000, `the map ran ${callsAtBreak} times for 10 rows`);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(f.calls, callsAtBreak, 'no work after the break');
  assert.ok(performance.now() - started < 2_000);
});

test('iterBatches with batchSize and each format', async () => {
  const ds = range(1000).map((r) => ({ id: r.id, s: String(r.id) }));
  const sizes: number[] = [];
  for await (const batch of ds.iterBatches({ batchSize: 300 })) sizes.push(batch.length);
  assert.equal(sizes.length, 4);
  assertExactBatches(sizes, 300, 1000);

  const firsts: number[] = [];
  for await (const batch of ds.iterBatches({ batchSize: 256, batchFormat: 'columns', ...ordered })) {
    assert.ok(batch.id instanceof Int32Array);
    assert.ok(Array.isArray(batch.s));
    firsts.push(batch.id[0]);
  }
  assert.deepEqual(firsts, [0, 256, 512, 768]);

  const tables: number[] = [];
  for await (const table of ds.iterBatches({ batchSize: 500, batchFormat: 'arrow' })) {
    assert.ok(table instanceof Table);
    tables.push(table.numRows);
  }
  assert.deepEqual(tables, [500, 500]);
  assert.throws(() => ds.iterBatches({ batchSize: 0 }), InvalidOptionError);
});

test('toArrow gives one table of every row', async () => {
  const table = await range(1000)
    .map((r) => ({ id: r.id, half: r.id / 2 }))
    .toArrow(ordered);
  assert.ok(table instanceof Table);
  assert.equal(table.numRows, 1000);
  assert.equal(table.getChild('half')!.get(999), 499.5);
  assert.deepEqual(
    table.schema.fields.map((f) => `${f.name}:${f.type}`),
    ['id:Int32', 'half:Float64'],
  );
});

test('materialize runs the plan once; its dataset does not re-run the UDF', async () => {
  const f = countCalls((r: { id: number }) => ({ id: r.id, x: r.id + 1 }));
  const materialized = await range(1000).map(f.fn).materialize();
  assert.equal(f.calls, 1000);
  assert.equal(await materialized.count(), 1000);
  const rows = await materialized.takeAll();
  assert.equal(rows.length, 1000);
  assert.deepEqual(
    ids(rows).sort((a, b) => a - b),
    Array.from({ length: 1000 }, (_, i) => i),
  );
  assert.equal(await materialized.filter((r) => r.x > 500).count(), 500);
  assert.equal(f.calls, 1000, 'the map ran once');
});

test('stats() reports rows in and out per operator', async () => {
  const ds = range(100)
    .filter((r) => r.id % 2 === 0)
    .map((r) => ({ id: r.id }), { name: 'keep' });
  await ds.count();
  const stats = await ds.stats();
  const names = stats.operators.map((s) => s.name);
  assert.deepEqual(names, ['Range(100)', 'Filter(anonymous)->keep']);
  const [source, fused] = stats.operators;
  assert.equal(source.rowsOut, 100);
  assert.equal(fused.rowsIn, 100);
  assert.equal(fused.rowsOut, 50);
  assert.ok(fused.tasks >= 1);
  assert.ok(stats.wallMs > 0);
  assert.match(stats.toString(), /rows in/);
  // After take(), stats() reports that run rather than running the whole dataset.
  const f = countCalls((r: { id: number }) => ({ id: r.id }));
  const huge = range(1_000_000_000).map(f.fn);
  assert.equal((await huge.take(3)).length, 3);
  const afterTake = await huge.stats();
  assert.equal(f.calls, 3);
  assert.equal(afterTake.operators[0].name, 'Range(3)');
  assert.equal((await huge.takeBatch(4, { batchFormat: 'arrow' })).numRows, 4);
  assert.equal((await huge.stats()).operators[0].name, 'Range(4)');
  assert.equal(f.calls, 7);
  // stats() on a dataset that has not run runs it.
  const fresh = await range(10).stats();
  assert.equal(fresh.operators[0].rowsOut, 10);
});

test('explain() prints and returns the three plans with operator names', async () => {
  const ds = range(100)
    .map(function double(r) {
      return { id: r.id * 2 };
    })
    .filter(function big(r) {
      return r.id > 10;
    })
    .limit(5);
  let text = '';
  const lines = await captureLog(() => (text = ds.explain()));
  assert.equal(lines.join('\n'), text);
  assert.match(text, /-------- Logical Plan --------/);
  assert.match(text, /-------- Logical Plan \(Optimized\) --------/);
  assert.match(text, /-------- Physical Plan --------/);
  for (const name of ['Range(100)', 'Map(double)', 'Filter(big)', 'Limit(5)', 'Map(double)->Filter(big)']) {
    assert.ok(text.includes(name), `explain lacks ${name}:\n${text}`);
  }
});

// ---- laziness, immutability, types ----------------------------------------------------------

test('nothing runs until a consumer is called', async () => {
  const f = countCalls((r: { id: number }) => ({ id: r.id }));
  const ds = range(100)
    .map(f.fn)
    .filter((r) => r.id > 3)
    .sort('id')
    .limit(10);
  await captureLog(() => ds.explain());
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(f.calls, 0);
  assert.equal(await ds.count(), 10);
  assert.ok(f.calls > 0);
});

test('datasets are immutable: deriving from a base leaves it unchanged', async () => {
  const base = range(10);
  const plan = base.plan;
  const mapped = base.map((r) => ({ id: r.id, y: r.id * 10 }));
  const filtered = base.filter((r) => r.id < 3);
  const limited = base.limit(2);
  assert.equal(base.plan, plan);
  assert.ok(Object.isFrozen(base.plan));
  assert.notEqual(mapped.plan, plan);
  assert.deepEqual(
    ids(await base.takeAll(ordered)),
    Array.from({ length: 10 }, (_, i) => i),
  );
  assert.equal((await mapped.takeAll()).length, 10);
  assert.equal(await filtered.count(), 3);
  assert.equal(await limited.count(), 2);
  assert.deepEqual(Object.keys((await base.take(1))[0]), ['id']);
});

test('row types follow the transforms (compile-time checks)', async () => {
  const doubled: { id: number; double: number }[] = await range(3)
    .map((r) => ({ id: r.id, double: r.id * 2 }))
    .takeAll(ordered);
  assert.deepEqual(doubled[2], { id: 2, double: 4 });

  const withColumn: { id: number; label: string }[] = await range(2)
    .addColumn('label', (r) => `#${r.id}`)
    .takeAll();
  assert.equal(withColumn.length, 2);

  const selected: { b: string }[] = await fromItems([{ a: 1, b: 'x' }])
    .selectColumns(['b'])
    .takeAll();
  assert.deepEqual(selected, [{ b: 'x' }]);

  const renamed: { alpha: number; b: string }[] = await fromItems([{ a: 1, b: 'x' }])
    .renameColumns({ a: 'alpha' })
    .takeAll();
  assert.deepEqual(renamed, [{ alpha: 1, b: 'x' }]);

  const dropped: { b: string }[] = await fromItems([{ a: 1, b: 'x' }])
    .dropColumns(['a'])
    .takeAll();
  assert.deepEqual(dropped, [{ b: 'x' }]);

  const counted: { k: string; 'count()': number }[] = await fromItems([{ k: 'x', v: 1 }])
    .groupBy('k')
    .count()
    .takeAll();
  assert.deepEqual(counted, [{ k: 'x', 'count()': 1 }]);

  // A batch UDF returning an Arrow Table or RecordBatch gives Row (its columns are known at
  // run time only), function or class; an explicit row type still applies.
  const fromTable = range(4).mapBatches((rows) => tableFromArrays({ id: Float64Array.from(rows, (r) => r.id) }));
  /* eslint-disable @typescript-eslint/no-unused-vars -- built only for their types, which the Equal<RowOf<typeof ...>> checks below assert */
  const fromBatch = range(4).mapBatches((table) => Promise.resolve(table.batches[0]), { batchFormat: 'arrow' });
  const fromColumnsTable = range(4).mapBatches((columns) => tableFromArrays({ id: columns.id }), { batchFormat: 'columns' });
  const fromClass = range(4).mapBatches(arrowTwiceUdf, { batchFormat: 'arrow' });
  /* eslint-enable @typescript-eslint/no-unused-vars */
  const explicit = range(4).mapBatches<{ id: number; twice: number }>(arrowTwiceUdf, { batchFormat: 'arrow' });
  const rowTyped: [
    Equal<RowOf<typeof fromTable>, Row>,
    Equal<RowOf<typeof fromBatch>, Row>,
    Equal<RowOf<typeof fromColumnsTable>, Row>,
    Equal<RowOf<typeof fromClass>, Row>,
  ] = [true, true, true, true];
  assert.equal(rowTyped.length, 4);
  const explicitTyped: Equal<RowOf<typeof explicit>, { id: number; twice: number }> = true;
  assert.ok(explicitTyped);
  assert.deepEqual((await fromTable.takeAll(ordered))[3], { id: 3 });
  const twice: number[] = (await explicit.takeAll({ ...ordered, cpus: 2 })).map((r) => r.twice);
  assert.deepEqual(twice, [0, 2, 4, 6]);
  // Rows and columns results still give their own row types.
  /* eslint-disable @typescript-eslint/no-unused-vars -- built only for their types, which the Equal<RowOf<typeof ...>> checks below assert */
  const fromRows = range(2).mapBatches((rows) => Promise.resolve(rows.map((r) => ({ y: r.id }))));
  const fromColumns = range(2).mapBatches((columns) => ({ id: columns.id, label: ['a', 'b'] }), { batchFormat: 'columns' });
  /* eslint-enable @typescript-eslint/no-unused-vars */
  const resultTyped: [Equal<RowOf<typeof fromRows>, { y: number }>, Equal<RowOf<typeof fromColumns>, { id: number; label: string }>] = [
    true,
    true,
  ];
  assert.equal(resultTyped.length, 2);
  // @ts-expect-error a Table result has no known columns: 'id' is unknown, not a number
  // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment, @typescript-eslint/restrict-plus-operands -- the deliberate type error above
  fromTable.map((r) => ({ n: r.id + 1 }));

  // @ts-expect-error 'nope' is not a column of {id: number}
  range(3).selectColumns(['nope']);
  // @ts-expect-error 'nope' is not a column of {id: number}
  range(3).dropColumns(['nope']);
  // @ts-expect-error 'nope' is not a column to sort by
  range(3).sort('nope');
  // prettier-ignore
  // @ts-expect-error the row has no 'name' after selectColumns(['id'])
  // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- the deliberate type error above
  range(3).selectColumns(['id']).map((r) => ({ n: r.name }));
  // @ts-expect-error a map must return a row (an object), not a number
  range(3).map((r) => r.id);
  // prettier-ignore
  // @ts-expect-error sum() takes a numeric column
  fromItems([{ k: 'x', s: 'text' }]).groupBy('k').sum('s');
});

test('filter takes true or false: a truthy number or string fails with a UdfError naming the row', async () => {
  await assert.rejects(
    range(5)
      .filter((r) => r.id as unknown as boolean, { name: 'Truthy' })
      .takeAll(),
    (error: unknown) =>
      error instanceof UdfError && /^Truthy failed at .*filter must return true or false; it returned number/.test(error.message),
  );
  assert.equal(
    (
      await range(5)
        .filter((r) => r.id > 2)
        .takeAll()
    ).length,
    2,
  );
});
