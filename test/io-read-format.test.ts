/** readFormat: a connector's own file format, planned into parts on the main thread and read on workers, with a per-task time limit. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FileReadError, readFormat, type ReadOptions } from '../src/index.js';
import { operatorStats, readErrorLog, tempDir } from './fixtures/io-read-helpers.js';

const dir = tempDir('read-format');
const format = {
  operator: 'ReadCounted',
  moduleUrl: new URL('./fixtures/io-read-format.js', import.meta.url).href,
  exportName: 'countedFormat',
  args: { partSize: 4 },
};
const readCounted = (paths: string | string[], options?: ReadOptions) => readFormat<{ value: number }>(format, paths, options);

test('readFormat: each file is planned into parts, each part is one task on the task pool', async () => {
  const a = join(dir, 'a.count');
  const b = join(dir, 'b.count');
  writeFileSync(a, '10');
  writeFileSync(b, '3');
  const ds = readCounted([a, b]);
  const rows = await ds.takeAll({ preserveOrder: true });
  assert.deepEqual(
    rows.map((r) => r.value),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2],
  );
  const stats = operatorStats(await ds.stats(), 'ReadCounted');
  assert.equal(stats.tasks, 4, 'a: parts 0-3, 4-7, 8-9; b: 0-2');
  assert.match(ds.explain(), /ReadCounted/);
});

/** An 18-value file (5 parts of 4 values) read 2 parts per task on one worker: its values in order, what each row saw, and the tasks run. */
async function readTwoPartsPerTask(name: string, interleaveFragments?: boolean): Promise<{ reading: number[]; tasks: number }> {
  const file = join(dir, name);
  writeFileSync(file, '18');
  const ds = readFormat<{ value: number; reading: number }>({ ...format, fragmentsPerTask: 2, interleaveFragments }, file);
  const rows = await ds.takeAll({ preserveOrder: true, cpus: 1 });
  assert.deepEqual(
    rows.map((r) => r.value),
    Array.from({ length: 18 }, (_, i) => i),
  );
  return { reading: rows.map((r) => r.reading), tasks: operatorStats(await ds.stats(), 'ReadCounted').tasks };
}

test('readFormat fragmentsPerTask: a task reads that many parts at once, rows still in order', async () => {
  const { reading, tasks } = await readTwoPartsPerTask('c.count');
  assert.deepEqual(reading, [...Array<number>(16).fill(2), 1, 1], 'the two parts of each task were read at once; the last task has one');
  assert.equal(tasks, 3, '5 parts of 4 values, 2 per task');
});

test('readFormat interleaveFragments false: a task reads its parts one after another, each with its own time limit', async () => {
  const { reading, tasks } = await readTwoPartsPerTask('d.count', false);
  assert.deepEqual(reading, Array<number>(18).fill(1));
  assert.equal(tasks, 3);
  const waiting = join(dir, 'waiting-alone.count');
  writeFileSync(waiting, 'wait');
  const errorLog = join(dir, 'one-after-another.jsonl');
  const started = performance.now();
  const read = await readFormat<{ value: number }>(
    { ...format, fragmentsPerTask: 3, interleaveFragments: false },
    [waiting, join(dir, 'd.count')],
    {
      timeoutMs: 500,
      onError: 'skip',
    },
  ).takeAll({ errorLog, cpus: 1 });
  assert.equal(read.length, 18, 'the parts after the one given up on are read in full');
  assert.ok(performance.now() - started < 5_000);
  assert.deepEqual(
    readErrorLog(errorLog).map((line) => line.input.path),
    [waiting],
  );
});

test('readFormat: a task stuck past its timeoutMs (and a grace) is stopped, its worker replaced, and its file fails or is skipped', async () => {
  const good = join(dir, 'good.count');
  const stuck = join(dir, 'stuck.count');
  writeFileSync(good, '6');
  writeFileSync(stuck, 'hang');
  await assert.rejects(readCounted([stuck, good], { timeoutMs: 2_000 }).takeAll(), (error: unknown) => {
    assert.ok(error instanceof FileReadError);
    assert.match(error.message, /ReadCounted/);
    assert.match(error.message, /stuck\.count/);
    assert.match(error.message, /no result after 3000 ms, so its worker was stopped/);
    assert.match(error.message, /raise timeoutMs, or pass onError: 'skip'/);
    return true;
  });
  const errorLog = join(dir, 'errors.jsonl');
  const started = performance.now();
  const rows = await readCounted([stuck, good], { timeoutMs: 2_000, onError: 'skip' }).takeAll({ errorLog, cpus: 2 });
  assert.ok(performance.now() - started < 10_000, 'nothing waits for the stuck worker');
  assert.deepEqual(rows.map((r) => r.value).sort(), [0, 1, 2, 3, 4, 5]);
  const logged = readErrorLog(errorLog);
  assert.equal(logged.length, 1);
  assert.equal(logged[0].input.path, stuck);
  assert.match(logged[0].message, /no result after 3000 ms, so its worker was stopped/);
  // The pool's workers are all alive again: a next job on the same process reads at full strength.
  assert.equal((await readCounted(good).takeAll({ cpus: 2 })).length, 6);
});

test('readFormat: a fragment past timeoutMs is given up on in its worker (its reader told by its signal), alone of its task', async () => {
  const waiting = join(dir, 'waiting.count');
  const good = join(dir, 'good2.count');
  writeFileSync(waiting, 'wait');
  writeFileSync(good, '3');
  const paired = (options: ReadOptions) => readFormat<{ value: number }>({ ...format, fragmentsPerTask: 2 }, [waiting, good], options);
  await assert.rejects(paired({ timeoutMs: 400 }).takeAll(), (error: unknown) => {
    assert.ok(error instanceof FileReadError);
    assert.match(error.message, /waiting\.count/);
    assert.doesNotMatch(error.message, /good2\.count/);
    assert.match(error.message, /no result after 400 ms \(a damaged or very large file\); raise timeoutMs/);
    return true;
  });
  const errorLog = join(dir, 'waits.jsonl');
  const rows = await paired({ timeoutMs: 400, onError: 'skip' }).takeAll({ errorLog });
  assert.deepEqual(rows.map((r) => r.value).sort(), [0, 1, 2]);
  assert.deepEqual(
    readErrorLog(errorLog).map((line) => line.input.path),
    [waiting],
  );
});

test('readFormat: a file its format cannot plan is read whole, and the read reports the problem with the file', async () => {
  const bad = join(dir, 'bad.count');
  writeFileSync(bad, 'many');
  await assert.rejects(readCounted(bad).takeAll(), (error: unknown) => {
    assert.ok(error instanceof FileReadError);
    assert.match(error.message, /bad\.count/);
    assert.match(error.message, /"many" is not a count/);
    return true;
  });
});

test('readFormat refuses includePaths and unknown options by name', () => {
  assert.throws(() => readCounted(dir, { includePaths: true }), /includePaths/);
  assert.throws(() => readCounted(dir, { timeoutMs: 0 }), /timeoutMs/);
});
