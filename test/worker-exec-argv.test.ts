/** Node options on the command line reach the task pool's workers, less those a Worker refuses. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const JOB = fileURLToPath(new URL('./fixtures/exec-argv-job.js', import.meta.url));

test('a script run with V8 and per-process node options still runs its task-pool jobs; the workers keep the options they accept', () => {
  const options = ['--max-old-space-size=4096', '--stack-size=2000', '--expose-gc', '--title=sluice-test', '--enable-source-maps'];
  const child = spawnSync(process.execPath, [...options, JOB], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(child.status, 0, child.stderr);
  const report = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as { ids: number[]; execArgv: string[] };
  assert.deepEqual(report.ids, [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(report.execArgv, ['--enable-source-maps', '--no-experimental-require-module']);
});
