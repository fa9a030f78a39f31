/**
 * A `break`, a `limit` or an error ends an actor pool's work early, runs close() in each actor
 * after a break or a limit, and the script's process exits by itself, soon.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runExitingFixture } from './fixtures/executor-spawn.js';

interface Report {
  rows?: number;
  error?: string | null;
  doneAt: number;
}

async function runActorJob(mode: string): Promise<{ report: Report; calls: number; closed: number; exitLagMs: number }> {
  const dir = mkdtempSync(join(tmpdir(), `sluice-actor-cancel-${mode}-`));
  try {
    const { report, exitLagMs } = await runExitingFixture<Report>('./actor-cancel-job.js', mode, { SLUICE_TEST_DIR: dir });
    const count = (file: string) => (existsSync(join(dir, file)) ? readFileSync(join(dir, file), 'utf8').length : 0);
    // 10,000 batches of 5 ms on 2 actors would take 25 s: a few hundred calls at most mean upstream stopped.
    assert.ok(count('calls') < 1_000, `${mode}: ${count('calls')} calls`);
    assert.equal(count('constructed'), 2);
    // Actor threads ended with the job: the process ends right after the script's last line.
    assert.ok(exitLagMs < 1000, `${mode}: the process took ${exitLagMs.toFixed(0)} ms to exit`);
    return { report, calls: count('calls'), closed: count('closed'), exitLagMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a break out of iterRows over an actor pool closes the actors and the process exits by itself', async () => {
  const { report, closed } = await runActorJob('break');
  assert.equal(report.rows, 3);
  assert.equal(closed, 2);
});

test('a limit above an actor pool closes the actors and the process exits by itself', async () => {
  const { report, closed } = await runActorJob('limit');
  assert.equal(report.rows, 25);
  assert.equal(closed, 2);
});

test('an error in call fails the job with a UdfError and the process exits by itself', async () => {
  const { report } = await runActorJob('error');
  assert.match(report.error ?? '', /^MapBatches\(Counted\) failed at task \d+, the batch of rows 0-9 of its input.*: row 2000 is bad$/);
});
