/**
 * An actor's thread, once its actor closed cleanly, waits `actorThreadKeepMs` for the next
 * actor with the same heap limit, which is constructed anew in it; threads of actors that were
 * retired for maxTasksPerWorker, whose close() threw, or with reuse turned off are not kept.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { range, type ExecutionOptions } from '../src/index.js';
import { failingCloseUdf, taggerUdf } from './fixtures/actor-udfs.js';
import { runExitingFixture } from './fixtures/executor-spawn.js';

function withDir<T>(run: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-actor-threads-'));
  return run(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

const linesOf = (dir: string, file: string): string[] => readFileSync(join(dir, file), 'utf8').trim().split('\n').filter(Boolean);

/** The threads a 2-actor job over 100 rows ran on, from its rows (batches of 20 ms, so that both actors take some). */
async function threadsOfJob(dir: string, options: ExecutionOptions = {}): Promise<Set<number>> {
  const rows = await range(100)
    .mapBatches(taggerUdf, { batchSize: 5, concurrency: 2, constructorArgs: [dir, 20] })
    .takeAll({ cpus: 2, ...options });
  assert.equal(rows.length, 100);
  assert.deepEqual(new Set(rows.map((r) => r.actor)), new Set([0, 1]), 'the actors of the second job have their own indexes');
  const callsPerActor = new Map<number, number>();
  for (const row of rows) callsPerActor.set(row.actor, Math.max(callsPerActor.get(row.actor) ?? 0, row.calls));
  // An instance kept from the job before would have counted its calls there too.
  assert.equal(
    [...callsPerActor.values()].reduce((a, b) => a + b),
    20,
    'each batch is one call of an instance made for this job',
  );
  return new Set(rows.map((r) => r.thread));
}

test('the next job’s actors start in the threads the last job’s actors closed in, and are constructed anew', () =>
  withDir(async (dir) => {
    const first = await threadsOfJob(dir);
    const second = await threadsOfJob(dir);
    assert.equal(first.size, 2);
    assert.deepEqual(second, first);
    assert.equal(linesOf(dir, 'constructed').length, 4, 'one instance per actor and job');
    assert.equal(linesOf(dir, 'closed').length, 4);
  }));

test('actorThreadKeepMs 0 ends each actor’s thread with it; another heap limit gets threads of its own', () =>
  withDir(async (dir) => {
    const first = await threadsOfJob(dir, { actorThreadKeepMs: 0 });
    const second = await threadsOfJob(dir, { actorThreadKeepMs: 0 });
    assert.equal([...second].filter((t) => first.has(t)).length, 0);
    const kept = await threadsOfJob(dir);
    const otherHeap = await threadsOfJob(dir, { workerHeapMb: 300 });
    assert.equal([...otherHeap].filter((t) => kept.has(t)).length, 0, 'a thread keeps the heap limit it started with');
  }));

test('a thread whose actor was retired for maxTasksPerWorker, or whose close() threw, is not used again', () =>
  withDir(async (dir) => {
    const rows = await range(300)
      .mapBatches(taggerUdf, { batchSize: 10, concurrency: 1, maxTasksPerWorker: 10, constructorArgs: [dir] })
      .takeAll({ cpus: 2 });
    assert.equal(new Set(rows.map((r) => r.thread)).size, 3, 'each retirement brings a new thread');
    await assert.rejects(
      range(20)
        .mapBatches(failingCloseUdf, { batchSize: 10, concurrency: 1, constructorArgs: [dir] })
        .takeAll({ cpus: 2 }),
      /close\(\) threw/,
    );
    const [failed] = linesOf(dir, 'failing-close').map(Number);
    assert.ok(!(await threadsOfJob(dir)).has(failed));
  }));

test('a kept thread never holds the process open: a script exits right after its job', async () => {
  await withDir(async (dir) => {
    const { report, exitLagMs } = await runExitingFixture<{ rows: number; doneAt: number }>('./actor-cancel-job.js', 'all', {
      SLUICE_TEST_DIR: dir,
    });
    assert.equal(report.rows, 50);
    assert.ok(exitLagMs < 1000, `the process took ${exitLagMs.toFixed(0)} ms to exit`);
  });
});
