/**
 * Write modes and resumable runs: a write with a runId keeps what it committed when it fails or
 * is killed (kill -9), and `mode: 'resume'` redoes only the read tasks whose files it lacks,
 * ending with the rows of a clean run, each once, and no leftovers.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { range, readJson, readParquet, UnpartitionedRunError, WriteError, type Datasink } from '../src/index.js';
import { ids as all, leftovers, recordsOf, writeJsonParts as writeInput } from './fixtures/json-parts.js';
import { withTempDir } from './fixtures/temp-dir.js';
import { CALLS_FILE_ENV, countedRowUdf, FAIL_AT_ENV } from './fixtures/write-resume-udfs.js';

const withDir = <T>(run: (dir: string) => Promise<T>): Promise<T> => withTempDir('sluice-write-resume-', run);
const JOB = fileURLToPath(new URL('./fixtures/write-resume-job.js', import.meta.url));

/** The written ids, sorted. */
async function writtenIds(out: string): Promise<number[]> {
  const rows = await readParquet(out).takeAll({ progress: 'off' });
  return rows.map((r) => Number(r.id)).sort((a, b) => a - b);
}

const calls = (file: string): number[] => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number) : []);

test("write modes: 'error' refuses a directory with files, 'ignore' leaves it, 'overwrite' replaces its files once complete", () =>
  withDir(async (dir) => {
    const out = join(dir, 'out');
    await range(10).writeParquet(out, { progress: 'off' });
    await assert.rejects(range(5).writeParquet(out, { mode: 'error', progress: 'off' }), (error: Error) => {
      assert.ok(error instanceof WriteError);
      assert.match(error.message, /already holds 1 file\(s\) \(mode 'error'\)/);
      return true;
    });
    const ignored = await range(5).writeParquet(out, { mode: 'ignore', progress: 'off' });
    assert.equal(ignored.rows, 0);
    assert.deepEqual(await writtenIds(out), all(10));
    await range(3).writeParquet(out, { mode: 'append', progress: 'off' });
    assert.equal((await writtenIds(out)).length, 13);
    const replaced = await range(4).writeParquet(out, { mode: 'overwrite', progress: 'off' });
    assert.deepEqual(await writtenIds(out), all(4));
    assert.deepEqual(
      readdirSync(out).filter((name) => name.endsWith('.parquet')),
      replaced.files.map((f) => f.slice(f.lastIndexOf('/') + 1)),
    );
    assert.ok(existsSync(join(out, '_SUCCESS')));
    await assert.rejects(range(1).writeParquet(out, { mode: 'resume' }), /'resume' with a runId/);
    await assert.rejects(range(1).writeParquet(out, { runId: 'a/b' }), /option 'runId'/);
  }));

test('a run that fails keeps what it committed; resume redoes only the rest, ending with every row once', () =>
  withDir(async (dir) => {
    const input = join(dir, 'in');
    const out = join(dir, 'out');
    const total = writeInput(input, 40, 5);
    const callsFile = join(dir, 'calls.txt');
    process.env[CALLS_FILE_ENV] = callsFile;
    process.env[FAIL_AT_ENV] = String(total - 3);
    try {
      const job = () =>
        readJson<{ id: number; text: string }>(input)
          .map(countedRowUdf)
          .writeParquet(out, { runId: 'nightly', mode: 'resume', progress: 'off', cpus: 2 });
      await assert.rejects(job(), (error: Error) => {
        assert.ok(error instanceof WriteError);
        assert.match(error.message, /run 'nightly' failed; what it committed stays .* rerun with mode 'resume' and the same runId/);
        return true;
      });
      const kept = readdirSync(out).filter((name) => name.endsWith('.parquet'));
      assert.ok(kept.length > 0 && kept.every((name) => name.startsWith('run-nightly_')), kept.join(', '));
      assert.equal(existsSync(join(out, '_SUCCESS')), false);
      // A task that committed its file as the job failed may have no record: it is redone.
      const records = recordsOf(out, 'nightly');
      assert.ok(records.length > 0 && records.length <= kept.length, `${records.length} records, ${kept.length} files`);
      const keptRows = records.length * 5;

      rmSync(callsFile);
      delete process.env[FAIL_AT_ENV];
      const result = await job();
      assert.equal(result.rows, total);
      assert.deepEqual(await writtenIds(out), all(total));
      // Only the tasks without a committed file ran again: their rows, each once.
      assert.equal(calls(callsFile).length, total - keptRows);
      assert.deepEqual(leftovers(out), []);
      assert.ok(existsSync(join(out, '_SUCCESS')));
      // The run is recorded: writing it again without resume is refused.
      await assert.rejects(
        readJson(input).writeParquet(out, { runId: 'nightly', progress: 'off' }),
        /run 'nightly' already wrote into .*mode 'resume'/,
      );
    } finally {
      delete process.env[CALLS_FILE_ENV];
      delete process.env[FAIL_AT_ENV];
    }
  }));

