/**
 * UDF errors: the consuming call rejects with a UdfError that names the operator (its
 * `name` option or `Map(fnName)`), where the input was (row index, a preview of the row)
 * and keeps the original error as `cause`, on the main thread and from worker threads.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { range, UdfError } from '../src/index.js';
import { failOnSevenUdf } from './fixtures/executor-udfs.js';

test('main thread: a map error names the operator from the function name and keeps the error as cause', async () => {
  const original = new TypeError('id 7 is unlucky');
  function unlucky(row: { id: number }) {
    if (row.id === 7) throw original;
    return row;
  }
  await assert.rejects(range(10).map(unlucky).takeAll(), (error: unknown) => {
    assert.ok(error instanceof UdfError, String(error));
    assert.equal(error.operator, 'Map(unlucky)');
    assert.equal(error.cause, original);
    assert.equal(error.input.rowIndex, 7);
    assert.equal(error.input.preview, '{"id":7}');
    assert.match(error.message, /^Map\(unlucky\) failed at task 0, row 7 of its batch \(input \{"id":7\}\): id 7 is unlucky$/);
    return true;
  });
});

test('main thread: the name option names the operator in the error', async () => {
  const ds = range(10)
    .map((row) => ({ id: row.id, half: row.id / 2 }))
    .filter(
      (row) => {
        if (row.half === 3) throw new Error('no threes');
        return true;
      },
      { name: 'DropThrees' },
    );
  await assert.rejects(ds.count(), (error: unknown) => {
    assert.ok(error instanceof UdfError);
    assert.equal(error.operator, 'DropThrees');
    assert.match(error.message, /^DropThrees failed/);
    assert.equal(error.input.preview, '{"id":6,"half":3}');
    assert.equal((error.cause as Error).message, 'no threes');
    return true;
  });
});

test('main thread: an async UDF rejection is reported the same way', async () => {
  const ds = range(100).map(async (row: { id: number }) => {
    await new Promise((resolve) => setTimeout(resolve, 1));
    if (row.id === 42) throw new Error('async failure on 42');
    return row;
  });
  await assert.rejects(ds.takeAll(), (error: unknown) => {
    assert.ok(error instanceof UdfError);
    assert.equal(error.operator, 'Map(anonymous)');
    assert.equal(error.input.rowIndex, 42);
    assert.equal((error.cause as Error).message, 'async failure on 42');
    return true;
  });
});

test('mapBatches: the error gives the batch offset and the operator name', async () => {
  function rejectSecondBatch(batch: { id: number }[]) {
    if (batch[0].id === 10) throw new Error('second batch refused');
    return batch;
  }
  await assert.rejects(range(30).mapBatches(rejectSecondBatch, { batchSize: 10 }).takeAll(), (error: unknown) => {
    assert.ok(error instanceof UdfError);
    assert.equal(error.operator, 'MapBatches(rejectSecondBatch)');
    assert.equal(error.input.rowIndex, 10);
    assert.equal((error.cause as Error).message, 'second batch refused');
    return true;
  });
});

test('worker thread: the error names the operator and the row, and the cause keeps its message and name', async () => {
  await assert.rejects(range(10).map(failOnSevenUdf).takeAll({ cpus: 2 }), (error: unknown) => {
    assert.ok(error instanceof UdfError, String(error));
    assert.equal(error.operator, 'Map(failOnSeven)');
    assert.equal(error.input.rowIndex, 7);
    assert.equal(error.input.preview, '{"id":7}');
    assert.ok(error.cause instanceof Error);
    assert.equal(error.cause.message, 'row 7 is out of range');
    assert.equal(error.cause.name, 'RangeError');
    assert.match(error.cause.stack ?? '', /failOnSeven/, 'the worker-side stack is kept');
    assert.match(error.message, /^Map\(failOnSeven\) failed at task 0, row 7 of its batch \(input \{"id":7\}\): row 7 is out of range$/);
    return true;
  });
});

test('worker thread: the name option names the operator, also when fused with other steps', async () => {
  const ds = range(10).map(failOnSevenUdf, { name: 'CheckRange' }).selectColumns(['id']);
  await assert.rejects(ds.takeAll({ cpus: 2 }), (error: unknown) => {
    assert.ok(error instanceof UdfError);
    assert.equal(error.operator, 'CheckRange');
    return true;
  });
});

test('an error stops the job: upstream work ends soon after the failing task', async () => {
  let calls = 0;
  const ds = range(100_000).map((row: { id: number }) => {
    calls++;
    if (row.id === 10) throw new Error('stop here');
    return row;
  });
  await assert.rejects(ds.takeAll(), UdfError);
  // The first block fails; the operator stops after the tasks it already had in flight.
  assert.ok(calls < 5_000, `${calls} calls after the first error`);
});

test('a failed batch is located by its rows within the task: several batches of one task', async () => {
  function rejectTwentyFive(batch: { id: number }[]) {
    if (batch.some((row) => row.id === 25)) throw new RangeError('id 25 is out of range');
    return batch;
  }
  // One block of 100 rows is one task; the function sees ten batches of 10.
  await assert.rejects(range(100).mapBatches(rejectTwentyFive, { batchSize: 10 }).takeAll(), (error: unknown) => {
    assert.ok(error instanceof UdfError, String(error));
    assert.equal(error.input.rowIndex, 20);
    assert.equal(error.input.batchRows, 10);
    assert.match(
      error.message,
      /^MapBatches\(rejectTwentyFive\) failed at task 0, the batch of rows 20-29 of its input: id 25 is out of range$/,
    );
    return true;
  });
});
