/**
 * Middleware: before/after hooks around every task of a map-like operator, on the main
 * thread, with the operator, the task's rows and its outcome; a hook that throws fails the
 * job with a MiddlewareError.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MiddlewareError, range, UdfError, type UdfCall, type UdfMiddleware, type UdfOutcome } from '../src/index.js';
import { tagThreadUdf } from './fixtures/executor-udfs.js';

interface Traced {
  readonly hook: 'before' | 'after';
  readonly call: UdfCall;
  readonly outcome?: UdfOutcome;
}

function tracer(): { trace: Traced[]; middleware: UdfMiddleware } {
  const trace: Traced[] = [];
  return {
    trace,
    middleware: {
      before: (call) => void trace.push({ hook: 'before', call }),
      after: (call, outcome) => void trace.push({ hook: 'after', call, outcome }),
    },
  };
}

test('before and after run around every task, on the task pool and on the main thread', async () => {
  const t = tracer();
  // 300 rows in 64-row blocks: five tasks per operator.
  const ds = range(300)
    .map(tagThreadUdf)
    .filter((row) => row.id % 3 === 0);
  assert.equal(await ds.count({ cpus: 2, middleware: t.middleware }), 100);
  const stats = await ds.stats();

  for (const [operator, rowsIn, rowsOut] of [
    ['Map(tagThread)', 300, 300],
    ['Filter(anonymous)', 300, 100],
  ] as const) {
    const befores = t.trace.filter((e) => e.hook === 'before' && e.call.operator === operator);
    const afters = t.trace.filter((e) => e.hook === 'after' && e.call.operator === operator);
    assert.equal(befores.length, stats.operator(operator)!.tasks, `one before per ${operator} task`);
    assert.equal(afters.length, befores.length);
    assert.deepEqual(
      befores.map((e) => e.call.taskIndex).sort((a, b) => a - b),
      befores.map((_, i) => i),
    );
    assert.equal(
      befores.reduce((n, e) => n + e.call.batchSize, 0),
      rowsIn,
    );
    assert.equal(
      afters.reduce((n, e) => n + e.outcome!.rowsOut, 0),
      rowsOut,
    );
    for (const after of afters) {
      assert.equal(after.outcome!.error, undefined);
      assert.ok(after.outcome!.durationMs >= 0);
      const before = t.trace.findIndex((e) => e.hook === 'before' && e.call === after.call);
      assert.ok(before >= 0 && before < t.trace.indexOf(after), 'before comes first, with the same call');
    }
  }
});

test('after receives a failing task with its error; several middlewares nest', async () => {
  const order: string[] = [];
  const outer: UdfMiddleware = {
    before: () => void order.push('outer before'),
    after: (_c, o) => void order.push(`outer after ${o.error ? 'error' : 'ok'}`),
  };
  const inner: UdfMiddleware = {
    before: () => void order.push('inner before'),
    after: (_c, o) => void order.push(`inner after ${o.error ? 'error' : 'ok'}`),
  };
  const failing = range(10).map(() => {
    throw new Error('bad row');
  });
  await assert.rejects(failing.count({ middleware: [outer, inner] }), UdfError);
  assert.deepEqual(order, ['outer before', 'inner before', 'inner after error', 'outer after error']);
});

test('a middleware that throws fails the job with a MiddlewareError naming the hook and the operator', async () => {
  const ds = range(100).map((row) => row, { name: 'Traced' });
  const throwing = (message: string) => () => {
    throw new Error(message);
  };
  await assert.rejects(ds.count({ middleware: { before: throwing('tracer down') } }), (error: unknown) => {
    assert.ok(error instanceof MiddlewareError, String(error));
    assert.equal(error.operator, 'Traced');
    assert.equal(error.hook, 'before');
    assert.match(error.message, /middleware before\(\) threw at Traced task 0: tracer down/);
    return true;
  });
  await assert.rejects(
    ds.count({ middleware: { after: throwing('exporter down') } }),
    /middleware after\(\) threw at Traced task \d+: exporter down/,
  );
});
