/**
 * The task pool: `udf(import.meta.url, fn)` functions run on worker threads, blocks cross
 * threads by transfer (not structured clone), numCpus limits tasks at once, and misplaced
 * or unresolvable UDFs fail with errors that say what to do.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { threadId as mainThreadId } from 'node:worker_threads';
import { Precision, Type, tableFromArrays, type DataType, type Float, type List } from 'apache-arrow';
import { fromArrow, fromItems, range, udf, UdfError, UdfPlacementError } from '../src/index.js';
import { identityTableUdf, missingExportRef, tagThread, tagThreadUdf, timeTaskUdf, watchPostedBuffers } from './fixtures/executor-udfs.js';

test('udf() functions run on worker threads, spread over more than one worker', async () => {
  const rows = await range(64 * 20)
    .map(tagThreadUdf)
    .takeAll({ cpus: 2 });
  assert.equal(rows.length, 64 * 20);
  const threads = new Set(rows.map((r) => r.thread));
  assert.ok(!threads.has(mainThreadId), 'a udf ran on the main thread');
  assert.ok(threads.size >= 2, `only ${threads.size} worker thread(s) ran tasks with cpus: 2`);
  assert.ok(threads.size <= 2, `${threads.size} worker threads for cpus: 2`);
});

test('the same function without udf() runs on the main thread', async () => {
  const rows = await range(100).map(tagThread).takeAll();
  assert.deepEqual(new Set(rows.map((r) => r.thread)), new Set([mainThreadId]));
});

test('a Float32Array vector column round-trips through a worker intact', async () => {
  const dim = 384;
  const input = Array.from({ length: 500 }, (_, id) => ({
    id,
    vector: Float32Array.from({ length: dim }, (_, j) => Math.fround(id + j / 1000)),
  }));
  const table = await fromItems(input)
    .mapBatches(identityTableUdf, { batchFormat: 'arrow', batchSize: 128 })
    .toArrow({ cpus: 2, preserveOrder: true });

  assert.equal(table.numRows, input.length);
  const field = table.schema.fields.find((f) => f.name === 'vector')!;
  const type = field.type as DataType;
  assert.equal(type.typeId, Type.List);
  const child = (type as List).children[0].type as Float;
  assert.ok(child.typeId === Type.Float && child.precision === Precision.SINGLE, `vector type is ${field.type}`);
  const ids = table.getChild('id')!;
  const vectors = table.getChild('vector')!;
  for (let i = 0; i < input.length; i++) {
    assert.equal(ids.get(i), i);
    // Arrow types a List column's value as any: here a Vector<Float32>, whose values are numbers.
    assert.deepEqual(Float32Array.from(vectors.get(i) as Iterable<number>), input[i].vector, `vector of row ${i}`);
  }
});

test('a block goes to a worker in a transfer list: the sent buffer is moved, not copied', async () => {
  const rows = 2 * 2 ** 20; // a 16 MiB column of doubles, one block
  const table = tableFromArrays({ x: Float64Array.from({ length: rows }, (_, i) => i) });
  // Piscina posts each task on a MessagePort: watch what the main thread moves with it.
  const watch = watchPostedBuffers();
  let out;
  try {
    out = await fromArrow(table).mapBatches(identityTableUdf, { batchFormat: 'arrow', batchSize: rows }).toArrow({ cpus: 1 });
  } finally {
    watch.restore();
  }
  assert.equal(out.numRows, rows);
  assert.equal(out.getChild('x')!.get(rows - 1), rows - 1);
  const big = watch.posted.filter((s) => s.before >= rows * 8);
  assert.equal(big.length, 1, `transfers seen: ${JSON.stringify(watch.posted)}`);
  assert.equal(big[0].after, 0, 'the block buffer is still attached after posting: it was copied, not moved');
});

test('result blocks come back from workers in shared memory, which the main thread reads where the worker wrote it', async () => {
  const table = tableFromArrays({ x: Float64Array.from({ length: 1024 }, (_, i) => i) });
  const ds = fromArrow(table).mapBatches(identityTableUdf, { batchFormat: 'arrow', batchSize: 256 });
  const seen: number[] = [];
  for await (const batch of ds.iterBatches({ batchFormat: 'arrow', batchSize: null, cpus: 1 })) {
    for (const data of batch.getChild('x')!.data) {
      const values = data.values as Float64Array;
      assert.ok(values.buffer instanceof SharedArrayBuffer, 'the reply stream was moved, or copied by the message');
      seen.push(...values.subarray(data.offset, data.offset + data.length));
    }
  }
  assert.deepEqual(
    seen.sort((a, b) => a - b),
    Array.from({ length: 1024 }, (_, i) => i),
  );
});

interface Span {
  start: number;
  end: number;
  thread: number;
}

/** Most spans running at the same moment. */
function maxOverlap(spans: readonly Span[]): number {
  const edges = spans.flatMap((s) => [
    { at: s.start, delta: 1 },
    { at: s.end, delta: -1 },
  ]);
  edges.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let running = 0;
  let most = 0;
  for (const edge of edges) most = Math.max(most, (running += edge.delta));
  return most;
}

