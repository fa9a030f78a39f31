/**
 * Reading streams: JSON Lines files far larger than the memory budget are read a byte range
 * at a time, as fast as a slow consumer takes the rows, in memory that does not grow with the input.
 */
import assert from 'node:assert/strict';
import { createWriteStream, statSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { test } from 'node:test';
import { lastJsonLine, runFixture } from './fixtures/executor-spawn.js';
import { tempDir } from './fixtures/io-read-helpers.js';

const MiB = 2 ** 20;

interface StreamReport {
  rows: number;
  readTasks: number;
  readBackpressureMs: number;
  peakHeldBytes: number;
  maxRssBytes: number;
  seconds: number;
}

/** Writes about `bytes` of JSON Lines, 200-odd bytes a row; returns the number of rows. */
async function writeJsonLines(path: string, bytes: number): Promise<number> {
  const out = createWriteStream(path);
  const filler = 'lorem ipsum '.repeat(16);
  let written = 0;
  let rows = 0;
  while (written < bytes) {
    const chunk: string[] = [];
    for (let i = 0; i < 4096; i++) chunk.push(JSON.stringify({ id: rows++, score: rows / 7, text: filler }));
    const text = chunk.join('\n') + '\n';
    written += Buffer.byteLength(text);
    if (!out.write(text)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'close');
  return rows;
}

/** Runs the streaming fixture on `file` and returns its report. */
async function streamJob(file: string, stallMs: number): Promise<StreamReport> {
  const child = await runFixture('./io-read-stream-job.js', [file, String(8 * MiB), String(MiB), String(stallMs)], {}, 60_000);
  assert.equal(child.killed, false, 'the job did not finish within a minute');
  assert.equal(child.code, 0, child.stderr);
  return lastJsonLine<StreamReport>(child);
}

test('JSON Lines 4x larger stream through an 8 MiB budget into a stalling consumer with the same peak RSS', async () => {
  const dir = tempDir('read-stream');
  const small = join(dir, 'small.jsonl');
  const big = join(dir, 'big.jsonl');
  await writeJsonLines(small, 48 * MiB);
  const rows = await writeJsonLines(big, 192 * MiB);
  // Threads, Arrow and GC slack cost the same whatever the input; holding the input would cost 144 MiB more.
  const baseline = await streamJob(small, 0);
  const report = await streamJob(big, 1000);
  assert.equal(report.rows, rows);
  assert.equal(report.readTasks, Math.ceil(statSync(big).size / MiB), 'one read task per MiB');
  assert.ok(report.readBackpressureMs > 0, 'the reads waited for the stalled consumer');
  assert.ok(report.peakHeldBytes <= 8 * MiB, `peak held ${(report.peakHeldBytes / MiB).toFixed(1)} MiB`);
  const growth = report.maxRssBytes - baseline.maxRssBytes;
  assert.ok(
    growth < 48 * MiB,
    `peak RSS ${(report.maxRssBytes / MiB).toFixed(0)} MiB for 192 MiB of input, ${(baseline.maxRssBytes / MiB).toFixed(0)} MiB for 48 MiB`,
  );
});
