/**
 * Streaming formats (readFormat with `streaming`): a read whose work another process does
 * streams its blocks on the main thread as the process gives them, each part holding CPU
 * slots; a consumer that stops early kills the processes, and failures name their file.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FileReadError, readFormat, type ReadOptions } from '../src/index.js';
import { processes } from './fixtures/io-read-process-format.js';
import { operatorStats, readErrorLog, tempDir } from './fixtures/io-read-helpers.js';
import { doubleValueUdf } from './fixtures/io-read-udfs.js';

const dir = tempDir('read-process-format');
const format = {
  operator: 'ReadCounting',
  moduleUrl: new URL('./fixtures/io-read-process-format.js', import.meta.url).href,
  exportName: 'countingProcessFormat',
  args: { rowsPerBlock: 100 },
  streaming: { cpus: 1 },
};
const readCounting = (paths: string | string[], options?: ReadOptions) => readFormat<{ value: number }>(format, paths, options);

function countFile(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

test('a streaming format gives every row of every file, in file order under preserveOrder, a task per file', async () => {
  const files = [countFile('a.n', '1000'), countFile('b.n', '250'), countFile('c.n', '0'), countFile('d.n', '777')];
  const ds = readCounting(files);
  const rows = await ds.takeAll({ preserveOrder: true, cpus: 2 });
  const expected = [1000, 250, 0, 777].flatMap((n) => Array.from({ length: n }, (_, i) => i));
  assert.deepEqual(
    rows.map((r) => r.value),
    expected,
  );
  const stats = operatorStats(await ds.stats(), 'ReadCounting');
  assert.equal(stats.tasks, 4);
  assert.equal(stats.rowsOut, expected.length);
});

test('streams hold CPU slots: no more processes run at once than the job has CPUs', async () => {
  const files = Array.from({ length: 6 }, (_, i) => countFile(`slots-${i}.n`, '20000'));
  for (const cpus of [1, 2]) {
    processes.maxRunning = 0;
    const rows = await readCounting(files).count({ cpus });
    assert.equal(rows, 6 * 20000);
    assert.equal(processes.maxRunning, cpus, `cpus ${cpus}`);
  }
  assert.equal(processes.running, 0);
});

test('blocks stream as they come: a limit over an endless process returns, and the process is killed', async () => {
  const forever = countFile('forever.n', 'forever');
  const started = processes.started;
  const rows = await readCounting(forever).take(250);
  assert.equal(rows.length, 250);
  assert.equal(processes.started, started + 1);
  assert.equal(processes.running, 0, 'the endless process was killed when the consumer stopped');
  let seen = 0;
  for await (const row of readCounting(forever).iterRows()) if (++seen === 1000 && row.value === 999) break;
  assert.equal(seen, 1000);
  assert.equal(processes.running, 0);
});

test('a streaming read fuses with nothing: a worker map after it runs as its own operator', async () => {
  const file = countFile('fuse.n', '300');
  const ds = readCounting(file).map(doubleValueUdf);
  const rows = await ds.takeAll({ preserveOrder: true });
  assert.deepEqual(
    rows.map((r) => r.value),
    Array.from({ length: 300 }, (_, i) => 2 * i),
  );
  const names = (await ds.stats()).operators.map((o) => o.name);
  assert.ok(names.includes('ReadCounting') && names.includes('Map(doubleValue)'), names.join(', '));
});

test('a file a streaming format cannot read fails the job naming it, or is skipped to the error log', async () => {
  const good = countFile('good.n', '50');
  const bad = countFile('bad.n', 'not a number');
  await assert.rejects(readCounting([good, bad]).takeAll(), (error: unknown) => {
    assert.ok(error instanceof FileReadError);
    assert.match(error.message, /bad\.n/);
    assert.match(error.message, /not a count/);
    return true;
  });
  const errorLog = join(dir, 'errors.jsonl');
  const rows = await readCounting([good, bad], { onError: 'skip' }).takeAll({ errorLog });
  assert.equal(rows.length, 50);
  const logged = readErrorLog(errorLog);
  assert.equal(logged.length, 1);
  assert.match(JSON.stringify(logged[0]), /bad\.n/);
  assert.equal(processes.running, 0);
});

test('readFormat refuses a streaming format without whole CPUs', () => {
  assert.throws(() => readFormat({ ...format, streaming: { cpus: 0 } }, dir), /streaming\.cpus/);
});
