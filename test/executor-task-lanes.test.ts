/**
 * Task lanes (exec/task-lanes.ts): a worker's next task is sent while it runs one and begins as
 * that one ends, before the main thread hears of it; a queued task's time limit counts from
 * when it runs; a task queued behind one whose worker dies is sent again without being charged
 * an attempt; a task queued behind a long one moves to a worker that falls idle.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { fromItems, type UdfMiddleware } from '../src/index.js';
import { preciseNow, waitAndTellUdf, type TimedResult } from './fixtures/task-lanes-udfs.js';

let dir = '';
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-lanes-'));
  process.env.SLUICE_TEST_DIR = dir;
  // A pool kept from an earlier job places tasks at once, as in a script's later jobs.
  await tasksWaiting([0, 0]).takeAll({ cpus: 2 });
});
afterEach(() => {
  delete process.env.SLUICE_TEST_DIR;
  rmSync(dir, { recursive: true, force: true });
});

/** Rows of one task: fromItems makes blocks of 64 rows for inputs this small (exec/sources.ts), each a batch. */
const TASK_ROWS = 64;

/** One task per entry of `ms`, each waiting that many milliseconds; task `crashAt` ends its worker once. */
function tasksWaiting(ms: readonly number[], options: { crashAt?: number; timeoutMs?: number; maxRetries?: number } = {}) {
  const { crashAt, ...mapOptions } = options;
  const rows = ms.flatMap((wait, task) =>
    Array.from({ length: TASK_ROWS }, (_, i) => ({ id: task * TASK_ROWS + i, ms: i === 0 ? wait : 0, crash: i === 0 && task === crashAt })),
  );
  return fromItems(rows).mapBatches(waitAndTellUdf, { batchSize: TASK_ROWS, ...mapOptions });
}

/** Each task's report (its first row's), `id` being the task's index. */
function byTask(rows: readonly TimedResult[]): TimedResult[] {
  return rows.filter((r) => r.id % TASK_ROWS === 0).map((r) => ({ ...r, id: r.id / TASK_ROWS }));
}

/** When the main thread heard each task (by index) had ended: the middleware's `after` hook. */
function hearing(): { heard: Map<number, number>; middleware: UdfMiddleware } {
  const heard = new Map<number, number>();
  return { heard, middleware: { after: (call) => void heard.set(call.taskIndex, preciseNow()) } };
}

/** Consecutive tasks on one worker, and how many of them began before the main thread heard the one before had ended. */
function beganEarly(results: readonly TimedResult[], heard: ReadonlyMap<number, number>): { pairs: number; early: number } {
  let pairs = 0;
  let early = 0;
  for (const thread of new Set(results.map((r) => r.thread))) {
    const ran = results.filter((r) => r.thread === thread).sort((a, b) => a.began - b.began);
    for (let i = 1; i < ran.length; i++) {
      pairs++;
      if (ran[i].began < heard.get(ran[i - 1].id)!) early++;
    }
  }
  return { pairs, early };
}

test("a worker begins its next task as the one before ends, before the main thread hears of that one's end", async () => {
  const { heard, middleware } = hearing();
  const results = byTask(await tasksWaiting(new Array<number>(24).fill(20)).takeAll({ cpus: 2, middleware }));
  assert.equal(results.length, 24);
  const { pairs, early } = beganEarly(results, heard);
  assert.ok(pairs >= 20, `${pairs} consecutive pairs`);
  // Sent only after the main thread heard, a task could never begin before: every pair would be late.
  assert.ok(early >= pairs / 2, `${early} of ${pairs} tasks began before the main thread heard the one before had ended`);
});

test('a queued task has its whole time limit from when it runs, not from when it was sent', async () => {
  const { heard, middleware } = hearing();
  // 300 ms each within 500 ms: a task that counted its wait behind another (300 ms) would time out.
  const results = byTask(
    await tasksWaiting(new Array<number>(6).fill(300), { timeoutMs: 500, maxRetries: 0 }).takeAll({ cpus: 2, middleware }),
  );
  assert.deepEqual(
    results.map((r) => r.id).sort((a, b) => a - b),
    [0, 1, 2, 3, 4, 5],
  );
  assert.ok(beganEarly(results, heard).early >= 1, 'no task was queued behind another');
});

test('a task queued behind one whose worker dies is sent again and not charged an attempt', async () => {
  // Task 0 ends its worker after 300 ms, while task 2 waits behind it (task 1 keeps the other worker busy).
  const ds = tasksWaiting([300, 500, 20, 20], { crashAt: 0, maxRetries: 1 });
  const results = byTask(await ds.takeAll({ cpus: 2 }));
  assert.deepEqual(
    results.map((r) => r.id).sort((a, b) => a - b),
    [0, 1, 2, 3],
  );
  // Only task 0 failed an attempt: task 2 never began on the worker that died.
  assert.equal((await ds.stats()).operator('MapBatches(waitAndTell)')!.retries, 1);
});

test('a task queued behind a long one moves to the worker that falls idle', async () => {
  // Task 2 queues behind task 0 (the oldest running); task 1 ends long before task 0 does.
  const results = byTask(await tasksWaiting([600, 20, 20]).takeAll({ cpus: 2 }));
  const [long, short, moved] = [0, 1, 2].map((id) => results.find((r) => r.id === id)!);
  assert.notEqual(long.thread, short.thread);
  assert.equal(moved.thread, short.thread, 'the queued task ran on the idle worker');
  assert.ok(moved.began < long.ended, 'the queued task did not wait for the long one');
});
