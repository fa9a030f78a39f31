/**
 * Events: `onEvent` receives job, operator, retry, worker and skip events in order, with
 * timestamps; a listener that throws does not break the job; `EventStream` iterates a run's
 * events and ends after its job-end.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { EventStream, range, readJson, UdfError, type SluiceEvent, type SluiceEventType } from '../src/index.js';
import { exitOnceOnThreeUdf, mapFailsOnThirds } from './fixtures/executor-udfs.js';

function recorder(): {
  events: SluiceEvent[];
  onEvent: (event: SluiceEvent) => void;
  ofType<K extends SluiceEventType>(type: K): Extract<SluiceEvent, { type: K }>[];
} {
  const events: SluiceEvent[] = [];
  return {
    events,
    onEvent: (event) => events.push(event),
    ofType: <K extends SluiceEventType>(type: K) => events.filter((e): e is Extract<SluiceEvent, { type: K }> => e.type === type),
  };
}

test('job-start comes first and job-end last; each operator starts before it ends; times never go back', async () => {
  const started = Date.now();
  const r = recorder();
  const ds = range(500)
    .map((row) => ({ id: row.id, k: row.id % 5 }))
    .groupBy('k')
    .count();
  assert.equal((await ds.takeAll({ onEvent: r.onEvent })).length, 5);

  const { events } = r;
  assert.equal(events[0].type, 'job-start');
  assert.equal(events.at(-1)!.type, 'job-end');
  const start = r.ofType('job-start')[0];
  assert.deepEqual(start.operators, ['Range(500)', 'Map(anonymous)', 'Aggregate(k: count())']);
  for (const name of start.operators) {
    const own = events.filter((e) => 'operator' in e && e.operator === name).map((e) => e.type);
    assert.deepEqual(own, ['operator-start', 'operator-end'], name);
  }
  const ends = r.ofType('operator-end');
  assert.deepEqual(
    ends.map((e) => e.stats.rowsOut).sort((a, b) => a - b),
    [5, 500, 500],
  );
  const end = r.ofType('job-end')[0];
  assert.equal(end.outcome, 'ok');
  assert.equal(end.error, undefined);
  assert.deepEqual(
    end.stats.operators.map((o) => o.rowsOut),
    start.operators.map((name) => ends.find((e) => e.operator === name)!.stats.rowsOut),
  );
  assert.ok(new Set(events.map((e) => e.jobId)).size === 1);
  for (let i = 0; i < events.length; i++) {
    assert.ok(events[i].time >= (i ? events[i - 1].time : started) && events[i].time <= Date.now());
  }
});

test('job-end reports a failed job with its error, and a consumer that stops early as cancelled', async () => {
  const failed = recorder();
  const failing = range(50).map((row) => {
    if (row.id === 7) throw new Error('seven');
    return row;
  });
  await assert.rejects(failing.count({ onEvent: failed.onEvent }), UdfError);
  const end = failed.ofType('job-end')[0];
  assert.equal(end.outcome, 'failed');
  assert.ok(end.error instanceof UdfError && /seven/.test(end.error.message), String(end.error));
  assert.equal(failed.events.at(-1), end);

  const cancelled = recorder();
  for await (const row of range(10_000).iterRows({ onEvent: cancelled.onEvent })) if (row.id === 3) break;
  assert.equal(cancelled.ofType('job-end')[0].outcome, 'cancelled');

  const limited = recorder();
  await range(10_000).take(3, { onEvent: limited.onEvent });
  assert.equal(limited.ofType('job-end')[0].outcome, 'ok', 'a limit is the end of the data, not a cancel');
});

test('a worker crash is reported as worker-replaced, then task-retry with the next attempt', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-observe-events-'));
  process.env.SLUICE_TEST_DIR = dir;
  const r = recorder();
  try {
    assert.equal(await range(200).map(exitOnceOnThreeUdf).count({ cpus: 1, onEvent: r.onEvent }), 200);
  } finally {
    delete process.env.SLUICE_TEST_DIR;
    rmSync(dir, { recursive: true, force: true });
  }
  const replaced = r.ofType('worker-replaced');
  const retries = r.ofType('task-retry');
  assert.equal(replaced.length, 1);
  assert.equal(retries.length, 1);
  assert.deepEqual(
    { ...replaced[0], time: 0, jobId: 0, message: '' },
    { type: 'worker-replaced', operator: 'Map(exitOnceOnThree)', taskIndex: 0, time: 0, jobId: 0, message: '' },
  );
  assert.equal(retries[0].operator, 'Map(exitOnceOnThree)');
  assert.equal(retries[0].taskIndex, 0);
  assert.equal(retries[0].attempt, 2);
  assert.ok(retries[0].message.length > 0);
  assert.ok(r.events.indexOf(replaced[0]) < r.events.indexOf(retries[0]));
  assert.equal(r.ofType('job-end')[0].outcome, 'ok');
});

test("skipped rows are 'row-skipped' events; a reader's skipped file is 'file-skipped'", async () => {
  const r = recorder();
  assert.equal(await range(30).map(mapFailsOnThirds, { onError: 'skip' }).count({ onEvent: r.onEvent }), 20);
  const skipped = r.ofType('row-skipped');
  assert.equal(skipped.length, 10);
  assert.deepEqual(skipped[1].input.rowIndex, 3);
  assert.equal(skipped[1].operator, 'Map(mapFailsOnThirds)');
  assert.equal(skipped[1].step, 'Map(mapFailsOnThirds)');
  assert.equal(skipped[1].message, 'no thirds: 3');
  assert.equal(skipped[1].rows, 1);

  // A reader under 'skip': a file it cannot read is 'file-skipped', a bad line in a good file 'row-skipped'.
  const dir = mkdtempSync(join(tmpdir(), 'sluice-observe-skip-'));
  try {
    writeFileSync(join(dir, 'good.jsonl'), '{"id": 1}\nnot json\n{"id": 3}\n');
    writeFileSync(join(dir, 'broken.json'), '[{"id": 10}, ');
    const files = recorder();
    assert.equal(await readJson(dir, { onError: 'skip' }).count({ onEvent: files.onEvent }), 2);
    const [file] = files.ofType('file-skipped');
    assert.equal(file.path, join(dir, 'broken.json'));
    assert.equal(file.operator, 'ReadJson');
    assert.match(file.message, /not valid JSON/);
    const [line] = files.ofType('row-skipped');
    assert.deepEqual([line.operator, line.input.path, line.input.line], ['ReadJson', join(dir, 'good.jsonl'), 2]);
    assert.equal(files.ofType('file-skipped').length + files.ofType('row-skipped').length, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a listener that throws does not break the job and is reported once on stderr', async () => {
  const written: string[] = [];
  // eslint-disable-next-line @typescript-eslint/unbound-method -- the original, kept only to put back on process.stderr
  const write = process.stderr.write;
  process.stderr.write = (chunk: string) => {
    written.push(chunk);
    return true;
  };
  let calls = 0;
  const onEvent = () => {
    calls++;
    throw new Error('listener bug');
  };
  try {
    assert.equal(
      await range(100)
        .map((row) => row)
        .count({ onEvent, progress: 'off' }),
      100,
    );
  } finally {
    process.stderr.write = write;
  }
  assert.ok(calls >= 4, 'every event still reached the listener');
  assert.equal(written.length, 1);
  assert.match(written[0], /onEvent listener threw on a 'job-start' event .*listener bug/);
});

test('EventStream iterates the events of a run and ends after its job-end', async () => {
  const events = new EventStream();
  const counting = range(1000)
    .map((row) => row)
    .count({ onEvent: events.handler });
  const types: string[] = [];
  for await (const event of events) types.push(event.type);
  assert.equal(await counting, 1000);
  assert.deepEqual(types, ['job-start', 'operator-start', 'operator-start', 'operator-end', 'operator-end', 'job-end']);

  // A run that fails: the stream still ends, with the failure in its last event.
  const failing = new EventStream();
  const rejected = assert.rejects(
    range(10)
      .map(() => {
        throw new Error('boom');
      })
      .count({ onEvent: failing.handler }),
    UdfError,
  );
  let last: SluiceEvent | undefined;
  for await (const event of failing) last = event;
  await rejected;
  assert.equal(last?.type === 'job-end' && last.outcome, 'failed');

  // close() ends a stream whose run never started.
  const unused = new EventStream();
  setImmediate(() => unused.close());
  for await (const event of unused) assert.fail(`unexpected ${event.type}`);
});