/** Rows of a run's recorded partitions (a partition without rows is recorded with no file). */
function recordedRows(out: string, runId: string): number {
  return recordsOf(out, runId).reduce((n, name) => {
    const entry = JSON.parse(readFileSync(join(out, '_sluice-runs', runId, name), 'utf8')) as { file: { rows: number } | null };
    return n + (entry.file?.rows ?? 0);
  }, 0);
}

/**
 * Kills the job of `stage` at each of `points` (partitions recorded) and resumes it: the rows of
 * a clean run, each once, no temporary files, and the resumed process maps only the rows of the
 * partitions without a record.
 */
async function killAndResume(dir: string, stage: 'task' | 'actor', points: readonly number[]): Promise<void> {
  const input = join(dir, 'in');
  const total = writeInput(input, 200, 5);
  const clean = join(dir, 'clean');
  const ran = spawnSync(process.execPath, [JOB, input, clean, 'clean', stage], {
    encoding: 'utf8',
    env: { ...process.env, [CALLS_FILE_ENV]: join(dir, 'clean-calls.txt') },
  });
  assert.equal(ran.status, 0, ran.stderr);
  assert.equal(recordsOf(clean, 'clean').length, 200, 'a partition per input file');
  const cleanIds = await writtenIds(clean);
  // The actor job drops input file 7's rows: its partition is recorded without a file.
  const kept = stage === 'actor' ? all(total).filter((id) => id < 35 || id >= 40) : all(total);
  assert.deepEqual(cleanIds, kept);

  for (const killAfter of points) {
    const out = join(dir, `out-${killAfter}`);
    const callsFile = join(dir, `calls-${killAfter}.txt`);
    const env = { ...process.env, [CALLS_FILE_ENV]: callsFile };
    // Killed once `killAfter` partitions are recorded: mid-job, with tasks in flight.
    const child = spawn(process.execPath, [JOB, input, out, 'run', stage], { env, stdio: 'ignore' });
    await new Promise<void>((resolve, reject) => {
      const poll = setInterval(() => {
        if (recordsOf(out, 'run').length >= killAfter) {
          clearInterval(poll);
          child.kill('SIGKILL');
          resolve();
        }
      }, 2);
      child.on('exit', () => {
        clearInterval(poll);
        resolve();
      });
      child.on('error', reject);
    });
    await new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(null) : child.on('exit', resolve)));
    assert.equal(existsSync(join(out, '_SUCCESS')), false, `killed after ${killAfter}: not complete`);
    const callsBefore = calls(callsFile).length;
    const doneRows = recordedRows(out, 'run');

    const rerun = spawnSync(process.execPath, [JOB, input, out, 'run', stage], { encoding: 'utf8', env });
    assert.equal(rerun.status, 0, rerun.stderr);
    assert.deepEqual(await writtenIds(out), cleanIds, `killed after ${killAfter}: the clean run's rows, each once`);
    assert.deepEqual(leftovers(out), [], `killed after ${killAfter}: no temporary files`);
    assert.ok(existsSync(join(out, '_SUCCESS')));
    // The rerun mapped only the rows of partitions without a record (a file written but not yet recorded is redone).
    assert.equal(calls(callsFile).length - callsBefore, kept.length - doneRows, `killed after ${killAfter}`);
    assert.equal(recordsOf(out, 'run').length, 200);
  }
}

