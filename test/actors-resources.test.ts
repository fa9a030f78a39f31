/**
 * CPUs and GPUs for actors: fractional GPUs pack onto the fewest GPUs and each actor learns
 * its ids from getActorContext(); pools that cannot fit fail when the job is planned, before
 * any worker starts; actors and task-pool tasks share the CPU slots without over-commit.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { EventStream, range, ResourceError, type SluiceEvent } from '../src/index.js';
import { passthroughUdf, sleeperUdf, taggerUdf } from './fixtures/actor-udfs.js';
import { timeTaskUdf } from './fixtures/executor-udfs.js';
import { withTempDir } from './fixtures/temp-dir.js';

const withDir = <T>(run: (dir: string) => Promise<T>): Promise<T> => withTempDir('sluice-actor-resources-', run);

test('four actors of numGpus 0.5 on 2 GPUs: two per GPU, each told its GPU id', () =>
  withDir(async (dir) => {
    // 80 batches of 20 ms: all four actors are up long before the work is done.
    const rows = await range(800)
      .mapBatches(taggerUdf, { batchSize: 10, concurrency: 4, numCpus: 0.25, numGpus: 0.5, constructorArgs: [dir, 20] })
      .takeAll({ cpus: 2, gpus: 2 });
    const gpuOf = new Map(rows.map((r) => [r.actor, r.gpuIds]));
    assert.equal(gpuOf.size, 4);
    const perGpu = [...gpuOf.values()].reduce((m, id) => m.set(id, (m.get(id) ?? 0) + 1), new Map<string, number>());
    assert.deepEqual([...perGpu.entries()].sort(), [
      ['0', 2],
      ['1', 2],
    ]);
    assert.equal(readFileSync(join(dir, 'constructed'), 'utf8').trim().split('\n').length, 4);
  }));

test('a fifth 0.5-GPU actor: a fixed pool of 5 is refused at plan time, a range [4, 5] runs with the 4 that fit', () =>
  withDir(async (dir) => {
    // 80 batches of 20 ms: every actor that fits is up long before the work is done.
    const options = { batchSize: 10, numCpus: 0.25, numGpus: 0.5, constructorArgs: [dir, 20] as [string, number] };
    await assert.rejects(
      range(400)
        .mapBatches(taggerUdf, { ...options, concurrency: 5 })
        .takeAll({ cpus: 2, gpus: 2 }),
      (error: unknown) => {
        assert.ok(error instanceof ResourceError, String(error));
        assert.match(
          error.message,
          /MapBatches\(Tagger\) needs 5 actors of numGpus 0\.5 at its start and only 4 fit on the job's 2 GPUs, 2 per GPU; .*\[1, 5\]/,
        );
        return true;
      },
    );
    assert.throws(() => readFileSync(join(dir, 'constructed')), /ENOENT/, 'no actor started');
    const events = new EventStream();
    const rows = await range(800)
      .mapBatches(taggerUdf, { ...options, concurrency: [4, 5] })
      .takeAll({ cpus: 2, gpus: 2, onEvent: events.handler });
    assert.equal(rows.length, 800);
    const starts: SluiceEvent[] = [];
    for await (const event of events) if (event.type === 'actor-start') starts.push(event);
    assert.equal(starts.length, 4);
  }));

test('numGpus 3 with 2 GPUs, and numGpus without any GPU, fail at plan time with the numbers', async () => {
  await assert.rejects(
    range(10)
      .mapBatches(sleeperUdf, { numGpus: 3, constructorArgs: [1] })
      .takeAll({ gpus: 2 }),
    (error: unknown) => {
      assert.ok(error instanceof ResourceError);
      assert.equal(
        error.message,
        'MapBatches(Sleeper) asks for numGpus 3 per actor and the job has 2 GPUs; lower numGpus or set configure({ gpus })',
      );
      return true;
    },
  );
  await assert.rejects(
    range(10)
      .mapBatches(sleeperUdf, { numGpus: 1, constructorArgs: [1] })
      .takeAll({ gpus: 0 }),
    /asks for numGpus 1 per actor and this job has no GPU .*configure\(\{ gpus \}\)/,
  );
  await assert.rejects(
    range(10)
      .mapBatches(sleeperUdf, { numCpus: 4, constructorArgs: [1] })
      .takeAll({ cpus: 2 }),
    /numCpus 4 per actor and the job has 2 CPUs/,
  );
});

interface TaskTimes {
  first: number;
  start: number;
  end: number;
  thread: number;
}

test('actors and task-pool tasks share the CPU slots: the actor pools must leave the tasks one', async () => {
  // 2 CPUs: the actor holds one slot for its life, so the task-pool operator runs one task at a time.
  const tasks = await range(256)
    .mapBatches(timeTaskUdf, { batchSize: 32 })
    .mapBatches<TaskTimes, [number]>(passthroughUdf, { constructorArgs: [1] })
    .takeAll({ cpus: 2 });
  assert.equal(tasks.length, 8);
  const overlapping = tasks.filter((a) => tasks.some((b) => a !== b && a.start < b.end && b.start < a.end));
  assert.equal(overlapping.length, 0, `task-pool tasks overlapped beside an actor holding a CPU: ${JSON.stringify(tasks)}`);
  await assert.rejects(
    range(256)
      .mapBatches(timeTaskUdf, { batchSize: 32 })
      .mapBatches(passthroughUdf, { concurrency: 2, constructorArgs: [1] })
      .takeAll({ cpus: 2 }),
    (error: unknown) => {
      assert.ok(error instanceof ResourceError);
      assert.match(
        error.message,
        /minimum sizes need 2 CPUs \(MapBatches\(Passthrough\): 2 x 1\); the job has 2 \(cpus setting\) and must leave 1 to the job's task-pool operators; .*numCpus: 0\.5/,
      );
      return true;
    },
  );
});
