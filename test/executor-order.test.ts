/**
 * preserveOrder: rows in input order even when tasks finish out of order; without it, rows
 * flow as tasks complete (the same rows, in another order).
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { configure, range } from '../src/index.js';
import { slowFirstBlockUdf } from './fixtures/executor-udfs.js';

const N = 640; // ten blocks of 64 rows: ten tasks, the first one slow
const inOrder = Array.from({ length: N }, (_, i) => i);

function isSorted(ids: readonly number[]): boolean {
  return ids.every((id, i) => i === 0 || ids[i - 1] < id);
}

test('task pool: preserveOrder returns rows in input order although the first task finishes last', async () => {
  const ds = range(N).map(slowFirstBlockUdf);
  const ordered = await ds.takeAll({ preserveOrder: true, cpus: 2 });
  assert.deepEqual(
    ordered.map((r) => r.id),
    inOrder,
  );
  assert.deepEqual(
    ordered.map((r) => r.sq),
    inOrder.map((i) => i * i),
  );

  const asCompleted = (await ds.takeAll({ preserveOrder: false, cpus: 2 })).map((r) => r.id);
  assert.equal(isSorted(asCompleted), false, 'without preserveOrder the slow first task should come out after later ones');
  assert.ok(asCompleted.indexOf(0) > 64, `row 0 came out at position ${asCompleted.indexOf(0)}`);
  assert.deepEqual(
    [...asCompleted].sort((a, b) => a - b),
    inOrder,
  );
});

test('main thread: preserveOrder from configure() orders the output of an async map', async () => {
  const ds = range(N).map(async (row: { id: number }) => {
    await sleep(row.id < 64 ? 60 : 0);
    return { id: row.id };
  });
  configure({ preserveOrder: true });
  try {
    assert.deepEqual(
      (await ds.takeAll()).map((r) => r.id),
      inOrder,
    );
  } finally {
    configure({ preserveOrder: false });
  }
  const asCompleted = (await ds.takeAll()).map((r) => r.id);
  assert.equal(isSorted(asCompleted), false, 'the slow first block should come out after later ones');
  assert.deepEqual(
    [...asCompleted].sort((a, b) => a - b),
    inOrder,
  );
});
