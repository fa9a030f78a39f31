/**
 * Cancellation and exit: a `break` out of iterRows, a `limit`, or an error cancels the work
 * still outstanding and shuts the worker pool down, so a script's process exits by itself,
 * soon, and the UDF has run on a small part of the input.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runExitingFixture } from './fixtures/executor-spawn.js';

const INPUT_ROWS = 100_000;

interface CancelReport {
  mode: string;
  rows?: number;
  tasks?: number;
  error?: string | null;
  doneAt: number;
}

/** Runs the cancel fixture in `mode`; returns its report, the UDF's call count and how long it took to exit after its last line. */
async function runCancelJob(mode: string): Promise<{ report: CancelReport; calls: number; exitLagMs: number; totalMs: number }> {
  const dir = mkdtempSync(join(tmpdir(), `sluice-cancel-${mode}-`));
  try {
    const { report, exitLagMs, totalMs } = await runExitingFixture<CancelReport>('./executor-cancel-job.js', mode, {
      SLUICE_TEST_DIR: dir,
    });
    const calls = readFileSync(join(dir, 'calls'), 'utf8').length;
    return { report, calls, exitLagMs, totalMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function assertStoppedEarly(mode: string, calls: number, exitLagMs: number, totalMs: number): void {
  // The UDF works 0.5 ms a row: all 100,000 rows would take 25 s on two workers.
  assert.ok(calls > 0);
  assert.ok(calls < INPUT_ROWS / 20, `${mode}: the UDF ran ${calls} times out of ${INPUT_ROWS}: upstream did not stop`);
  // With the pool shut down the process ends within milliseconds of its last line; a pool left
  // to wind down by itself (replacing aborted workers, then idling) keeps it about a second.
  assert.ok(exitLagMs < 1000, `${mode}: the process took ${exitLagMs.toFixed(0)} ms to exit after the script's end`);
  assert.ok(totalMs < 10_000, `${mode}: the script ran ${totalMs.toFixed(0)} ms`);
}

test('a break out of iterRows cancels outstanding tasks and the process exits by itself', async () => {
  const { report, calls, exitLagMs, totalMs } = await runCancelJob('break');
  assert.equal(report.rows, 3);
  assert.ok(report.tasks !== undefined && report.tasks <= 6, `${report.tasks} tasks started out of 200`);
  assertStoppedEarly('break', calls, exitLagMs, totalMs);
});

test('a limit stops the task-pool operator above which it sits, and the process exits by itself', async () => {
  const { report, calls, exitLagMs, totalMs } = await runCancelJob('limit');
  assert.equal(report.rows, 3);
  assertStoppedEarly('limit', calls, exitLagMs, totalMs);
});

test('a UDF error caught by the script cancels the rest and the process exits by itself', async () => {
  const { report, calls, exitLagMs, totalMs } = await runCancelJob('error');
  assert.match(report.error ?? '', /^Map\(countedFailAt200\) failed at task 0, row 200 of its batch .*: row 200 is bad$/);
  assertStoppedEarly('error', calls, exitLagMs, totalMs);
});
