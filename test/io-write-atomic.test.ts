/**
 * Atomic, all-or-nothing file writes: committed names unique per write (a rerun adds files
 * beside the first run's), and after a failure (a UDF error, a worker that died) no
 * temporary file and no file of the failed write is left.
 */
import assert from 'node:assert/strict';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { range, UdfError, WorkerCrashError, WriteError } from '../src/index.js';
import { namesIn, withTempDir } from './fixtures/io-write-helpers.js';
import { exitOnRowUdf, FAIL_AT_ENV, failOnRowUdf, WRITE_DIR_ENV } from './fixtures/io-write-udfs.js';

/** The error of a write that the fixture UDFs make fail on row `failAt`. */
async function withFailure(dir: string, failAt: number, write: () => Promise<unknown>): Promise<unknown> {
  process.env[FAIL_AT_ENV] = String(failAt);
  process.env[WRITE_DIR_ENV] = dir;
  try {
    await write();
    return assert.fail('the write succeeded');
  } catch (error) {
    return error;
  } finally {
    delete process.env[FAIL_AT_ENV];
    delete process.env[WRITE_DIR_ENV];
  }
}

test('a UDF failing mid-write: the error names the operator, and no file of the write (committed or temporary) remains', async () => {
  await withTempDir(async (dir) => {
    const before = 'kept-by-someone-else.parquet';
    await writeFile(join(dir, before), 'not ours');
    const error = await withFailure(dir, 5_950, () =>
      range(6_000).map(failOnRowUdf).writeParquet(dir, { targetRowsPerFile: 100, cpus: 2 }),
    );

    assert.ok(error instanceof UdfError, String(error));
    assert.match(error.message, /^Map\(failOnRow\) failed/);
    const committed = Number(/\((\d+) files committed before it\)/.exec(error.message)?.[1]);
    assert.ok(committed > 1, `files were committed before the failure (${committed}), so the rollback removed some`);
    assert.deepEqual(await namesIn(dir), [before]);
  });
});

test('a worker that dies mid-write: the main thread still removes every file of the write', async () => {
  await withTempDir(async (dir) => {
    const error = await withFailure(dir, 2_950, () =>
      range(3_000).map(exitOnRowUdf, { maxRetries: 0 }).writeCsv(dir, { targetRowsPerFile: 100, cpus: 2 }),
    );
    assert.ok(error instanceof WorkerCrashError, String(error));
    assert.match(error.message, /^Map\(exitOnRow\): a worker thread died/);
    assert.deepEqual(await namesIn(dir), []);
  });
});

test('a rerun into the same directory adds its own files and leaves the first run’s alone', async () => {
  await withTempDir(async (dir) => {
    const first = await range(1_000).writeJson(dir, { targetRowsPerFile: 300 });
    const second = await range(1_000).writeJson(dir, { targetRowsPerFile: 300 });
    assert.notEqual(first.writeId, second.writeId);
    assert.equal(first.files.length, 4);
    assert.equal(second.files.length, 4);
    const all = [...first.files, ...second.files].map((f) => f.slice(dir.length + 1)).sort();
    assert.deepEqual(await namesIn(dir), [...all, '_SUCCESS'], 'both runs’ files and the marker, nothing else (no temporary files)');
  });
});

test('a file that cannot be written is a WriteError naming the write, the task and the directory', async () => {
  await withTempDir(async (parent) => {
    const dir = join(parent, 'out');
    // A main-thread step moves the directory away halfway: the worker tasks writing after it fail.
    const removing = range(2_000).map(async (row) => {
      if (row.id === 1_000) await rename(dir, `${dir}-moved`);
      return row;
    });
    await assert.rejects(removing.writeJson(dir, { targetRowsPerFile: 100, cpus: 2, preserveOrder: true }), (error: unknown) => {
      assert.ok(error instanceof WriteError, String(error));
      assert.match(
        error.message,
        /^WriteJson\(.*out\): task \d+ could not write its files into .*out; check that the directory is writable .*: ENOENT/,
      );
      return true;
    });
  });
});

test('a directory that cannot be created is a WriteError naming the write and the path', async () => {
  await withTempDir(async (dir) => {
    const file = join(dir, 'a-file');
    await writeFile(file, '');
    await assert.rejects(range(10).writeParquet(join(file, 'out')), (error: unknown) => {
      assert.ok(error instanceof WriteError, String(error));
      assert.match(error.message, /^WriteParquet\(.*a-file\/out\): cannot create the directory .*a-file\/out; check the path/);
      return true;
    });
  });
});

test('write options are checked before anything runs', async () => {
  await withTempDir(async (dir) => {
    await assert.rejects(
      range(10).writeParquet(dir, { targetRowsPerFile: 0 }),
      /option 'targetRowsPerFile' must be a whole number >= 1; received 0/,
    );
    await assert.rejects(
      range(10).writeParquet(dir, { compression: 'lz4' as 'zstd' }),
      /option 'compression' must be 'snappy', 'zstd' or 'none'; received "lz4"/,
    );
    await assert.rejects(range(10).writeCsv(dir, { targetBytesPerFile: -1 }), /option 'targetBytesPerFile' must be a number of bytes > 0/);
    assert.deepEqual(await namesIn(dir), []);
  });
});
