/**
 * milvusSink when Milvus misbehaves (the stand-in's fault injection): UNAVAILABLE once, a call
 * past its deadline, each rate-limit status, a request over the message limit, a permanent
 * error, a partial err_index; and the inFlight limit as the server sees it.
 */
import assert from 'node:assert/strict';
import { status } from '@grpc/grpc-js';
import { after, afterEach, before, test } from 'node:test';
import { fromItems, WriteError } from 'sluice';
import { milvusSink, MilvusPartialWriteError, MilvusRequestError, type MilvusRetryEvent, type MilvusSinkOptions } from '../src/index.js';
import { MilvusStandIn, RATE_LIMIT_STATUSES } from './fixtures/milvus-stand-in.js';
import { collectionName } from './fixtures/milvus-target.js';
import { docRows, docSpec } from './fixtures/sink-rows.js';

let milvus: MilvusStandIn;
before(async () => {
  milvus = await MilvusStandIn.start();
});
after(() => milvus.stop());
afterEach(() => milvus.clearFaults());

/** A fresh collection of the stand-in, and a sink to it with quick retries. */
function setUp(options: Partial<MilvusSinkOptions> = {}, standIn = () => milvus) {
  const collection = collectionName('faults');
  const retries: MilvusRetryEvent[] = [];
  const sink = milvusSink({
    uri: standIn().uri,
    collection,
    createCollection: docSpec(),
    retryBaseMs: 20,
    retryMaxMs: 200,
    onRetry: (event) => retries.push(event),
    ...options,
  });
  return { collection, retries, sink };
}

