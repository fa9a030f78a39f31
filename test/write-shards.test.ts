/**
 * Static shards (SLUICE_SHARD=i/N), as Kubernetes Indexed Jobs or Slurm arrays start them: N
 * processes of one script, each writing its share of a run's partitions; `sluice commit` (or the
 * last shard to finish) writes _SUCCESS once every partition is there.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readJson, WriteError } from '../src/index.js';
import { CLUSTER_CALLS_ENV } from './fixtures/cluster-udfs.js';
import { ids, leftovers, recordsOf, writeJsonParts } from './fixtures/json-parts.js';
import { withTempDir } from './fixtures/temp-dir.js';

const CLI = fileURLToPath(new URL('../src/cli.js', import.meta.url));
const JOB = fileURLToPath(new URL('./fixtures/cluster-job.js', import.meta.url));

async function writtenIds(out: string): Promise<number[]> {
  const rows = await readJson<{ id: number }>(out).takeAll({ progress: 'off' });
  return rows.map((r) => Number(r.id)).sort((a, b) => a - b);
}

function runShard(input: string, out: string, shard: string, calls: string): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [JOB, input, out, 'sharded'], {
    env: { ...process.env, SLUICE_SHARD: shard, [CLUSTER_CALLS_ENV]: calls },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
}

const commit = (out: string) => spawnSync(process.execPath, [CLI, 'commit', out, '--run-id', 'sharded'], { encoding: 'utf8' });

test('three shards write their shares of 60 partitions; `sluice commit` waits for the last, which completes the run', () =>
  withTempDir('sluice-shards-', async (dir) => {
    const input = join(dir, 'in');
    const total = writeJsonParts(input, 60, 4);
    const out = join(dir, 'out');
    const calls = join(dir, 'calls.txt');

    // Two shards side by side: 40 of the 60 partitions.
    const firstTwo = await Promise.all([runShard(input, out, '0/3', calls), runShard(input, out, '1/3', calls)]);
    for (const run of firstTwo) assert.equal(run.code, 0, run.stderr);
    assert.equal(recordsOf(out, 'sharded').length, 40);
    assert.equal(existsSync(join(out, '_SUCCESS')), false, 'not complete without shard 2');
    const early = commit(out);
    assert.equal(early.status, 1);
    assert.match(early.stderr, /20 partition\(s\) not committed \(2, 5, 8, 11, /);

    // The last shard completes the run itself.
    const last = await runShard(input, out, '2/3', calls);
    assert.equal(last.code, 0, last.stderr);
    assert.ok(existsSync(join(out, '_SUCCESS')));
    assert.deepEqual(await writtenIds(out), ids(total));
    assert.equal(readdirSync(out).filter((name) => name.endsWith('.jsonl')).length, 60);
    assert.deepEqual(leftovers(out), []);
    const done = commit(out);
    assert.equal(done.status, 0, done.stderr);
    assert.match(done.stdout, /every partition committed/);

    // Every row was mapped once; a shard run again finds its share committed and maps nothing.
    const mapped = () => readFileSync(calls, 'utf8').split('\n').filter(Boolean).length;
    assert.equal(mapped(), total);
    const rerun = await runShard(input, out, '1/3', calls);
    assert.equal(rerun.code, 0, rerun.stderr);
    assert.equal(mapped(), total);
  }));

test('shards started at the same instant write the run files they share (its key, its partition count) side by side', () =>
  withTempDir('sluice-shards-', async (dir) => {
    const input = join(dir, 'in');
    const total = writeJsonParts(input, 12, 2);
    for (const round of [1, 2, 3]) {
      const out = join(dir, `out-${round}`);
      const shards = ['0/4', '1/4', '2/4', '3/4'].map((shard) =>
        readJson(input).writeJson(out, { shard, runId: 'together', mode: 'resume', progress: 'off' }),
      );
      const written = await Promise.all(shards);
      assert.equal(
        written.reduce((sum, result) => sum + result.rows, 0),
        total,
      );
      assert.equal(recordsOf(out, 'together').length, 12);
      assert.ok(existsSync(join(out, '_SUCCESS')));
      assert.deepEqual(await writtenIds(out), ids(total));
    }
  }));

test('a shard refuses a write without a run id, and the modes that look at what other shards wrote', () =>
  withTempDir('sluice-shards-', async (dir) => {
    const input = join(dir, 'in');
    writeJsonParts(input, 2, 2);
    await assert.rejects(readJson(input).writeJson(join(dir, 'a'), { shard: '0/2', progress: 'off' }), (error: Error) => {
      assert.ok(error instanceof WriteError);
      assert.match(error.message, /shard 0\/2 runs a write's partitions by their names, .* give the write a runId/);
      return true;
    });
    await assert.rejects(
      readJson(input).writeJson(join(dir, 'b'), { shard: '1/2', runId: 'r', mode: 'overwrite', progress: 'off' }),
      /shard 1\/2 shares .* so mode 'overwrite' .* cannot apply; use mode 'resume'/,
    );
    await assert.rejects(
      readJson(input).writeJson(join(dir, 'c'), { shard: '2/2', runId: 'r', progress: 'off' }),
      /option 'shard' must be 'i\/N'/,
    );
  }));
