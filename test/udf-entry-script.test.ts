/**
 * A script that defines its worker UDFs with udf(import.meta.url, fn) and runs a job in the same
 * file works, but every worker imports the script and runs its top-level code again: the main
 * thread warns once per process and says how to fix it. A script whose UDFs live in a module of
 * their own gets no warning.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lastJsonLine, runFixture } from './fixtures/executor-spawn.js';

const WARNING = 'sluice: warning: ';

interface Report {
  readonly mode: string;
  readonly first: number[];
  readonly second: number[];
}

// The warning is sluice's own stderr line, not a Node process warning: NODE_NO_WARNINGS does not hide it.
const env = { NODE_NO_WARNINGS: '1' };

test('UDFs defined in the entry script: the jobs run, and one warning says to move the UDFs to a module of their own', async () => {
  const child = await runFixture('./udf-entry-script-job.js', ['here'], env, 30_000);
  assert.equal(child.code, 0, child.stderr);
  const report = lastJsonLine<Report>(child);
  assert.deepEqual(report.first, [0, 3, 6, 9, 12, 15, 18, 21, 24, 27, 30, 33]);
  assert.deepEqual(report.second, [0, 3, 6, 9]);
  assert.equal(child.stderr.split(WARNING).length - 1, 1, `expected the warning exactly once on stderr:\n${child.stderr}`);
  assert.match(
    child.stderr,
    /tripleId marked with udf\(import\.meta\.url, \.\.\.\) in \S*udf-entry-script-job\.js, the script this process runs/,
  );
  assert.match(child.stderr, /Move the UDFs to a module of their own \(e\.g\. pipeline-udfs\.ts, as examples\/pipeline-udfs\.ts does\)/);
});

test('UDFs imported from a module of their own: no warning', async () => {
  const child = await runFixture('./udf-entry-script-job.js', ['elsewhere'], env, 30_000);
  assert.equal(child.code, 0, child.stderr);
  const report = lastJsonLine<Report>(child);
  assert.deepEqual(report.first, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  assert.deepEqual(report.second, [0, 1, 2, 3]);
  assert.doesNotMatch(child.stderr, /sluice: warning/);
});
