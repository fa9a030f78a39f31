/**
 * Stuck tasks and the stall timeout: a task or actor call running past stuckTaskMs is reported
 * once (an event, a line) naming its operator, task, attempt, input and thread; stallTimeoutMs
 * fails a job that stops moving, naming what still runs, and leaves one that moves alone.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { fromAsyncIterable, range, readFormat, StallTimeoutError, type SluiceEvent, type TaskStuckEvent } from '../src/index.js';
import { reportedRun } from './fixtures/reported-run.js';
import { withTempDir } from './fixtures/temp-dir.js';
import { hangingMapUdf, SLOW_MS, SLOW_ROW, SleepyActorUdf, sleepyMapUdf, STEADY_MS, steadyBatchesUdf } from './fixtures/task-watch-udfs.js';

/** The task-stuck events of a run, and what it wrote to its progress stream. */
function watching(): { events: () => TaskStuckEvent[]; text: () => string; options: object } {
  const events: SluiceEvent[] = [];
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return {
    events: () => events.filter((e): e is TaskStuckEvent => e.type === 'task-stuck'),
    text: () => text,
    // Progress lines only at the end of a run longer than a minute: the stream holds the stuck lines alone.
    options: { onEvent: (e: SluiceEvent) => events.push(e), progress: 'log', progressStream: stream, progressIntervalMs: 60_000 },
  };
}

/** `range(256)` comes in blocks of 64 rows: the slow row is in task 1. */
const SLOW_TASK = Math.floor(SLOW_ROW / 64);

test('a task-pool task past stuckTaskMs is reported once, with its operator, task, attempt, rows and worker thread', async () => {
  const watch = watching();
  const sleepy = range(256).map(sleepyMapUdf, { name: 'Sleepy' });
  const rows = await sleepy.count({ cpus: 2, stuckTaskMs: 800, ...watch.options });
  assert.equal(rows, 256);
  const [stuck, ...more] = watch.events();
  assert.equal(more.length, 0, 'one report per attempt');
  assert.ok(stuck);
  assert.equal(stuck.operator, 'Sleepy');
  assert.equal(stuck.taskIndex, SLOW_TASK);
  assert.equal(stuck.attempt, 1);
  assert.deepEqual(stuck.input, { taskIndex: SLOW_TASK, rowIndex: 0, batchRows: 64 });
  assert.match(stuck.thread, /^worker thread \d+$/);
  assert.equal(stuck.thresholdMs, 800);
  assert.ok(stuck.runningMs >= 800 && stuck.runningMs < SLOW_MS, String(stuck.runningMs));
  assert.match(
    watch.text(),
    new RegExp(
      `^sluice: task ${SLOW_TASK} of Sleepy has run \\d\\.\\d s \\(threshold 0\\.8 s\\), attempt 1, on worker thread \\d+, input 64 rows\\n$`,
    ),
  );
  // The run's report (and its page) lists it, finished by the end, and logs the report.
  const run = reportedRun((await sleepy.stats()).toHtml());
  assert.deepEqual(
    run.stuck.map(({ operator, taskIndex, attempt, input, running }) => ({ operator, taskIndex, attempt, input, running })),
    [{ operator: 'Sleepy', taskIndex: SLOW_TASK, attempt: 1, input: '64 rows', running: false }],
  );
  assert.match(run.log.find((entry) => entry.kind === 'stuck')?.message ?? '', new RegExp(`^task ${SLOW_TASK} of Sleepy has run`));
});

test('a main-thread task past stuckTaskMs is reported on the main thread', async () => {
  const slow = async (row: { id: number }) => {
    if (row.id === SLOW_ROW) await new Promise((resolve) => setTimeout(resolve, 900));
    return row;
  };
  const watch = watching();
  await range(256)
    .map(slow, { name: 'SleepyMain' })
    .count({ stuckTaskMs: 300, ...watch.options });
  const stuck = watch.events();
  assert.deepEqual(
    stuck.map((e) => [e.operator, e.taskIndex, e.thread]),
    [['SleepyMain', SLOW_TASK, 'main thread']],
  );
});

