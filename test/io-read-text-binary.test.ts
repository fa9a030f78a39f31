/** readText (a row per line, by byte ranges) and readBinaryFiles (a row per file). */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readBinaryFiles, readText } from '../src/index.js';
import { operatorStats, tempDir } from './fixtures/io-read-helpers.js';

const dir = tempDir('read-text');

test('readText: a row per line; BOM and \\r\\n dropped; empty lines dropped unless asked for; includePaths types the path', async () => {
  const file = join(dir, 'poem.txt');
  writeFileSync(file, '\uFEFFfirst\r\n\r\nsecond\nthird');
  assert.deepEqual(await readText(file).takeAll({ preserveOrder: true }), [{ text: 'first' }, { text: 'second' }, { text: 'third' }]);
  const all = await readText(file, { dropEmptyLines: false, includePaths: true }).takeAll({ preserveOrder: true });
  assert.deepEqual(
    all.map((row) => `${row.path === file}:${row.text}`),
    ['true:first', 'true:', 'true:second', 'true:third'],
  );
});

test('readText in byte ranges of a few bytes: every line exactly once, in order under preserveOrder', async () => {
  const file = join(dir, 'many.txt');
  const lines = Array.from({ length: 100 }, (_, i) => `line ${i} ${'-'.repeat(i % 13)}`);
  writeFileSync(file, lines.join('\n') + '\n');
  for (const fragmentBytes of [5, 64, 1000]) {
    const ds = readText(file, { fragmentBytes });
    const rows = await ds.takeAll({ preserveOrder: true });
    assert.deepEqual(
      rows.map((r) => r.text),
      lines,
      `fragmentBytes ${fragmentBytes}`,
    );
    assert.ok(operatorStats(await ds.stats(), 'ReadText').tasks > 1);
  }
});

test('readBinaryFiles: {path, bytes} per file of a directory, sorted by path', async () => {
  const bin = join(dir, 'bin');
  mkdirSync(join(bin, 'sub'), { recursive: true });
  writeFileSync(join(bin, 'b.dat'), Buffer.from([0, 1, 2, 255]));
  writeFileSync(join(bin, 'sub', 'a.dat'), Buffer.alloc(0));
  writeFileSync(join(bin, '.hidden'), 'x');
  const rows = await readBinaryFiles(bin).takeAll({ preserveOrder: true });
  assert.deepEqual(
    rows.map((r) => r.path),
    [join(bin, 'b.dat'), join(bin, 'sub', 'a.dat')],
  );
  for (const row of rows) assert.deepEqual(row.bytes, new Uint8Array(readFileSync(row.path)));
});