async function failure(run: Promise<unknown>): Promise<Error> {
  const error = await run.then(
    () => assert.fail('the write should have failed'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof WriteError);
  return error.cause as Error;
}

test('UNAVAILABLE once: the request is sent again and every row arrives once', async () => {
  const { collection, retries, sink } = setUp();
  milvus.failNext('Upsert', { grpcCode: status.UNAVAILABLE });
  await fromItems(docRows(200)).write(sink);
  assert.equal(milvus.count(collection), 200);
  assert.equal(sink.summary().retries, 1);
  assert.deepEqual(
    retries.map((r) => [r.method, r.attempt]),
    [['Upsert', 1]],
  );
  assert.match(retries[0].reason, /injected UNAVAILABLE/);
  const upserts = milvus.callsOf('Upsert').filter((c) => c.collection === collection);
  assert.deepEqual(
    upserts.map((c) => c.outcome),
    ['fault', ...Array<string>(sink.summary().requests).fill('ok')],
  );
});

test('a call past its deadline (callTimeoutMs) is retried; the late one and the retry leave one copy of each row', async () => {
  const { collection, retries, sink } = setUp({ callTimeoutMs: 300 });
  milvus.delay('Upsert', 800, 1);
  await fromItems(docRows(100)).write(sink);
  assert.equal(retries.length, 1);
  assert.match(retries[0].reason, /deadline/i);
  await new Promise((resolve) => setTimeout(resolve, 600));
  assert.equal(milvus.count(collection), 100);
});

for (const [name, limited] of Object.entries(RATE_LIMIT_STATUSES)) {
  test(`a rate limit (${name}: code ${limited.code}, error_code ${limited.error_code}) is waited out with growing, jittered backoff`, async () => {
    const { collection, retries, sink } = setUp();
    milvus.failNext('Upsert', { status: limited }, 3);
    await fromItems(docRows(50)).write(sink);
    assert.equal(milvus.count(collection), 50);
    assert.deepEqual(
      retries.map((r) => r.attempt),
      [1, 2, 3],
    );
    retries.forEach((r, i) => {
      const ceiling = 20 * 2 ** i;
      assert.ok(
        r.delayMs >= ceiling / 2 && r.delayMs <= ceiling,
        `retry ${i + 1} waits ${r.delayMs} ms, within [${ceiling / 2}, ${ceiling}]`,
      );
      assert.equal(r.reason, limited.reason);
    });
    const calls = milvus.callsOf('Upsert').filter((c) => c.collection === collection);
    for (let i = 1; i < calls.length; i++) {
      assert.ok(calls[i].startedAt - calls[i - 1].endedAt >= retries[i - 1].delayMs - 5, 'the server saw the waits');
    }
  });
}

test('rate limits past maxAttempts fail the write, saying what to change', async () => {
  const { sink } = setUp({ maxAttempts: 3 });
  milvus.failNext('Upsert', { status: RATE_LIMIT_STATUSES.rateLimited }, 10);
  const cause = await failure(fromItems(docRows(10)).write(sink));
  assert.ok(cause instanceof MilvusRequestError);
  assert.equal(cause.attempts, 3);
  assert.match(
    cause.message,
    /Upsert on collection .* failed after 3 attempts: rejected by grpc RateLimiter.*lower inFlight or batchBytes/,
  );
});

test('an error Milvus marks permanent fails at once, with its reason and code', async () => {
  const { retries, sink } = setUp();
  milvus.failNext('Upsert', { status: { code: 1100, error_code: 5, reason: 'the stand-in says no: invalid parameter' } });
  const cause = await failure(fromItems(docRows(10)).write(sink));
  assert.ok(cause instanceof MilvusRequestError);
  assert.equal(cause.attempts, 1);
  assert.equal(cause.code, 1100);
  assert.match(
    cause.message,
    /the stand-in says no: invalid parameter \(code 1100\); Milvus refused the call and says the error is not transient/,
  );
  assert.deepEqual(retries, []);
});

test("a request over the server's message limit is halved until it fits, and every row arrives", async () => {
  const small = await MilvusStandIn.start({ maxMessageBytes: 64 * 1024 });
  try {
    // 2,000 rows of 128 floats are about 1 MiB in one write call: a request of it is refused, and split.
    const { collection, retries, sink } = setUp({ rowsPerWrite: 2000, createCollection: docSpec(128) }, () => small);
    const result = await fromItems(docRows(2000, undefined, 128)).write(sink);
    assert.equal(small.count(collection), 2000);
    assert.deepEqual(retries, [], 'a split is not a retry');
    const summary = sink.summary();
    assert.ok(summary.splits >= 4, `${summary.splits} splits`);
    assert.equal(
      result.returns.reduce((n, r) => n + r.upserted, 0),
      2000,
    );
    const stored = small.callsOf('Upsert').filter((c) => c.collection === collection);
    assert.ok(stored.every((c) => c.rows * 128 * 4 < 64 * 1024));
  } finally {
    await small.stop();
  }
});

test('a partial err_index fails the write, naming the refused rows by key', async () => {
  const { sink } = setUp();
  milvus.failNext('Upsert', { errIndex: [3, 17] });
  const cause = await failure(fromItems(docRows(40)).write(sink, { concurrency: 1 }));
  assert.ok(cause instanceof MilvusPartialWriteError);
  assert.deepEqual(
    cause.refused.map((r) => [r.row, r.primaryKey]),
    [
      [3, 'doc-3'],
      [17, 'doc-17'],
    ],
  );
  assert.match(cause.message, /took 38 of 40 rows of a request; it refused 2: row 3 of batch 0, primary key "doc-3"/);
});

for (const inFlight of [1, 4]) {
  test(`inFlight ${inFlight}: at most ${inFlight} requests reach the server at once, and that many do`, async () => {
    const { collection, sink } = setUp({ inFlight, batchBytes: 2 * 1024 });
    milvus.delay('Upsert', 40);
    // 400 rows of about 75 bytes in requests of 2 KiB: 14 requests, sent while the next blocks arrive.
    await fromItems(docRows(400)).write(sink, { concurrency: 4 });
    assert.equal(milvus.count(collection), 400);
    const upserts = milvus.callsOf('Upsert').filter((c) => c.collection === collection);
    assert.ok(upserts.length >= 10, `${upserts.length} requests`);
    assert.equal(Math.max(...upserts.map((c) => c.inFlight)), inFlight);
  });
}
