/**
 * A 200-partition PDF-to-Parquet job (600 one-page PDFs, three per read task) killed with
 * kill -9 at several points and resumed with the same runId: the rows of a clean run, each once,
 * no temporary files, and the resumed process maps only the pages of the partitions it lacks.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readParquet } from 'sluice';
import { writeSampleCorpus } from '../src/index.js';
import { tempDir } from './fixtures/pdf-files.js';
import { CALLS_FILE_ENV } from './fixtures/pdf-resume-udfs.js';

const JOB = fileURLToPath(new URL('./fixtures/pdf-resume-job.js', import.meta.url));

/** Each written page as `file#page: text`, sorted. */
async function writtenPages(out: string): Promise<string[]> {
  const rows = await readParquet<{ file: string; page: number; text: string }>(out).takeAll({ progress: 'off' });
  return rows.map((r) => `${r.file}#${r.page}: ${r.text}`).sort();
}

const recorded = (records: string): string[] => readdirSync(records).filter((name) => name.endsWith('.json') && !name.startsWith('.'));
const calls = (file: string): number => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0);
const leftovers = (out: string): string[] =>
  readdirSync(out, { recursive: true, encoding: 'utf8' }).filter((name) => name.split('/').some((part) => part.startsWith('.')));

test('readPdfs to Parquet with a runId, killed with kill -9 at three points and resumed: the clean run, each page once, only the rest redone', async () => {
  const dir = await tempDir();
  const input = path.join(dir, 'pdfs');
  await writeSampleCorpus(input, { documents: 600, pagesPerDocument: 1, seed: 5 });
  const clean = path.join(dir, 'clean');
  const cleanRun = spawnSync(process.execPath, [JOB, input, clean, 'clean'], {
    encoding: 'utf8',
    env: { ...process.env, [CALLS_FILE_ENV]: path.join(dir, 'clean-calls.txt') },
  });
  assert.equal(cleanRun.status, 0, cleanRun.stderr);
  assert.equal(recorded(path.join(clean, '_sluice-runs', 'clean')).length, 200, 'three one-page PDFs per read task');
  const expected = await writtenPages(clean);
  assert.equal(expected.length, 600);

  for (const killAfter of [20, 100, 180]) {
    const out = path.join(dir, `out-${killAfter}`);
    const callsFile = path.join(dir, `calls-${killAfter}.txt`);
    const env = { ...process.env, [CALLS_FILE_ENV]: callsFile };
    const records = path.join(out, '_sluice-runs', 'nightly');
    const child = spawn(process.execPath, [JOB, input, out, 'nightly'], { env, stdio: 'ignore' });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    const poll = setInterval(() => {
      if (existsSync(records) && recorded(records).length >= killAfter) child.kill('SIGKILL');
    }, 2);
    await exited;
    clearInterval(poll);
    assert.equal(child.signalCode, 'SIGKILL', `killed after ${killAfter} partitions`);
    assert.equal(existsSync(path.join(out, '_SUCCESS')), false);
    const before = calls(callsFile);
    const done = recorded(records).length;

    const rerun = spawnSync(process.execPath, [JOB, input, out, 'nightly'], { encoding: 'utf8', env });
    assert.equal(rerun.status, 0, rerun.stderr);
    assert.deepEqual(await writtenPages(out), expected, `killed after ${killAfter}: the clean run's pages, each once`);
    assert.deepEqual(leftovers(out), []);
    assert.ok(existsSync(path.join(out, '_SUCCESS')));
    assert.equal(
      calls(callsFile) - before,
      600 - 3 * done,
      `killed after ${killAfter}: only the unrecorded partitions' pages are mapped again`,
    );
  }
});
