/**
 * The stats and progress of a file write: rows and bytes out are the rows and file bytes written, and files written
 * are a count of their own, shown only for operators that write.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { range } from '../src/index.js';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-write-stats-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('WriteParquet: rows out are the rows written, files out the files written', async (t) => {
  const dir = tempDir(t);
  const result = await range(3_000)
    .map((row) => ({ id: row.id, half: row.id / 2 }))
    .writeParquet(join(dir, 'out'), { targetRowsPerFile: 250, cpus: 2 });
  assert.ok(result.files.length >= 12, `${result.files.length} files`);
  const { operators } = result.stats;
  const write = operators.at(-1)!;
  assert.match(write.name, /^WriteParquet/);
  assert.equal(write.rowsIn, 3_000);
  assert.equal(write.rowsOut, result.rows);
  assert.equal(write.rowsOut, 3_000);
  assert.equal(write.filesOut, result.files.length);
  // Bytes out are the bytes of the files on disk, not of the rows describing them.
  const onDisk = result.files.reduce((sum, file) => sum + statSync(file).size, 0);
  assert.equal(write.bytesOut, onDisk);
  assert.equal(result.bytes, onDisk);
  for (const o of operators.slice(0, -1)) assert.equal(o.filesOut, undefined, `${o.name} writes nothing: no files count`);
  assert.equal(result.stats.toJSON().operators.at(-1)!.filesOut, result.files.length);

  const lines = result.stats.toString().split('\n');
  assert.match(lines[0], /^operator +wall +udf +rows in +rows out +files out +blocks +bytes out/);
  const header = lines[0].split(/ {2,}/);
  const cells = lines.find((l) => l.startsWith('WriteParquet'))!.split(/ {2,}/);
  assert.equal(cells[header.indexOf('rows out')], '3000');
  assert.equal(cells[header.indexOf('files out')], String(result.files.length));
});

test('a plan that writes no files shows no files column', async () => {
  const ds = range(10);
  await ds.count();
  const stats = await ds.stats();
  assert.doesNotMatch(stats.toString(), /files/);
  assert.equal('filesOut' in stats.toJSON().operators[0], false);
});

test("progress 'log' shows the rows written and, for the write only, the files", async (t) => {
  const dir = tempDir(t);
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const result = await range(3_000)
    .map((row) => row, { name: 'Identity' })
    .writeJson(join(dir, 'out'), { targetRowsPerFile: 100, cpus: 2, progress: 'log', progressIntervalMs: 1, progressStream: stream });
  const done = chunks
    .join('')
    .split('\n')
    .filter((l) => l.startsWith('sluice done'));
  assert.equal(done.length, 3, chunks.join(''));
  for (const line of done.slice(0, -1)) {
    assert.match(line, / 3000 rows out, \d+ rows\/s/);
    assert.doesNotMatch(line, /files/);
  }
  assert.match(done[2], new RegExp(`WriteJson.* 3000 rows out, ${result.files.length} files out, \\d+ rows/s`));
});
