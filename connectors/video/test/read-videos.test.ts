/**
 * readVideos against ffprobe's own answers: every frame of each clip with its exact
 * presentation time, the sampling options, sizes and formats, rotation, time windows, and long
 * files cut into parts whose union is a one-pass decode's frames.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import { readVideos, resolveBinaries, type ReadVideosOptions, type VideoFrameRow } from '../src/index.js';
import { ffprobeFrames, makeClips, settledToolChildren, type Clip, type Clips } from './fixtures/clips.js';
import { frameCounterUdf } from './fixtures/frame-udfs.js';
import { frameKeys, peakFfmpeg } from './fixtures/frames.js';

let dir = '';
let clips: Clips;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-read-videos-'));
  clips = await makeClips(dir);
});
after(() => rm(dir, { recursive: true, force: true }));
afterEach(async () => assert.deepEqual(await settledToolChildren(), { running: 0, zombies: 0 }, 'no ffmpeg left, running or unreaped'));

const byIndex = (rows: VideoFrameRow[]) => [...rows].sort((a, b) => a.frameIndex - b.frameIndex);

async function frames(clip: Clip, options: ReadVideosOptions = {}): Promise<VideoFrameRow[]> {
  return byIndex(await readVideos(clip.path, options).takeAll());
}

test('every frame of each clip, indexed in stream order, at ffprobe best_effort_timestamp_time (within a frame duration)', async () => {
  for (const name of ['h264Mp4', 'vp9Webm', 'mpeg4Avi', 'h264Mkv', 'portrait'] as const) {
    const clip = clips[name];
    const probe = await ffprobeFrames(clip.path);
    const rows = await frames(clip, { format: 'gray' });
    assert.equal(rows.length, probe.pts.length, `${name}: frame count`);
    const frameMs = 1000 / clip.fps;
    rows.forEach((row, i) => {
      assert.equal(row.frameIndex, i, name);
      assert.ok(Math.abs(row.timestampMs - probe.pts[i] * 1000) < frameMs, `${name} frame ${i}: ${row.timestampMs} vs ${probe.pts[i]}`);
      assert.equal(row.path, clip.path);
      assert.equal(row.format, 'gray');
      assert.equal(row.width, clip.width, name);
      assert.equal(row.height, clip.height, name);
      assert.equal(row.data.length, clip.width * clip.height, `${name}: gray is one byte a pixel`);
    });
  }
});

test('rotation is applied: the portrait clip comes out portrait, in every format and size', async () => {
  const { portrait } = clips;
  assert.ok(portrait.height > portrait.width);
  const [rgb] = await readVideos(portrait.path, { format: 'rgb' }).take(1);
  assert.deepEqual([rgb.width, rgb.height, rgb.data.length], [portrait.width, portrait.height, portrait.width * portrait.height * 3]);
  const [small] = await readVideos(portrait.path, { size: { maxSide: 100 } }).take(1);
  assert.equal(small.height, 100);
  assert.ok(small.width < small.height);
});

test('fps keeps the first frame of each 1/fps-second step; everyNth and keyframesOnly keep what ffprobe says they should', async () => {
  const clip = clips.h264Mkv;
  const probe = await ffprobeFrames(clip.path);
  const byStep = probe.pts.map((t, i) => ({ t, i })).filter(({ t }, k) => k === 0 || Math.floor(t * 2) > Math.floor(probe.pts[k - 1] * 2));
  assert.deepEqual(
    (await frames(clip, { fps: 2 })).map((r) => r.frameIndex),
    byStep.map(({ i }) => i),
  );
  assert.deepEqual(
    (await frames(clip, { everyNth: 5 })).map((r) => r.frameIndex),
    probe.pts.map((_, i) => i).filter((i) => i % 5 === 0),
  );
  const keyframes = probe.pts.filter((_, i) => probe.keyframes[i]);
  const keys = await frames(clip, { keyframesOnly: true });
  assert.deepEqual(
    keys.map((r) => Math.round(r.timestampMs)),
    keyframes.map((t) => Math.round(t * 1000)),
  );
  assert.deepEqual(
    keys.map((r) => r.frameIndex),
    keyframes.map((_, i) => i),
    'keyframesOnly counts keyframes',
  );
});

test('sceneThreshold keeps the first frame and the frames where the picture changes', async () => {
  // Two sources joined: one cut, at 2 s.
  const cut = join(dir, '_cut.mp4');
  const { ffmpeg } = await resolveBinaries();
  const source = (name: string) => ['-f', 'lavfi', '-i', `${name}=size=320x240:rate=25:duration=2`];
  execFileSync(ffmpeg, ['-v', 'error', '-y', ...source('testsrc2'), ...source('smptebars'), '-filter_complex', 'concat=n=2:v=1:a=0', cut]);
  const rows = byIndex(await readVideos(cut, { sceneThreshold: 0.3 }).takeAll());
  assert.deepEqual(
    rows.map((r) => r.frameIndex),
    [0, 50],
  );
  assert.equal(rows[1].timestampMs, 2000);
});

test('keyframesOnly gives the keyframes also where the decoder decodes every frame (VP9)', async () => {
  const clip = clips.vp9Webm;
  const probe = await ffprobeFrames(clip.path);
  const keys = await frames(clip, { keyframesOnly: true });
  assert.deepEqual(
    keys.map((r) => Math.round(r.timestampMs)),
    probe.pts.filter((_, i) => probe.keyframes[i]).map((t) => Math.round(t * 1000)),
  );
});

test('sizes keep the aspect ratio; JPEG and PNG frames are whole images', async () => {
  const clip = clips.h264Mp4;
  const [w] = await readVideos(clip.path, { size: { width: 160 } }).take(1);
  assert.deepEqual([w.width, w.height], [160, 120]);
  const [h] = await readVideos(clip.path, { size: { height: 60 }, format: 'rgb' }).take(1);
  assert.deepEqual([h.width, h.height, h.data.length], [80, 60, 80 * 60 * 3]);
  const jpegs = await frames(clip, { everyNth: 10 });
  for (const jpeg of jpegs) {
    assert.deepEqual([...jpeg.data.subarray(0, 2)], [0xff, 0xd8], 'SOI');
    assert.deepEqual([...jpeg.data.subarray(-2)], [0xff, 0xd9], 'EOI');
  }
  const pngs = await frames(clip, { everyNth: 25, format: 'png' });
  assert.equal(pngs.length, Math.ceil(clip.frames / 25));
  for (const png of pngs) assert.equal(Buffer.from(png.data.subarray(12, 16)).toString('latin1'), 'IHDR');
  const lower = (await frames(clip, { everyNth: 10, quality: 20 })).reduce((n, r) => n + r.data.length, 0);
  assert.ok(lower < jpegs.reduce((n, r) => n + r.data.length, 0), 'a lower quality gives smaller JPEGs');
});

test('start and end keep the frames in [start, end), indexed in the whole stream', async () => {
  const clip = clips.h264Mp4;
  const probe = await ffprobeFrames(clip.path);
  const rows = await frames(clip, { start: 1.1, end: 2.2, format: 'gray' });
  const expected = probe.pts.map((t, i) => ({ t, i })).filter(({ t }) => t >= 1.1 && t < 2.2);
  assert.deepEqual(
    rows.map((r) => r.frameIndex),
    expected.map(({ i }) => i),
  );
});

test('a file longer than secondsPerTask is cut at keyframes into parts decoded in parallel: no frame lost or doubled', async () => {
  for (const clip of [clips.h264Mp4, clips.h264Mkv, clips.vp9Webm]) {
    for (const sampling of [{}, { fps: 3 }, { everyNth: 4 }, { keyframesOnly: true }, { start: 0.5, end: 2.5 }] as ReadVideosOptions[]) {
      const options: ReadVideosOptions = { ...sampling, format: 'gray' };
      const one = await frames(clip, { ...options, secondsPerTask: 1000 });
      const { result: parts, peak } = await peakFfmpeg(() =>
        readVideos(clip.path, { ...options, secondsPerTask: 0.5 }).takeAll({ cpus: 2 }),
      );
      assert.deepEqual(frameKeys(parts), frameKeys(one), `${clip.path} ${JSON.stringify(sampling)}`);
      assert.ok(peak <= 2, `at most 2 ffmpeg processes at once on 2 CPUs (saw ${peak})`);
    }
  }
});

test('a process per part holds CPU slots: one CPU, one ffmpeg at a time; threads: 2 takes two slots', async () => {
  const paths = [clips.h264Mp4, clips.vp9Webm, clips.mpeg4Avi, clips.h264Mkv].map((c) => c.path);
  const one = await peakFfmpeg(() => readVideos(paths, { format: 'gray' }).count({ cpus: 1 }));
  assert.equal(one.peak, 1);
  const two = await peakFfmpeg(() => readVideos(paths, { format: 'gray', threads: 2 }).count({ cpus: 2 }));
  assert.equal(two.peak, 1, 'two threads each: one process at a time on 2 CPUs');
  assert.equal(two.result, one.result);
});

test('ffmpeg processes and an actor pool share the CPU slots: with a 1-CPU actor on 2 CPUs, one ffmpeg at a time', async () => {
  const paths = [clips.h264Mp4, clips.vp9Webm, clips.mpeg4Avi, clips.h264Mkv].map((c) => c.path);
  const ds = readVideos(paths, { format: 'gray' })
    .selectColumns(['frameIndex'])
    .mapBatches(frameCounterUdf, { concurrency: 1, numCpus: 1, batchSize: 8, batchFormat: 'columns' });
  const { result, peak } = await peakFfmpeg(() => ds.count({ cpus: 2 }));
  assert.equal(peak, 1);
  assert.equal(
    result,
    (await Promise.all(paths.map(async (p) => (await ffprobeFrames(p)).pts.length))).reduce((a, b) => a + b),
  );
});

test('a consumer slower than timeoutMs is no hang: the paused decode is not killed', async () => {
  // 3.7 MB frames: ffmpeg fills the pipe and what the decode may hold, and waits on the consumer.
  let rows = 0;
  for await (const row of readVideos(clips.h264Mkv.path, { format: 'rgb', size: { width: 1280 }, timeoutMs: 400 }).iterRows()) {
    if (rows++ === 0) await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(row.data.length, row.width * row.height * 3);
  }
  assert.equal(rows, (await ffprobeFrames(clips.h264Mkv.path)).pts.length);
});

test('cancelling kills ffmpeg at once: a break out of iterRows, and a limit', async () => {
  const long = clips.h264Mkv.path;
  for await (const row of readVideos(long, { format: 'rgb' }).iterRows()) {
    assert.equal(row.frameIndex, 0);
    break;
  }
  assert.deepEqual(await settledToolChildren(500), { running: 0, zombies: 0 });
  assert.equal((await readVideos(long, { format: 'rgb' }).take(3)).length, 3);
  assert.deepEqual(await settledToolChildren(500), { running: 0, zombies: 0 });
});