test('numCpus: with cpus 2, tasks asking for 2 CPUs run one at a time; tasks asking for 1 run two at a time', async () => {
  const input = range(64 * 10); // ten blocks of 64 rows: ten tasks of 40 ms each
  const wide = await input.mapBatches(timeTaskUdf, { batchSize: 64, numCpus: 2 }).takeAll({ cpus: 2 });
  assert.equal(wide.length, 10);
  assert.equal(maxOverlap(wide), 1, `tasks with numCpus 2 overlapped: ${JSON.stringify(wide)}`);

  const narrow = await input.mapBatches(timeTaskUdf, { batchSize: 64, numCpus: 1 }).takeAll({ cpus: 2 });
  assert.equal(narrow.length, 10);
  assert.equal(maxOverlap(narrow), 2, `tasks with numCpus 1 should run two at a time on 2 cpus: ${JSON.stringify(narrow)}`);
});

test('concurrent jobs share one task pool and the CPU slots: three jobs on cpus 2 use two threads, two tasks at a time', async () => {
  const input = range(64 * 6);
  const jobs = await Promise.all([0, 1, 2].map(() => input.mapBatches(timeTaskUdf, { batchSize: 64 }).takeAll({ cpus: 2 })));
  const all = jobs.flat();
  assert.equal(all.length, 18);
  const threads = new Set(all.map((t) => t.thread));
  assert.ok(threads.size <= 2, `the three jobs ran on ${threads.size} threads: ${[...threads].join(', ')}`);
  assert.equal(maxOverlap(all), 2, `tasks of the three jobs together ran more than two at a time: ${JSON.stringify(all)}`);
});

test('a plain function given numCpus, numGpus or concurrency [min, max] says to wrap it with udf(import.meta.url, fn)', () => {
  function embed(row: { id: number }) {
    return row;
  }
  const cases: [string, object][] = [
    ['numCpus', { numCpus: 2 }],
    ['numGpus', { numGpus: 1 }],
    ['concurrency', { concurrency: [1, 2] }],
  ];
  for (const [option, options] of cases) {
    assert.throws(
      () => range(10).map(embed, options),
      (error: unknown) => {
        assert.ok(error instanceof UdfPlacementError, `${option}: ${String(error)}`);
        assert.match(error.message, /udf\(import\.meta\.url, embed\)/, `${option}: ${error.message}`);
        assert.match(error.message, new RegExp(option), `${option}: ${error.message}`);
        assert.match(error.message, /Map\(embed\)/);
        return true;
      },
    );
  }
  // mapBatches and filter say the same.
  assert.throws(() => range(10).mapBatches((b: { id: number }[]) => b, { numCpus: 1 }), /udf\(import\.meta\.url, /);
  assert.throws(() => range(10).filter(() => true, { numGpus: 0.5 }), UdfPlacementError);
});

test('a udf whose function is not exported from its module fails with a UdfError that says so', async () => {
  const hidden = missingExportRef();
  await assert.rejects(range(10).map(hidden).takeAll({ cpus: 1 }), (error: unknown) => {
    assert.ok(error instanceof UdfError, String(error));
    assert.equal(error.operator, 'Map(hidden)');
    assert.ok(error.cause instanceof Error);
    assert.equal(error.cause.name, 'UdfResolveError');
    assert.match(error.message, /has no exported function 'hidden'/);
    assert.match(error.message, /executor-udfs\.js/);
    return true;
  });
});

test('a udf whose module cannot be imported fails with a UdfError that names the module', async () => {
  function ghost(row: { id: number }) {
    return row;
  }
  const ref = udf('file:///nonexistent/sluice-udfs.js', ghost);
  await assert.rejects(range(10).map(ref).takeAll({ cpus: 1 }), (error: unknown) => {
    assert.ok(error instanceof UdfError, String(error));
    assert.match(error.message, /could not import file:\/\/\/nonexistent\/sluice-udfs\.js to find 'ghost'/);
    return true;
  });
});

test('many tasks in flight and many operators do not trip the listener-leak warning', async () => {
  const warnings: string[] = [];
  const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
  process.on('warning', onWarning);
  try {
    // Sixteen tasks in flight, each listening for the operator's stop signal.
    assert.equal(
      (
        await range(64 * 40)
          .map(tagThreadUdf, { concurrency: 16 })
          .takeAll({ cpus: 2 })
      ).length,
      64 * 40,
    );
    // Twelve sources and a union: thirteen operators listening for the job's abort.
    const parts = Array.from({ length: 12 }, () => range(10));
    assert.equal(await parts[0].union(...parts.slice(1)).count(), 120);
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('warning', onWarning);
  }
  assert.deepEqual(
    warnings.filter((w) => w.startsWith('MaxListenersExceededWarning')),
    [],
  );
});