test('an actor call past stuckTaskMs is reported once, naming the actor and its thread', async () => {
  const watch = watching();
  const rows = await range(256)
    .mapBatches(SleepyActorUdf, { name: 'SleepyActors', batchSize: 64, concurrency: 2 })
    .count({ cpus: 2, stuckTaskMs: 800, ...watch.options });
  assert.equal(rows, 256);
  const [stuck, ...more] = watch.events();
  assert.equal(more.length, 0, 'the calls waiting behind it at its actor are not running');
  assert.ok(stuck);
  assert.equal(stuck.operator, 'SleepyActors');
  assert.equal(stuck.taskIndex, SLOW_TASK);
  assert.equal(stuck.attempt, 1);
  assert.equal(stuck.input.batchRows, 64);
  assert.match(stuck.thread, /^actor [01] \(thread \d+\)$/);
  assert.match(watch.text(), /^sluice: task 1 of SleepyActors has run .* on actor [01] \(thread \d+\), input 64 rows\n$/);
});

test('a read task slow on one file names the file and the pages it reads', async () => {
  await withTempDir('sluice-task-watch-', async (dir) => {
    const fast = join(dir, 'fast.paged');
    const slow = join(dir, 'slow.paged');
    writeFileSync(fast, '10');
    writeFileSync(slow, '10 slow');
    const format = {
      operator: 'ReadPaged',
      moduleUrl: new URL('./fixtures/task-watch-udfs.js', import.meta.url).href,
      exportName: 'pagedFormat',
      args: {},
    };
    const watch = watching();
    const rows = await readFormat(format, [fast, slow]).count({ cpus: 2, stuckTaskMs: 800, ...watch.options });
    assert.equal(rows, 20);
    const [stuck, ...more] = watch.events();
    assert.equal(more.length, 0);
    assert.ok(stuck);
    assert.equal(stuck.operator, 'ReadPaged');
    assert.equal(stuck.input.path, slow);
    assert.equal(stuck.input.part, 'pages 1-5');
    assert.match(stuck.thread, /^worker thread \d+$/);
    assert.ok(watch.text().endsWith(`on ${stuck.thread}, input ${slow} pages 1-5\n`), watch.text());
  });
});

test('stallTimeoutMs leaves a job alone that is slow but moves', async () => {
  const started = performance.now();
  // 8 batches of 400 ms on 2 threads: 1.6 s, longer than the timeout, with a batch done every 400 ms.
  const rows = await range(512).mapBatches(steadyBatchesUdf, { name: 'Steady', batchSize: 64 }).count({ cpus: 2, stallTimeoutMs: 1_000 });
  assert.equal(rows, 512);
  assert.ok(performance.now() - started > 4 * STEADY_MS);
});

test('stallTimeoutMs fails a job whose UDF hangs with a StallTimeoutError naming the running task', async () => {
  const started = performance.now();
  await assert.rejects(range(256).map(hangingMapUdf, { name: 'Hang' }).count({ cpus: 2, stallTimeoutMs: 1_000 }), (error: unknown) => {
    assert.ok(error instanceof StallTimeoutError, String(error));
    assert.equal(error.stallTimeoutMs, 1_000);
    assert.deepEqual(
      error.running.map((t) => [t.operator, t.taskIndex, t.attempt]),
      [['Hang', SLOW_TASK, 1]],
    );
    assert.match(error.message, /^the job made no progress for 1\.0 s \(stallTimeoutMs 1000\): no task finished and no row moved\. /);
    assert.match(
      error.message,
      new RegExp(`Still running: task ${SLOW_TASK} of Hang has run \\d\\.\\d s, attempt 1, on worker thread \\d+, input 64 rows\\. `),
    );
    assert.match(error.message, /raise stallTimeoutMs/);
    return true;
  });
  assert.ok(performance.now() - started < 5_000, 'the job ends soon after the timeout');
});

test('stallTimeoutMs gives up on a main-thread call that never returns, so that the job ends', async () => {
  const hangs = (row: { id: number }) => (row.id === SLOW_ROW ? new Promise<never>(() => {}) : row);
  await assert.rejects(range(256).map(hangs, { name: 'MainHang' }).count({ stallTimeoutMs: 300 }), (error: unknown) => {
    assert.ok(error instanceof StallTimeoutError, String(error));
    assert.match(error.message, /Still running: task 1 of MainHang has run \d\.\d s, attempt 1, on main thread, input 64 rows\. /);
    return true;
  });
});

test('stallTimeoutMs fails a job whose source yields nothing more, saying that nothing runs', async () => {
  async function* stops() {
    yield { id: 0 };
    await new Promise<never>(() => {});
  }
  await assert.rejects(fromAsyncIterable(stops).count({ stallTimeoutMs: 300 }), (error: unknown) => {
    assert.ok(error instanceof StallTimeoutError, String(error));
    assert.deepEqual(error.running, []);
    assert.match(error.message, /no row moved, and no task is running: every operator waits, on a source that yields nothing/);
    return true;
  });
});
