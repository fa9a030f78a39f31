/**
 * write(sink): a Datasink's lifecycle (onWriteStart, write per batch, onWriteComplete; or
 * onWriteFailed with the error the write rejects with), batches of rowsPerWrite rows in the
 * sink's batch format, and bounded concurrency of write calls on the main thread.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { isMainThread } from 'node:worker_threads';
import { Table } from 'apache-arrow';
import { range, UdfError, WriteError, type Datasink, type WriteContext, type WriteResult } from '../src/index.js';

type IdRow = { id: number };

/** Records every lifecycle call in order; `write` returns the batch's first id. */
class RecordingSink implements Datasink<IdRow, number> {
  readonly calls: string[] = [];
  readonly contexts: WriteContext[] = [];
  failed: Error | null = null;
  completed: WriteResult<number> | null = null;
  inFlight = 0;
  maxInFlight = 0;

  constructor(
    readonly rowsPerWrite: number | undefined,
    private readonly failOnTask = -1,
  ) {}

  /** When set, onWriteStart fails with it after 100 ms. */
  startFailure: string | null = null;

  async onWriteStart(): Promise<void> {
    this.calls.push('start');
    if (this.startFailure === null) return;
    await sleep(100);
    throw new Error(this.startFailure);
  }

  async write(batch: IdRow[], ctx: WriteContext): Promise<number> {
    assert.ok(isMainThread, 'a Datasink writes on the main thread');
    this.calls.push('write');
    this.contexts.push(ctx);
    this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
    try {
      await sleep(5);
      if (ctx.taskIndex === this.failOnTask) throw new Error('the database said no');
      return batch[0].id;
    } finally {
      this.inFlight--;
    }
  }

  onWriteComplete(result: WriteResult<number>): void {
    this.calls.push('complete');
    this.completed = result;
  }

  onWriteFailed(error: Error): void {
    this.calls.push('failed');
    this.failed = error;
  }
}

