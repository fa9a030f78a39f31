/**
 * Class UDFs on actor pools: the class is constructed once per actor and closed once at the
 * end, rows are typed from `call`, batches spread over the actors, order can be kept, and
 * errors say which operator and actor failed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ActorError, EventStream, range, UdfError, UdfPlacementError, type Dataset } from '../src/index.js';
import { brokenConstructorUdf, failsOnUdf, RowDoubler, rowDoublerUdf, taggerUdf, type Tagged } from './fixtures/actor-udfs.js';

function withDir<T>(run: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-actors-'));
  return run(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

const linesOf = (dir: string, file: string): string[] => {
  try {
    return readFileSync(join(dir, file), 'utf8').trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
};

test('2 actors, 200 batches: the class is constructed twice and closed twice, and both actors work', () =>
  withDir(async (dir) => {
    const events = new EventStream();
    const ds: Dataset<Tagged> = range(2_000).mapBatches(taggerUdf, { batchSize: 10, concurrency: 2, constructorArgs: [dir] });
    const rows = await ds.takeAll({ cpus: 2, onEvent: events.handler });
    assert.equal(rows.length, 2_000);
    assert.deepEqual(new Set(rows.map((r) => r.id)).size, 2_000);
    assert.equal(linesOf(dir, 'constructed').length, 2);
    assert.equal(linesOf(dir, 'closed').length, 2);
    const perActor = new Map<number, number>();
    for (const row of rows) perActor.set(row.actor, Math.max(perActor.get(row.actor) ?? 0, row.calls));
    assert.deepEqual([...perActor.keys()].sort(), [0, 1]);
    assert.equal(
      [...perActor.values()].reduce((a, b) => a + b),
      200,
      'every batch was one call of one instance',
    );
    const types = [];
    for await (const event of events) types.push(event.type);
    assert.equal(types.filter((t) => t === 'actor-start').length, 2);
    assert.equal(types.filter((t) => t === 'actor-stop').length, 2);
  }));

test('map with a class calls call(row) per row on the actor; the row type follows from call', async () => {
  const ds = range(100).map(rowDoublerUdf, { concurrency: 2 });
  const rows = await ds.takeAll({ cpus: 2 });
  // Typed: `doubled` is a number here without a cast.
  const total: number = rows.reduce((sum, row) => sum + row.doubled, 0);
  assert.equal(total, 2 * ((99 * 100) / 2));
  assert.ok(
    rows.every((row) => row.thread !== 0),
    'rows were made off the main thread',
  );
  // constructorArgs is typed from the constructor (Tagger takes a directory, then an optional sleep).
  // @ts-expect-error a number where the directory goes
  range(1).mapBatches(taggerUdf, { constructorArgs: [42] });
  // @ts-expect-error Tagger's constructor needs its arguments (and at run time the call says so)
  assert.throws(() => range(1).mapBatches(taggerUdf, { concurrency: 2 }), /pass them as constructorArgs/);
});

test('preserveOrder keeps input order through an actor pool', () =>
  withDir(async (dir) => {
    const rows = await range(500)
      .mapBatches(taggerUdf, { batchSize: 7, concurrency: 2, constructorArgs: [dir, 1] })
      .takeAll({ cpus: 2, preserveOrder: true });
    assert.deepEqual(
      rows.map((r) => r.id),
      Array.from({ length: 500 }, (_, i) => i),
    );
  }));

test('column operations fuse into the actor operator; explain shows the pool', () =>
  withDir(async (dir) => {
    const ds = range(10)
      .mapBatches(taggerUdf, { batchSize: 5, concurrency: [1, 2], numCpus: 0.5, constructorArgs: [dir] })
      .selectColumns(['id', 'actor']);
    assert.match(ds.explain(), /MapBatches\(Tagger\)->SelectColumns\(id, actor\) \[actor pool, 1-2 actors, 0\.5 CPU per actor\]/);
    assert.deepEqual(Object.keys((await ds.take(1, { cpus: 2 }))[0]).sort(), ['actor', 'id']);
  }));

test('maxTasksPerWorker retires an actor after N batches and a fresh one takes its place', () =>
  withDir(async (dir) => {
    const rows = await range(300)
      .mapBatches(taggerUdf, { batchSize: 10, concurrency: 1, maxTasksPerWorker: 10, constructorArgs: [dir] })
      .takeAll({ cpus: 2 });
    assert.equal(rows.length, 300);
    assert.ok(Math.max(...rows.map((r) => r.calls)) <= 10, 'an actor ran more than 10 batches');
    assert.equal(new Set(rows.map((r) => r.thread)).size, 3, '30 batches, 10 per actor: 3 actors');
    assert.equal(linesOf(dir, 'constructed').length, 3);
    assert.equal(linesOf(dir, 'closed').length, 3);
  }));

test('an error thrown in call is a UdfError naming the operator; onError skip drops the batch', async () => {
  await assert.rejects(
    range(100)
      .mapBatches(failsOnUdf, { batchSize: 10, constructorArgs: [42] })
      .takeAll({ cpus: 2 }),
    (error: unknown) => {
      assert.ok(error instanceof UdfError, String(error));
      assert.equal(error.operator, 'MapBatches(FailsOn)');
      assert.match(error.message, /row 42 is bad/);
      return true;
    },
  );
  const kept = await range(100)
    .mapBatches(failsOnUdf, { batchSize: 10, constructorArgs: [42], onError: 'skip' })
    .takeAll({ cpus: 2 });
  assert.equal(kept.length, 90);
});

test('a constructor that throws fails the job with an ActorError, without restarting forever', async () => {
  const events = new EventStream();
  await assert.rejects(
    range(100).mapBatches(brokenConstructorUdf, { concurrency: 2, maxRestarts: 5 }).takeAll({ cpus: 2, onEvent: events.handler }),
    (error: unknown) => {
      assert.ok(error instanceof ActorError, String(error));
      assert.match(
        error.message,
        /^MapBatches\(BrokenConstructor\): actor \d could not start \(constructing BrokenConstructor\): model file missing/,
      );
      return true;
    },
  );
  for await (const event of events) assert.notEqual(event.type, 'actor-restart');
});

test('a class passed without udf(), or actor options given to a function, is a UdfPlacementError that says how to fix it', () => {
  assert.throws(
    () => range(10).map(RowDoubler as never),
    (error: unknown) => error instanceof UdfPlacementError && /udf\(import\.meta\.url, RowDoubler\)/.test(error.message),
  );
  function plain(row: { id: number }) {
    return row;
  }
  assert.throws(() => range(10).map(plain, { maxRestarts: 2 } as object), /maxRestarts applies to actor pools/);
  // A constructor that needs arguments and got none.
  assert.throws(() => range(10).mapBatches(failsOnUdf as never), /constructor of FailsOn takes 1 argument; pass them as constructorArgs/);
});
