/** timeoutMs on map-like operators: a task that never returns ends its worker or actor, runs again, then fails or is skipped. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  ActorError,
  configure,
  InvalidOptionError,
  range,
  TaskTimeoutError,
  UdfPlacementError,
  WorkerCrashError,
  type SluiceEvent,
} from '../src/index.js';
import { readErrorLog } from './fixtures/io-read-helpers.js';
import { withTempDir } from './fixtures/temp-dir.js';
import {
  crashingMapUdf,
  growForeverUdf,
  GrowingActorUdf,
  HangingActorUdf,
  hangingBatchesUdf,
  hangingMapUdf,
} from './fixtures/timeout-udfs.js';

/** Runs `run` with SLUICE_TEST_HANG naming a directory where the given rows hang once or always. */
async function withHangs<T>(hangs: { once?: number[]; always?: number[] }, run: (dir: string) => Promise<T>): Promise<T> {
  return withTempDir('sluice-timeouts-', async (dir) => {
    for (const id of hangs.once ?? []) writeFileSync(join(dir, `once-${id}`), '');
    for (const id of hangs.always ?? []) writeFileSync(join(dir, `always-${id}`), '');
    process.env.SLUICE_TEST_HANG = dir;
    try {
      return await run(dir);
    } finally {
      delete process.env.SLUICE_TEST_HANG;
    }
  });
}

test('a worker task stuck in a loop past timeoutMs is ended, runs again on a fresh worker, and the job completes', async () => {
  await withHangs({ once: [7] }, async () => {
    const events: SluiceEvent[] = [];
    const started = performance.now();
    const rows = await range(40)
      .map(hangingMapUdf, { name: 'Hang', timeoutMs: 1_000 })
      .takeAll({ cpus: 2, onEvent: (e) => events.push(e) });
    assert.ok(performance.now() - started < 15_000, 'nothing waits for the stuck worker');
    assert.deepEqual(
      rows.map((r) => r.doubled).sort((a, b) => a - b),
      Array.from({ length: 40 }, (_, i) => i * 2),
    );
    assert.equal(events.filter((e) => e.type === 'worker-replaced').length, 1);
    assert.equal(events.filter((e) => e.type === 'task-retry').length, 1);
  });
});

test('a task that times out on every attempt fails the job with a TaskTimeoutError naming the operator, task and rows', async () => {
  await withHangs({ always: [3] }, async () => {
    await assert.rejects(
      range(8).mapBatches(hangingBatchesUdf, { name: 'Hang', batchSize: 4, timeoutMs: 300, maxRetries: 1 }).takeAll({ cpus: 2 }),
      (error: unknown) => {
        assert.ok(error instanceof TaskTimeoutError, String(error));
        assert.match(error.message, /^Hang: no result after 300 ms at task \d+, the batch of rows 0-3 of its input \(2 attempts\)/);
        assert.match(error.message, /its worker was ended and replaced; look for a call that never returns, raise timeoutMs/);
        assert.equal(error.attempts, 2);
        assert.equal(error.input.batchRows, 4);
        return true;
      },
    );
  });
});

test("under onError: 'skip' a batch that always times out is skipped and logged with its location; the others come through", async () => {
  await withHangs({ always: [5] }, async (dir) => {
    const errorLog = join(dir, 'errors.jsonl');
    const rows = await range(12)
      // A limit well above a worker's cold start on a busy machine: only the hanging batch may reach it.
      .mapBatches(hangingBatchesUdf, { name: 'Hang', batchSize: 4, timeoutMs: 1_500, maxRetries: 1, onError: 'skip' })
      .takeAll({ cpus: 2, errorLog });
    assert.deepEqual(
      rows.map((r) => r.id).sort((a, b) => a - b),
      [0, 1, 2, 3, 8, 9, 10, 11],
    );
    const logged = readErrorLog(errorLog);
    assert.equal(logged.length, 1);
    assert.equal(logged[0].rows, 4);
    assert.equal(logged[0].input.rowIndex, 0);
    assert.match(logged[0].message, /no result after 1500 ms/);
  });
});

