/**
 * readJson: JSON Lines split into byte-range read tasks (every line read once, whatever the
 * boundaries), files holding an array, malformed lines named by file and line, skipping
 * them into the error log, and an explicit schema.
 */
import assert from 'node:assert/strict';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Field, Float64, Int64, Schema, Utf8 } from 'apache-arrow';
import { FileReadError, readJson } from '../src/index.js';
import { operatorStats, readErrorLog, tempDir } from './fixtures/io-read-helpers.js';
import { tagThreadUdf } from './fixtures/io-read-udfs.js';

const dir = tempDir('read-json');
const lines = join(dir, 'docs', 'lines.jsonl');
const array = join(dir, 'docs', 'array.json');
const N = 1000;
mkdirSync(join(dir, 'docs'));
// Lines of different lengths, so that byte ranges cut them at every kind of place.
writeFileSync(lines, Array.from({ length: N }, (_, i) => JSON.stringify({ id: i, text: 'x'.repeat(i % 37) })).join('\n') + '\n');
writeFileSync(
  array,
  JSON.stringify(
    [
      { id: N, text: 'a' },
      { id: N + 1, text: 'b' },
    ],
    null,
    2,
  ),
);

const ids = (rows: { id: number }[]) => rows.map((r) => r.id).sort((a, b) => a - b);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

test('JSON Lines in small byte ranges: one read task per range on the task pool, every line exactly once', async () => {
  const fragmentBytes = 700;
  const ds = readJson<{ id: number; text: string }>(lines, { fragmentBytes });
  assert.match(ds.explain(), /ReadJson \[task pool, 1 CPU per task\]/);
  const rows = await ds.takeAll({ cpus: 2 });
  assert.deepEqual(ids(rows), range(0, N));
  assert.ok(rows.every((r) => r.text === 'x'.repeat(r.id % 37)));
  assert.equal(operatorStats(await ds.stats(), 'ReadJson').tasks, Math.ceil(statSync(lines).size / fragmentBytes));
});

test('the read step fuses with a task-pool map after it (Read->Map) and runs on several worker threads', async () => {
  const ds = readJson<{ id: number; text: string }>(lines, { fragmentBytes: 1024 }).map(tagThreadUdf);
  assert.match(ds.explain(), /ReadJson->Map\(tagThread\) \[task pool, 1 CPU per task\]\n\+- ListFiles/);
  const rows = await ds.takeAll({ cpus: 2 });
  assert.deepEqual(ids(rows), range(0, N));
  const threads = new Set(rows.map((r) => r.thread));
  assert.ok(!threads.has(0), 'no row was read on the main thread');
  assert.equal(threads.size, 2, `read on threads ${[...threads].join(', ')}`);
});

test('a directory, a glob, an array of paths and a single file; a top-level array is read whole', async () => {
  assert.deepEqual(ids(await readJson<{ id: number }>(join(dir, 'docs')).takeAll()), range(0, N + 2));
  assert.deepEqual(ids(await readJson<{ id: number }>(join(dir, 'docs', '*.json')).takeAll()), [N, N + 1]);
  assert.deepEqual(ids(await readJson<{ id: number }>([array, lines]).takeAll()), range(0, N + 2));
  const withPaths = await readJson(array, { includePaths: true }).takeAll({ preserveOrder: true });
  assert.deepEqual(withPaths, [
    { id: N, text: 'a', path: array },
    { id: N + 1, text: 'b', path: array },
  ]);
});

test('a malformed line is a FileReadError naming the file and the line, also in a later byte range', async () => {
  const bad = join(dir, 'bad.jsonl');
  const text = Array.from({ length: 300 }, (_, i) => (i === 250 ? '{"id": 250, oops' : JSON.stringify({ id: i })));
  writeFileSync(bad, text.join('\n'));
  await assert.rejects(readJson(bad, { fragmentBytes: 512 }).count(), (error: unknown) => {
    assert.ok(error instanceof FileReadError);
    assert.equal(error.input.path, bad);
    assert.equal(error.input.line, 251);
    assert.match(
      error.message,
      /ReadJson failed at file .*bad\.jsonl, line 251.*: the line is not valid JSON .*; fix the record, or pass onError: 'skip'/,
    );
    return true;
  });
});

test("under onError: 'skip' bad lines go to the error log with file and line, and the other rows come through", async () => {
  const bad = join(dir, 'skip.jsonl');
  writeFileSync(bad, ['{"id": 0}', 'not json', '{"id": 2}', '', '[1, 2]', '{"id": 5}'].join('\r\n'));
  const errorLog = join(dir, 'json-errors.jsonl');
  const ds = readJson<{ id: number }>(bad, { onError: 'skip' });
  assert.deepEqual(ids(await ds.takeAll({ errorLog })), [0, 2, 5]);
  const logged = readErrorLog(errorLog).sort((a, b) => a.input.line! - b.input.line!);
  assert.deepEqual(
    logged.map((l) => [l.operator, l.input.path, l.input.line, l.rows]),
    [
      ['ReadJson', bad, 2, 1],
      ['ReadJson', bad, 5, 1],
    ],
  );
  assert.match(logged[0].message, /not valid JSON/);
  assert.match(logged[1].message, /holds an array, not an object/);
  assert.equal(operatorStats(await ds.stats(), 'ReadJson').skippedRows, 2);
});

test('an explicit schema gives the column types and drops other fields; a value that does not fit is a bad record', async () => {
  const typed = join(dir, 'typed.jsonl');
  writeFileSync(typed, ['{"id": 1, "score": 0.5, "name": "a", "extra": true}', '{"id": 2, "score": "high", "name": "b"}'].join('\n'));
  const schema = new Schema([
    new Field('id', new Int64(), true),
    new Field('score', new Float64(), true),
    new Field('name', new Utf8(), true),
  ]);
  const errorLog = join(dir, 'typed-errors.jsonl');
  const rows = await readJson<{ id: bigint; score: number; name: string }>(typed, { schema, onError: 'skip' }).takeAll({ errorLog });
  assert.deepEqual(rows, [{ id: 1n, score: 0.5, name: 'a' }]);
  const [logged] = readErrorLog(errorLog);
  assert.equal(logged.input.line, 2);
  assert.match(logged.message, /"high" in 'score', which the schema makes Float64/);
});

test('take(n) pushes the limit into every read task', async () => {
  const ds = readJson(lines, { fragmentBytes: 4096 });
  assert.equal((await ds.take(3)).length, 3);
  const read = operatorStats(await ds.stats(), 'ReadJson');
  assert.equal(read.name, 'ReadJson(limit 3)');
  assert.ok(read.rowsOut <= 3 * read.tasks);
});
