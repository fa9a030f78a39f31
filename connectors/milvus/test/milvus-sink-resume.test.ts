/**
 * milvusSink in a run (`runId`, `mode: 'resume'`): the job is killed with kill -9 mid-way and
 * started again; the collection ends with the rows of a clean run (upserts by primary key: no
 * duplicates), and the second process maps only the rows of the partitions not recorded.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { MilvusStandIn } from './fixtures/milvus-stand-in.js';
import { collectionName } from './fixtures/milvus-target.js';
import { vectorOf } from './fixtures/sink-rows.js';
import { CALLS_ENV } from './fixtures/sink-resume-udfs.js';

const JOB = fileURLToPath(new URL('./fixtures/sink-resume-job.js', import.meta.url));
const PARTITIONS = 100;
const ROWS = 5;

let milvus: MilvusStandIn;
let dir: string;
before(async () => {
  milvus = await MilvusStandIn.start();
  dir = mkdtempSync(join(tmpdir(), 'sluice-milvus-resume-'));
});
after(async () => {
  await milvus.stop();
  rmSync(dir, { recursive: true, force: true });
});

const records = (runDir: string) => {
  const at = join(runDir, '_sluice-runs', 'milvus-run');
  return existsSync(at) ? readdirSync(at).filter((name) => /^\d+\.json$/.test(name)).length : 0;
};
const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0);

test('kill -9 mid-way and resume: the collection holds a clean run’s rows once each, and only unrecorded partitions are mapped again', async () => {
  const input = join(dir, 'in');
  mkdirSync(input);
  for (let f = 0; f < PARTITIONS; f++)
    writeFileSync(
      join(input, `part-${String(f).padStart(3, '0')}.jsonl`),
      Array.from({ length: ROWS }, (_, r) => JSON.stringify({ id: f * ROWS + r })).join('\n'),
    );
  const total = PARTITIONS * ROWS;
  for (const killAfter of [25, 70]) {
    const collection = collectionName('resume');
    const runDir = join(dir, `runs-${killAfter}`);
    const calls = join(dir, `calls-${killAfter}.txt`);
    const env = { ...process.env, [CALLS_ENV]: calls };
    const args = [JOB, input, milvus.uri, collection, runDir];
    const child = spawn(process.execPath, args, { env, stdio: 'ignore' });
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (records(runDir) >= killAfter) child.kill('SIGKILL');
      }, 2);
      child.on('exit', () => {
        clearInterval(poll);
        resolve();
      });
    });
    assert.equal(child.signalCode, 'SIGKILL', `killed after ${killAfter} partitions, before the end`);
    const recorded = records(runDir);
    assert.ok(recorded < PARTITIONS);
    const mappedBefore = lines(calls);

    // Not spawnSync: the stand-in answers from this process's event loop.
    const rerun = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    rerun.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
    rerun.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    const code = await new Promise((resolve) => rerun.once('exit', resolve));
    assert.equal(code, 0, stderr);
    assert.deepEqual(JSON.parse(stdout), { rows: total - recorded * ROWS });
    assert.equal(records(runDir), PARTITIONS);
    assert.equal(
      lines(calls) - mappedBefore,
      total - recorded * ROWS,
      `killed after ${killAfter}: only unrecorded partitions mapped again`,
    );
    // Upserts by primary key: each row once, as a clean run leaves it.
    const rows = milvus.rows(collection);
    assert.equal(milvus.count(collection), total);
    assert.deepEqual(rows.map((r) => r.id).sort(), Array.from({ length: total }, (_, i) => `doc-${i}`).sort());
    for (const row of rows) {
      const i = Number(String(row.id).slice(4));
      assert.equal(row.page, i);
      assert.deepEqual(row.vec, Array.from(vectorOf(i)));
    }
  }
});
