/**
 * Progress: plain log lines at an interval (and a final line per operator for a job that
 * outlived one interval), live bars with cli-progress (forced onto a stream that is not a
 * terminal), nothing when off or for a short job; timers stop with the job and never keep
 * the process alive.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { configure, fromAsyncIterable, InvalidOptionError, range, type ProgressMode } from '../src/index.js';
import { lastJsonLine, runFixture } from './fixtures/executor-spawn.js';

/** A writable that keeps what it receives: the `progressStream` of these tests. */
function captureStream(): { stream: Writable; text(): string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

/** About 200 ms: ten 400-row batches of 40 ms, two at a time, after a Range source. */
const slowJob = () =>
  range(4000).mapBatches(
    async (batch) => {
      await sleep(40);
      return batch;
    },
    { batchSize: 400, name: 'SlowBatches' },
  );

const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

async function runWithProgress(progress: ProgressMode, progressIntervalMs: number): Promise<string> {
  const capture = captureStream();
  const before = timers();
  assert.equal(await slowJob().count({ progress, progressIntervalMs, progressStream: capture.stream }), 4000);
  assert.equal(timers(), before, 'the reporter left a timer behind');
  return capture.text();
}

test("progress 'log' prints a line per operator at each interval, then a final 'done' line per operator", async () => {
  const text = await runWithProgress('log', 40);
  const lines = text.trim().split('\n');
  for (const name of ['Range(4000)', 'SlowBatches']) {
    const own = lines.filter((l) => l.includes(` ${name} `));
    assert.ok(own.filter((l) => l.startsWith('sluice running')).length >= 2, `periodic lines for ${name}:\n${text}`);
    assert.equal(own.filter((l) => l.startsWith('sluice done')).length, 1, `one final line for ${name}:\n${text}`);
    assert.match(own.at(-1)!, /4000 rows out, \d+ rows\/s, 0 tasks active, 0B queued$/);
  }
  assert.ok(
    lines.some((l) => / SlowBatches .* [12] tasks active/.test(l)),
    `a running line shows tasks in flight:\n${text}`,
  );
});

test("progress 'log' stays quiet for a job shorter than one interval, and 'off' prints nothing", async () => {
  assert.equal(await runWithProgress('log', 60_000), '');
  assert.equal(await runWithProgress('off', 10), '');
});

test("progress 'bars' draws a bar per operator and finishes them full at the end", async () => {
  const text = await runWithProgress('bars', 40);
  const finalLines = text.trim().split('\n').slice(-2);
  assert.match(finalLines[0], /^Range\(4000\) +\|.+\| 100% \| 4000 rows out \| \d+ rows\/s \| 0 active \| 0B queued$/);
  assert.match(finalLines[1], /^SlowBatches +\|.+\| 100% \| 4000 rows out/);
  assert.ok(
    text.split('\n').some((l) => /^SlowBatches .*\| +[1-9]\d?% /.test(l) && !l.includes('100%')),
    `a bar part way:\n${text}`,
  );
});

test("progress 'bars' ends cleanly on a break, and a bar without a known total shows counts only", async () => {
  const capture = captureStream();
  const before = timers();
  // An async iterable tells no row count ahead: its bars are counts, not percentages.
  // eslint-disable-next-line @typescript-eslint/require-await -- async with nothing to await: the source must be an async iterable
  const ds = fromAsyncIterable(async function* () {
    for (let id = 0; id < 4000; id++) yield { id };
  }).mapBatches(
    async (batch) => {
      await sleep(20);
      return batch;
    },
    { batchSize: 400, name: 'SlowBatches' },
  );
  for await (const row of ds.iterRows({ progress: 'bars', progressIntervalMs: 40, progressStream: capture.stream }))
    if (row.id >= 1000) break;
  assert.equal(timers(), before, 'the reporter left a timer behind');
  const last = capture.text().trim().split('\n').slice(-2);
  assert.match(last[0], /^FromAsyncIterable +\| \d+ rows out \| \d+ rows\/s/);
  assert.match(last[1], /^SlowBatches +\| \d+ rows out \| \d+ rows\/s \| \d active \| \S+ queued$/);
  assert.doesNotMatch(last.join('\n'), /%/);
});

test("progress 'auto' under CI logs to stderr, and progress never keeps a process alive", async () => {
  const logged = await runFixture('./observe-progress-job.js', ['auto', '40', 'full'], { CI: 'true' }, 20_000);
  assert.equal(logged.code, 0, logged.stderr);
  assert.deepEqual(lastJsonLine(logged), { rows: 4000 });
  assert.match(logged.stderr, /^sluice running .* SlowBatches /m);
  assert.match(logged.stderr, /^sluice done .* SlowBatches .*4000 rows out/m);

  // A script that leaves an iterator open must still exit, with bars running.
  const abandoned = await runFixture('./observe-progress-job.js', ['bars', '40', 'abandon'], {}, 20_000);
  assert.equal(abandoned.killed, false, 'the process did not exit by itself');
  assert.equal(abandoned.code, 0, abandoned.stderr);
  assert.deepEqual(lastJsonLine(abandoned), { abandoned: true });
});

test('progress settings are checked, and configure() sets them for the jobs that follow', async () => {
  await assert.rejects(
    range(1).count({ progress: 'fancy' as ProgressMode }),
    (error: unknown) => error instanceof InvalidOptionError && error.option === 'progress',
  );
  await assert.rejects(
    range(1).count({ progressIntervalMs: 0 }),
    (error: unknown) => error instanceof InvalidOptionError && error.option === 'progressIntervalMs',
  );
  const capture = captureStream();
  const previous = configure({ progress: 'log', progressIntervalMs: 40, progressStream: capture.stream });
  try {
    await slowJob().count();
  } finally {
    configure({ progress: previous.progress, progressIntervalMs: previous.progressIntervalMs, progressStream: previous.progressStream });
  }
  assert.match(capture.text(), /^sluice done .* SlowBatches /m);
});
