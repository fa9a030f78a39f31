import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { receivedReplyStreams, sharedRepliesAllowed, sharedReplyLimit } from '../src/pools/shared-replies.js';

// V8's collector, for this test to free what it dropped: the count follows collection.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

test("a job's bound on shared replies is a quarter of its memory budget, at most 64 MiB", () => {
  assert.equal(sharedReplyLimit(8 * 1024 * 1024), 2 * 1024 * 1024);
  assert.equal(sharedReplyLimit(1024 ** 3), 64 * 1024 * 1024);
});

test('replies come shared until the bound is reached by shared streams waiting to be collected, and again once V8 has collected them', async () => {
  const limit = 64 * 1024 * 1024;
  assert.ok(sharedRepliesAllowed(limit));
  // Received in a scope of their own: once it returns, nothing refers to the streams.
  const receive = () => {
    const streams = Array.from({ length: 4 }, () => new SharedArrayBuffer(16 * 1024 * 1024));
    receivedReplyStreams([new ArrayBuffer(1024), ...streams.slice(0, 3)]);
    assert.ok(sharedRepliesAllowed(limit), '48 MiB shared, and a moved buffer, which V8 counts itself');
    receivedReplyStreams(streams.slice(3));
    assert.ok(!sharedRepliesAllowed(limit), '64 MiB shared and uncollected');
  };
  receive();
  for (let i = 0; i < 20 && !sharedRepliesAllowed(limit); i++) {
    collectGarbage();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.ok(sharedRepliesAllowed(limit), 'collected, the streams no longer count');
});
