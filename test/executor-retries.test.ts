/**
 * Retries: application errors are retried with backoff only with `retryExceptions`; a worker
 * thread that dies mid-task is replaced and its task retried (by default), and a job whose
 * retries run out fails with WorkerCrashError.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { range, UdfError, WorkerCrashError, type DatasetStats } from '../src/index.js';
import { exitOnceOnThreeUdf, flakyOnFiveUdf } from './fixtures/executor-udfs.js';

// The fixtures keep attempt counters and markers here; workers read it from their environment.
let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-retries-'));
  process.env.SLUICE_TEST_DIR = dir;
});
afterEach(() => {
  delete process.env.SLUICE_TEST_DIR;
  rmSync(dir, { recursive: true, force: true });
});

const attemptsOf = (id: number) => Number(readFileSync(join(dir, `attempts-${id}`), 'utf8'));
const operator = (stats: DatasetStats, name: string) => stats.operators.find((o) => o.name === name)!;

test('worker: retryExceptions retries an application error with backoff until the UDF succeeds', async () => {
  const ds = range(20).map(flakyOnFiveUdf, { maxRetries: 3, retryExceptions: true });
  const started = performance.now();
  const rows = await ds.takeAll({ cpus: 2 });
  const elapsed = performance.now() - started;

  assert.deepEqual(
    rows.map((r) => r.id).sort((a, b) => a - b),
    Array.from({ length: 20 }, (_, i) => i),
  );
  assert.equal(rows.find((r) => r.id === 5)!.attempt, 3, 'row 5 succeeded on its third attempt');
  assert.equal(attemptsOf(5), 3);
  const stats = operator(await ds.stats(), 'Map(flakyOnFive)');
  assert.equal(stats.retries, 2);
  // Backoff: 50 ms before the first retry, 100 ms before the second.
  assert.ok(elapsed >= 150, `finished in ${elapsed.toFixed(0)} ms, faster than the backoff allows`);
});

test('worker: without retryExceptions an application error is not retried', async () => {
  const ds = range(20).map(flakyOnFiveUdf, { maxRetries: 3 });
  await assert.rejects(ds.takeAll({ cpus: 2 }), (error: unknown) => {
    assert.ok(error instanceof UdfError, String(error));
    assert.equal((error.cause as Error).message, 'flaky failure 1 on row 5');
    return true;
  });
  assert.equal(attemptsOf(5), 1);
  assert.equal(operator(await ds.stats(), 'Map(flakyOnFive)').retries, 0);
});

test('worker: retries stop at maxRetries and the last error is reported', async () => {
  const ds = range(20).map(flakyOnFiveUdf, { maxRetries: 1, retryExceptions: true });
  await assert.rejects(ds.takeAll({ cpus: 2 }), (error: unknown) => {
    assert.ok(error instanceof UdfError, String(error));
    assert.equal((error.cause as Error).message, 'flaky failure 2 on row 5');
    return true;
  });
  assert.equal(attemptsOf(5), 2);
});

test('main thread: retryExceptions retries a plain function too, and only when asked', async () => {
  const attempts = new Map<number, number>();
  function flaky(row: { id: number }) {
    const attempt = (attempts.get(row.id) ?? 0) + 1;
    attempts.set(row.id, attempt);
    if (row.id === 5 && attempt <= 2) throw new Error(`attempt ${attempt}`);
    return row;
  }
  const retried = range(20).map(flaky, { retryExceptions: true, maxRetries: 2 });
  assert.equal((await retried.takeAll()).length, 20);
  assert.equal(attempts.get(5), 3);
  assert.equal(operator(await retried.stats(), 'Map(flaky)').retries, 2);

  attempts.clear();
  await assert.rejects(range(20).map(flaky).takeAll(), /attempt 1/);
  assert.equal(attempts.get(5), 1);
});

test('a worker that dies mid-task is replaced and its task retried: the job returns every row', async () => {
  // One worker: the one that exits cannot be the one that finishes the job.
  const ds = range(200).map(exitOnceOnThreeUdf);
  const rows = await ds.takeAll({ cpus: 1 });

  assert.deepEqual(
    rows.map((r) => r.id).sort((a, b) => a - b),
    Array.from({ length: 200 }, (_, i) => i),
  );
  const crashedThread = Number(readFileSync(join(dir, 'exited'), 'utf8'));
  const survivor = rows.find((r) => r.id === 3)!.thread;
  assert.notEqual(survivor, crashedThread, 'row 3 was finished by a new worker');
  const stats = operator(await ds.stats(), 'Map(exitOnceOnThree)');
  assert.ok(stats.retries >= 1, `retries: ${stats.retries}`);
});

test('with maxRetries 0 a worker crash fails the job with WorkerCrashError', async () => {
  const ds = range(200).map(exitOnceOnThreeUdf, { maxRetries: 0 });
  await assert.rejects(ds.takeAll({ cpus: 2 }), (error: unknown) => {
    assert.ok(error instanceof WorkerCrashError, String(error));
    assert.equal(error.operator, 'Map(exitOnceOnThree)');
    assert.equal(error.attempts, 1);
    assert.match(error.message, /a worker thread died while running a task \(1 attempt\)/);
    assert.match(error.message, /maxRetries/);
    assert.ok(error.cause !== undefined, 'the crash is kept as cause');
    return true;
  });
  assert.ok(existsSync(join(dir, 'exited')));
});