test('resume after kill -9 at several points of a 200-partition job: the rows of a clean run, each once, and only the missing work redone', () =>
  withDir((dir) => killAndResume(dir, 'task', [15, 90, 170])));

test('the same with an actor pool and a main-thread filter between read and write, one partition left without rows', () =>
  withDir((dir) => killAndResume(dir, 'actor', [20, 120])));

test('a run to a Datasink records each partition once all its batches are written; resume skips them and writes the rest', () =>
  withDir(async (dir) => {
    const input = join(dir, 'in');
    const total = writeInput(input, 30, 4);
    const runDir = join(dir, 'runs');
    const callsFile = join(dir, 'calls.txt');
    process.env[CALLS_FILE_ENV] = callsFile;
    /** An upsert by id, as a Milvus collection does; fails once `failAfter` batches are written. */
    const stored = new Map<number, string>();
    let failAfter = 12;
    const sink: Datasink<{ id: number; text: string }, number> = {
      name: 'UpsertSink',
      rowsPerWrite: 3,
      write(batch) {
        if (failAfter-- === 0) throw new Error('the store went away');
        for (const row of batch) stored.set(row.id, row.text);
        return Promise.resolve(batch.length);
      },
    };
    const job = () =>
      readJson<{ id: number; text: string }>(input)
        .map(countedRowUdf)
        .write(sink, { runId: 'sink-run', mode: 'resume', runDir, cpus: 2, concurrency: 2, progress: 'off' });
    try {
      await assert.rejects(job(), /UpsertSink: write \(task \d+, \d rows\) failed: the store went away/);
      const recorded = recordsOf(runDir, 'sink-run');
      assert.ok(recorded.length > 0 && recorded.length < 30, `${recorded.length} partitions recorded`);
      // A partition is recorded only once all its rows are stored.
      for (const name of recorded) {
        const task = Number(name.slice(0, 6));
        for (let id = task * 4; id < task * 4 + 4; id++) assert.ok(stored.has(id), `partition ${task}: row ${id} stored`);
      }
      rmSync(callsFile);
      failAfter = -1;
      const result = await job();
      assert.deepEqual(
        [...stored.keys()].sort((a, b) => a - b),
        all(total),
      );
      assert.equal(recordsOf(runDir, 'sink-run').length, 30);
      // Only the partitions without a record were read and mapped again.
      assert.equal(calls(callsFile).length, total - recorded.length * 4);
      assert.equal(result.rows, total - recorded.length * 4);
      await assert.rejects(
        readJson(input).write(sink, { runId: 'sink-run', runDir, progress: 'off' }),
        /run 'sink-run' is already recorded in .*mode 'resume'/,
      );
    } finally {
      delete process.env[CALLS_FILE_ENV];
    }
  }));

test('a run whose plan cannot be cut into partitions is refused before anything is written, naming the operator', () =>
  withDir(async (dir) => {
    const input = join(dir, 'in');
    writeInput(input, 3, 2);
    const refused = async (run: Promise<unknown>, operator: RegExp, out: string) => {
      await assert.rejects(run, (error: Error) => {
        assert.ok(error instanceof UnpartitionedRunError, String(error));
        assert.match(error.message, operator);
        return true;
      });
      assert.equal(existsSync(out), false, 'nothing made');
    };
    await refused(
      range(5).writeJson(join(dir, 'a'), { runId: 'r', progress: 'off' }),
      /Range\(5\) is where the rows come from, and reads no files/,
      join(dir, 'a'),
    );
    await refused(
      readJson<{ id: number }>(input).sort('id').writeJson(join(dir, 'b'), { runId: 'r', progress: 'off' }),
      /Sort\(id\) stands between them and moves rows across partitions/,
      join(dir, 'b'),
    );
  }));
