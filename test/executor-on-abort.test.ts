/**
 * onAbort (tasks/on-abort.ts): what per-task code waits on a job's signal with. Each waiter is
 * called once when the signal aborts, a forgotten one never, one registered after the abort at
 * once; and however many wait, the signal itself holds one listener.
 */
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { test } from 'node:test';
import { onAbort } from '../src/tasks/on-abort.js';

test('onAbort calls each waiter once on abort, never a forgotten one, and keeps one listener on the signal', () => {
  const controller = new AbortController();
  const calls: number[] = [];
  const forgets = Array.from({ length: 100 }, (_, i) => onAbort(controller.signal, () => calls.push(i)));
  assert.equal(getEventListeners(controller.signal, 'abort').length, 1);
  for (let i = 0; i < 100; i += 2) forgets[i]();
  controller.abort();
  controller.abort();
  assert.deepEqual(
    calls,
    Array.from({ length: 50 }, (_, k) => 2 * k + 1),
  );
  let late = 0;
  onAbort(controller.signal, () => late++);
  assert.equal(late, 1);
});

test('one function registered twice counts as two waiters: forgetting one leaves the other', () => {
  const controller = new AbortController();
  let calls = 0;
  const callback = () => calls++;
  const forgetFirst = onAbort(controller.signal, callback);
  onAbort(controller.signal, callback);
  forgetFirst();
  controller.abort();
  assert.equal(calls, 1);
});
