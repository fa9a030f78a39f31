/** Paths given to a reader: files, directories, globs and arrays; what they leave out; paths that name nothing. */
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FileReadError, InvalidOptionError, readText } from '../src/index.js';
import { tempDir } from './fixtures/io-read-helpers.js';

const dir = tempDir('read-listing');
for (const name of ['b.txt', 'a.txt', 'sub/c.txt', 'sub/d.log', '_SUCCESS', '.cache/e.txt']) {
  mkdirSync(join(dir, name, '..'), { recursive: true });
  writeFileSync(join(dir, name), name);
}
const texts = async (paths: string | string[], options: { fileExtensions?: string[] } = {}) =>
  (await readText(paths, options).takeAll({ preserveOrder: true })).map((r) => r.text);

test('a directory is read recursively in sorted order, hidden entries (. and _) left out; fileExtensions filters', async () => {
  assert.deepEqual(await texts(dir), ['a.txt', 'b.txt', 'sub/c.txt', 'sub/d.log']);
  assert.deepEqual(await texts(dir, { fileExtensions: ['txt'] }), ['a.txt', 'b.txt', 'sub/c.txt']);
});

test('globs and arrays expand in the order given, each file once; relative paths resolve from the working directory', async () => {
  assert.deepEqual(await texts(join(dir, '**/*.txt')), ['a.txt', 'b.txt', 'sub/c.txt']);
  assert.deepEqual(await texts([join(dir, 'sub'), join(dir, '*.txt'), join(dir, 'sub/c.txt')]), [
    'sub/c.txt',
    'sub/d.log',
    'a.txt',
    'b.txt',
  ]);
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    assert.deepEqual(await texts('sub/d.log'), ['sub/d.log']);
  } finally {
    process.chdir(cwd);
  }
});

test('a missing path, a glob matching nothing and an empty directory are FileReadErrors naming them', async () => {
  const missing = join(dir, 'nope.txt');
  await assert.rejects(readText(missing).count(), (error: unknown) => {
    assert.ok(error instanceof FileReadError);
    assert.equal(error.input.path, missing);
    assert.match(
      error.message,
      /ReadText failed at file .*nope\.txt: no file or directory at this path \(ENOENT\); give a file, a directory, a glob or an array of them/,
    );
    return true;
  });
  await assert.rejects(readText(join(dir, '*.csv')).count(), /ReadText failed at file .*\*\.csv: the glob matched no files/);
  mkdirSync(join(dir, 'empty'));
  await assert.rejects(readText(join(dir, 'empty')).count(), /the directory holds no files to read/);
  await assert.rejects(readText(dir, { fileExtensions: ['csv'] }).count(), /the directory holds no files to read with extensions csv/);
});

test('invalid reader options are InvalidOptionErrors naming the option', () => {
  assert.throws(() => readText([]), InvalidOptionError);
  assert.throws(() => readText(dir, { fragmentBytes: 0 }), /option 'fragmentBytes' must be a whole number >= 1/);
  assert.throws(() => readText(dir, { onError: 'ignore' as 'skip' }), /option 'onError' must be 'fail' or 'skip'/);
  assert.throws(() => readText(dir, { colums: ['a'] } as never), /option 'colums' must be one of .* \(the options of readText\)/);
});

test('links to files in a directory are read as the files they point to; a broken link is left out', async () => {
  const linked = tempDir('read-listing-links');
  writeFileSync(join(linked, 'real.txt'), 'real');
  mkdirSync(join(linked, 'links'));
  symlinkSync(join(linked, 'real.txt'), join(linked, 'links', 'to-real.txt'));
  symlinkSync(join(linked, 'missing.txt'), join(linked, 'links', 'broken.txt'));
  assert.deepEqual(await texts(join(linked, 'links')), ['real']);
});
