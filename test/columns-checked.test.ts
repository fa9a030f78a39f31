import { test } from 'node:test';
import assert from 'node:assert/strict';
import { count, fromAsyncIterable, fromItems, max, mean, range, SchemaError, std, sum, type AggregateFn } from '../src/index.js';

// Every operator that takes a column name checks it against the first block: a misspelled
// column is a SchemaError naming the operator, the column, the columns there are and the
// nearest name, never nulls that sort, group or sum into a wrong answer.

const orders = [
  { id: 1, qty: 5, region: 'east' },
  { id: 2, qty: 3, region: 'west' },
  { id: 3, qty: 4, region: 'east' },
  { id: 4, qty: 1, region: 'west' },
];
const ordered = { preserveOrder: true };

/** Runs `ds` and expects the SchemaError `${operator}: no column '${missing}' (did you mean '${nearest}'?); the columns are ...`. */
async function rejectsMissing(
  ds: { takeAll(): Promise<unknown> },
  operator: string,
  missing: string,
  nearest: string,
  columns = 'id, qty, region',
): Promise<void> {
  await assert.rejects(ds.takeAll(), (error: unknown) => {
    assert.ok(error instanceof SchemaError, String(error));
    assert.equal(error.message, `${operator}: no column '${missing}' (did you mean '${nearest}'?); the columns are ${columns}`);
    return true;
  });
}

test('sort by a missing key fails, with one key or several, ascending or descending', async () => {
  const ds = fromItems(orders);
  await rejectsMissing(ds.sort('qtty' as 'qty'), 'Sort(qtty)', 'qtty', 'qty');
  const keys: ('region' | 'qty')[] = ['region', 'qtty' as 'qty'];
  await rejectsMissing(ds.sort(keys, { descending: true }), 'Sort(region, qtty desc)', 'qtty', 'qty');
});

test('a missing sort key fails at the first block, before the rest of the input is read', async () => {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const total = 50;
  let pulled = 0;
  // The pause after the first row flushes it as a block of its own; the rest trickles in over a second.
  const ds = fromAsyncIterable(async function* () {
    for (let i = 0; i < total; i++) {
      pulled++;
      yield { id: i, qty: i };
      await sleep(i === 0 ? 200 : 20);
    }
  });
  await rejectsMissing(ds.sort('qtty' as 'qty'), 'Sort(qtty)', 'qtty', 'qty', 'id, qty');
  assert.ok(pulled < total, `the source was read to its end (${pulled} rows) before the error`);
});

test('groupBy a missing key fails, with one key or several', async () => {
  const ds = fromItems(orders);
  await rejectsMissing(ds.groupBy('regoin' as 'region').count(), 'Aggregate(regoin: count())', 'regoin', 'region');
  const keys: ('region' | 'id')[] = ['region', 'idd' as 'id'];
  await rejectsMissing(ds.groupBy(keys).sum('qty'), 'Aggregate(region, idd: sum(qty))', 'idd', 'id');
});

test('an aggregation of a missing column fails: sum, mean and the aggregate() functions', async () => {
  const grouped = fromItems(orders).groupBy('region');
  await rejectsMissing(grouped.sum('qtty' as 'qty'), 'Aggregate(region: sum(qtty))', 'qtty', 'qty');
  await rejectsMissing(grouped.mean('qtty' as 'qty'), 'Aggregate(region: mean(qtty))', 'qtty', 'qty');
  await rejectsMissing(
    grouped.aggregate(count(), max('qty'), std('qtty')),
    'Aggregate(region: count(), max(qty), std(qtty))',
    'qtty',
    'qty',
  );
  // Grouped by no key: one row for the whole dataset.
  await rejectsMissing(fromItems(orders).groupBy([]).aggregate(mean('qtty')), 'Aggregate(: mean(qtty))', 'qtty', 'qty');
});

test("a user's AggregateFn that names the columns it reads is checked too", async () => {
  const weighted: AggregateFn<number, number> = {
    name: 'weighted',
    columns: ['qty', 'wieght'],
    init: () => 0,
    accumulate: (acc, row) => acc + Number(row.qty) * Number(row.wieght),
    merge: (a, b) => a + b,
    finalize: (acc) => acc,
  };
  const rows = orders.map((o) => ({ ...o, weight: 2 }));
  await rejectsMissing(
    fromItems(rows).groupBy('region').aggregate(weighted),
    'Aggregate(region: weighted)',
    'wieght',
    'weight',
    'id, qty, region, weight',
  );
});

test('unique of a missing column fails', async () => {
  await rejectsMissing(fromItems(orders).unique('regoin' as 'region'), 'Unique(regoin)', 'regoin', 'region');
});

test('dropColumns of a missing column fails, on blocks and on rows', async () => {
  const ds = fromItems(orders);
  await rejectsMissing(ds.dropColumns(['qtty' as 'qty']), 'DropColumns(qtty)', 'qtty', 'qty');
  // After a row function the rows are dropped from as objects, before they become a block again.
  await rejectsMissing(ds.map((r) => r).dropColumns(['id', 'regoin' as 'region']), 'DropColumns(id, regoin)', 'regoin', 'region');
});

test('correct names give the same results as before, and an empty output has nothing to check', async () => {
  const ds = fromItems(orders);
  assert.deepEqual(
    (await ds.sort('qty').takeAll(ordered)).map((r) => r.id),
    [4, 2, 3, 1],
  );
  assert.deepEqual(
    (await ds.sort(['region', 'qty'], { descending: true }).takeAll(ordered)).map((r) => r.id),
    [2, 4, 1, 3],
  );
  assert.deepEqual(await ds.groupBy('region').sum('qty').takeAll(ordered), [
    { region: 'east', 'sum(qty)': 9 },
    { region: 'west', 'sum(qty)': 4 },
  ]);
  assert.deepEqual(await ds.groupBy('region').aggregate(count(), mean('qty')).takeAll(ordered), [
    { region: 'east', 'count()': 2, 'mean(qty)': 4.5 },
    { region: 'west', 'count()': 2, 'mean(qty)': 2 },
  ]);
  assert.deepEqual(await ds.groupBy([]).aggregate(sum('qty')).takeAll(), [{ 'sum(qty)': 13 }]);
  assert.deepEqual((await ds.unique('region').takeAll()).map((r) => r.region).sort(), ['east', 'west']);
  assert.deepEqual(await ds.dropColumns(['id', 'qty']).takeAll(ordered), [
    { region: 'east' },
    { region: 'west' },
    { region: 'east' },
    { region: 'west' },
  ]);
  // No rows, no schema to check against: the names pass, as selectColumns' always did.
  assert.deepEqual(await range(0).sort('id').takeAll(), []);
  assert.deepEqual(await range(0).dropColumns(['id']).takeAll(), []);
  // A step whose output is empty may leave a block with no columns at all; the next column step has nothing to check.
  const none = range(10)
    .filter((r) => r.id > 100)
    .mapBatches((rows) => rows);
  assert.deepEqual(await none.selectColumns(['id']).takeAll(), []);
  assert.deepEqual(await none.dropColumns(['id']).takeAll(), []);
});
