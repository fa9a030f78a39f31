/**
 * Raw frames in bounded memory: every frame of a 1080p clip as RGB (over 4 GiB of pixels)
 * streams through a task-pool map under a 256 MiB memory budget, in under 1 GiB of RSS.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { resolveBinaries } from '../src/index.js';
import { ffprobeFrames, settledToolChildren } from './fixtures/clips.js';

const run = promisify(execFile);
let dir = '';
let clip = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-video-memory-'));
  clip = join(dir, 'long-1080p.mp4');
  const { ffmpeg } = await resolveBinaries();
  // 24 s at 30 fps: 720 frames of 1920x1080x3 bytes, 4.2 GiB decoded (about 8 s to encode here).
  await run(ffmpeg, [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=1920x1080:rate=30',
    '-t',
    '24',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-g',
    '60',
    clip,
  ]);
});
after(() => rm(dir, { recursive: true, force: true }));

test('over 4 GiB of raw 1080p RGB frames through a 256 MiB budget stay under 1 GiB RSS, every frame once', async () => {
  const job = new URL('./fixtures/raw-frames-job.js', import.meta.url);
  const { stdout } = await run(process.execPath, [job.pathname, clip, '256'], { timeout: 300_000 });
  const report = JSON.parse(stdout.trim().split('\n').at(-1)!) as { frames: number; bytes: number; maxRssMib: number; seconds: number };
  const expected = (await ffprobeFrames(clip)).pts.length;
  assert.equal(report.frames, expected);
  assert.ok(report.bytes >= 4 * 1024 ** 3, `${report.bytes} bytes`);
  assert.ok(report.maxRssMib < 1024, `peak RSS ${report.maxRssMib} MiB (${JSON.stringify(report)})`);
  assert.deepEqual(await settledToolChildren(), { running: 0, zombies: 0 });
});