test('an actor whose call never returns is ended and replaced in its slot, and the batch runs again', async () => {
  await withHangs({ once: [9] }, async () => {
    const events: SluiceEvent[] = [];
    const rows = await range(32)
      .mapBatches(HangingActorUdf, { name: 'Actors', batchSize: 8, concurrency: 2, timeoutMs: 1_000 })
      .takeAll({ cpus: 2, onEvent: (e) => events.push(e) });
    assert.equal(rows.length, 32);
    const stops = events.filter((e) => e.type === 'actor-stop' && e.reason === 'timeout');
    assert.equal(stops.length, 1, 'the hung actor was stopped for its timeout');
    const count = (type: SluiceEvent['type']) => events.filter((e) => e.type === type).length;
    assert.equal(count('actor-stop'), count('actor-start'), 'an actor-stop only for an actor that had its actor-start');
    assert.equal(events.filter((e) => e.type === 'task-retry').length, 1);
  });
});

test('an actor call that times out on every attempt fails the job with a TaskTimeoutError', async () => {
  await withHangs({ always: [0] }, async () => {
    await assert.rejects(
      range(16)
        .mapBatches(HangingActorUdf, { name: 'Actors', batchSize: 8, concurrency: 1, timeoutMs: 300, maxRetries: 1 })
        .takeAll({ cpus: 2 }),
      (error: unknown) =>
        error instanceof TaskTimeoutError && error.attempts === 2 && /^Actors: no result after 300 ms/.test(error.message),
    );
  });
});

test('timeoutMs with a plain function is refused: the main thread cannot be ended', () => {
  assert.throws(
    () => range(3).map((r) => r, { timeoutMs: 100 }),
    (error: unknown) => error instanceof UdfPlacementError && /timeoutMs ends the worker .* udf\(import\.meta\.url, /.test(error.message),
  );
  assert.throws(() => range(3).map(hangingMapUdf, { timeoutMs: 0 }), /timeoutMs/);
});

test('a worker whose heap runs away dies at workerHeapMb, is retried, then fails the job with a WorkerCrashError', async () => {
  const started = performance.now();
  await assert.rejects(
    range(2).map(growForeverUdf, { name: 'Grow', maxRetries: 1 }).takeAll({ cpus: 2, workerHeapMb: 64 }),
    (error: unknown) => {
      assert.ok(error instanceof WorkerCrashError, String(error));
      assert.match(error.message, /^Grow: a worker thread died while running a task \(2 attempts\)/);
      assert.match(error.message, /memory/i);
      return true;
    },
  );
  assert.ok(performance.now() - started < 20_000, `${performance.now() - started} ms: the limit stopped the heap early`);
  assert.throws(() => configure({ workerHeapMb: 8 }), InvalidOptionError);
});

test("under onError: 'skip' a task whose worker crashes on every attempt is skipped and logged with its location", async () => {
  await withHangs({}, async (dir) => {
    writeFileSync(join(dir, 'crash-70'), '');
    const errorLog = join(dir, 'errors.jsonl');
    const rows = await range(100).map(crashingMapUdf, { name: 'Crash', maxRetries: 1, onError: 'skip' }).takeAll({ cpus: 2, errorLog });
    // range(100) on 2 CPUs makes blocks of 64 and 36 rows, a task each.
    assert.equal(rows.length, 64, 'the other task came through');
    const logged = readErrorLog(errorLog);
    assert.equal(logged.length, 1);
    assert.equal(logged[0].rows, 36);
    assert.equal(logged[0].input.rowIndex, 0);
    assert.match(logged[0].message, /^Crash: a worker thread died while running a task \(2 attempts\) at task 1, the batch of rows 0-35/);
  });
});

test("an actor pool's own workerHeapMb ends an actor whose heap runs away; after its restarts the job fails with an ActorError", async () => {
  const started = performance.now();
  await assert.rejects(
    range(4).mapBatches(GrowingActorUdf, { name: 'Grow', batchSize: 2, workerHeapMb: 64, maxRestarts: 1 }).takeAll({ cpus: 2 }),
    (error: unknown) => error instanceof ActorError && /^Grow: actor 0 died after 1 restart/.test(error.message),
  );
  assert.ok(performance.now() - started < 30_000, `${performance.now() - started} ms: the limit stopped the heap early`);
  assert.throws(() => range(4).mapBatches(GrowingActorUdf, { workerHeapMb: 4 }), /workerHeapMb/);
});