test('a Datasink sees onWriteStart, then write per batch of rowsPerWrite rows, then onWriteComplete with the results', async () => {
  const sink = new RecordingSink(100);
  const result = await range(1_000).write(sink, { concurrency: 3, preserveOrder: true });

  assert.deepEqual(sink.calls, ['start', ...Array<string>(10).fill('write'), 'complete']);
  assert.equal(sink.completed, result);
  assert.equal(result.rows, 1_000);
  assert.ok(result.bytes >= 4_000, `${result.bytes} bytes`);
  assert.deepEqual(result.returns, [0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
  assert.deepEqual(
    sink.contexts.map((c) => c.taskIndex).sort((a, b) => a - b),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  );
  assert.ok(sink.contexts.every((c) => c.writeId === result.writeId));
  assert.ok(sink.maxInFlight > 1 && sink.maxInFlight <= 3, `${sink.maxInFlight} writes in flight with concurrency 3`);
  assert.equal(sink.failed, null);
  assert.ok(result.stats.operators.length > 0);
});

test('a failing write rejects with a WriteError naming the sink and task, after onWriteFailed got it', async () => {
  const sink = new RecordingSink(50, 3);
  const error = await range(2_000)
    .write(sink, { concurrency: 1 })
    .then(
      () => assert.fail('the write succeeded'),
      (e: unknown) => e,
    );

  assert.ok(error instanceof WriteError, String(error));
  assert.equal(error.message, 'RecordingSink: write (task 3, 50 rows) failed: the database said no');
  assert.equal(sink.failed, error);
  assert.deepEqual(
    sink.calls,
    ['start', 'write', 'write', 'write', 'write', 'failed'],
    'no write starts after the failure, no onWriteComplete',
  );
});

test('an upstream UDF error reaches onWriteFailed and rejects the write as it is', async () => {
  const sink = new RecordingSink(undefined);
  const failing = range(500).map((row) => {
    if (row.id === 321) throw new Error('bad row');
    return row;
  });
  await assert.rejects(failing.write(sink), (error: unknown) => {
    assert.ok(error instanceof UdfError);
    assert.equal(sink.failed, error);
    return true;
  });
  assert.equal(sink.calls.at(-1), 'failed');
  assert.ok(!sink.calls.includes('complete'));
});

test('onWriteStart runs while the plan starts, and no write comes before it has finished', async () => {
  const events: string[] = [];
  const sink: Datasink<IdRow, void> = {
    onWriteStart: async () => {
      events.push('start begins');
      await sleep(300);
      events.push('start ends');
    },
    write: () => void events.push('write'),
  };
  const slowFirstBlock = range(4).mapBatches(async (rows) => {
    events.push('plan runs');
    await sleep(300);
    return rows;
  });
  const began = performance.now();
  const result = await slowFirstBlock.write(sink);
  const seconds = (performance.now() - began) / 1000;

  assert.equal(result.rows, 4);
  assert.deepEqual(events.slice(0, 3).toSorted(), ['plan runs', 'start begins', 'start ends'].toSorted());
  assert.ok(events.indexOf('plan runs') < events.indexOf('start ends'), events.join(', '));
  assert.ok(events.indexOf('write') > events.indexOf('start ends'), events.join(', '));
  // Side by side, not one after the other (600 ms).
  assert.ok(seconds < 0.55, `${seconds} s`);
});

test('an onWriteStart that fails stops the plan already running, and onWriteFailed gets its WriteError', async () => {
  const sink = new RecordingSink(undefined);
  sink.startFailure = 'no such database';
  let blocksRun = 0;
  const endless = range(1_000_000).mapBatches(
    async (rows) => {
      blocksRun++;
      await sleep(20);
      return rows;
    },
    { batchSize: 10 },
  );
  const began = performance.now();
  await assert.rejects(endless.write(sink), (error: unknown) => {
    assert.ok(error instanceof WriteError);
    assert.match(error.message, /RecordingSink: onWriteStart failed.*no such database/s);
    assert.equal(sink.failed, error);
    return true;
  });
  const seconds = (performance.now() - began) / 1000;
  assert.deepEqual(sink.calls, ['start', 'failed']);
  // The plan (100,000 blocks of 20 ms, tens of seconds) had started, and stopped with the write.
  const blocksWhenRejected = blocksRun;
  await sleep(200);
  assert.ok(blocksRun > 0 && blocksRun === blocksWhenRejected, `${blocksWhenRejected} blocks, then ${blocksRun}`);
  assert.ok(seconds < 2, `${seconds} s`);
});

test('a sink can take Arrow batches, and a plain object literal is a Datasink', async () => {
  const tables: Table[] = [];
  const arrowSink: Datasink<IdRow, number, 'arrow'> = {
    name: 'ArrowSink',
    batchFormat: 'arrow',
    rowsPerWrite: 256,
    write: (batch) => {
      tables.push(batch);
      return batch.numRows;
    },
  };
  const result = await range(1_000).write(arrowSink);
  assert.ok(tables.every((t) => t instanceof Table));
  assert.deepEqual(
    result.returns.toSorted((a, b) => b - a),
    [256, 256, 256, 232],
  );

  // The row type flows into a literal sink's batch; the result type from its write.
  const sums = await range(10).write({ write: (batch) => Promise.resolve(batch.reduce((n, row) => n + row.id, 0)) });
  assert.deepEqual(sums.returns, [45]);
});

test('a sink without a write method, or with a bad rowsPerWrite, is refused before the job runs', async () => {
  await assert.rejects(
    range(3).write({} as Datasink<IdRow>),
    /option 'sink' must be a Datasink: an object with a write\(batch, ctx\) method/,
  );
  await assert.rejects(
    range(3).write({ rowsPerWrite: 0, write: () => 0 }),
    /option 'rowsPerWrite' must be a whole number >= 1; received 0/,
  );
});
