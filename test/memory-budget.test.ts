/**
 * The memory budget counts everything a job holds: queued blocks, blocks being bundled and
 * tasks in flight. The unit tests pin the admission rule; the shape tests stream 2 GiB of
 * 4 KiB rows through each pipeline shape into a Parquet write under a 256 MiB budget, each
 * in a process of its own, and check the process's peak RSS.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryBudget } from '../src/exec/memory-budget.js';
import { CancelledError } from '../src/index.js';
import { lastJsonLine, runFixture } from './fixtures/executor-spawn.js';
import { withTempDir } from './fixtures/temp-dir.js';

test('a reservation waits until it fits, except an operator with nothing in flight, which always gets one', async () => {
  const budget = new MemoryBudget(100);
  const never = new AbortController().signal;
  const a = {};
  const b = {};
  const first = await budget.reserve(80, a, never);
  // b has nothing in flight: it is let through over the budget, so that it can make progress.
  const alone = await budget.reserve(50, b, never);
  assert.equal(budget.heldBytes, 130);
  let granted = false;
  const second = budget.reserve(30, a, never).then((r) => {
    granted = true;
    return r;
  });
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(granted, false, 'a second task of a waits while the budget is full');
  // An operator with nothing in flight does not queue behind a's waiting task either.
  const c = await budget.reserve(5, {}, never);
  c.release();
  alone.release();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(granted, false, '80 + 30 still does not fit in 100');
  // The first task's output turned out smaller than its reservation: now 60 + 30 fits.
  first.resize(60);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(granted, true);
  assert.equal(budget.heldBytes, 90);
  (await second).release();
  first.release();
  assert.equal(budget.heldBytes, 0);
  assert.equal(budget.peak, 135);
});

test('queued bytes count against the budget, and a waiting reservation gives up when its job stops', async () => {
  const budget = new MemoryBudget(100);
  const holder = {};
  const held = await budget.reserve(10, holder, new AbortController().signal);
  budget.track(90);
  const stop = new AbortController();
  const waiting = budget.reserve(10, holder, stop.signal);
  stop.abort();
  await assert.rejects(waiting, CancelledError);
  budget.track(-90);
  held.release();
  assert.equal(budget.heldBytes, 0);
});

interface ShapeReport {
  rows: number;
  files: number;
  maxRssMib: number;
  seconds: number;
}

const SHAPES = ['main-map', 'main-flatMap', 'worker-map', 'actor-map'] as const;
const ROWS = (2 * 1024 ** 3) / 4096;

async function runShape(shape: string, out: string, input?: string): Promise<ShapeReport> {
  const child = await runFixture('./memory-budget-job.js', [shape, '2', '256', out, ...(input ? [input] : [])], {}, 180_000);
  assert.equal(child.killed, false, `${shape}: the job did not finish within 3 minutes`);
  assert.equal(child.code, 0, child.stderr);
  return lastJsonLine<ShapeReport>(child);
}

function checkShape(shape: string, report: ShapeReport): void {
  assert.equal(report.rows, ROWS, `${shape}: every row was written`);
  // Files default to 1/8 of the budget (32 MiB of Arrow data), not 128 MiB that would not fit.
  assert.ok(report.files >= 64 && report.files <= 66, `${shape}: ${report.files} files, expected 64 of 32 MiB`);
  assert.ok(report.maxRssMib < 1024, `${shape}: peak RSS ${report.maxRssMib} MiB, expected under 1024 MiB`);
}

test('2 GiB through each pipeline shape into a write under a 256 MiB budget peaks under 1 GiB RSS', () =>
  withTempDir('sluice-memory-', async (dir) => {
    for (const shape of SHAPES) checkShape(shape, await runShape(shape, `${dir}/${shape}`));
    // read -> write: the files the main-thread map wrote, read back and written again.
    checkShape('read', await runShape('read', `${dir}/read`, `${dir}/main-map`));
  }));
