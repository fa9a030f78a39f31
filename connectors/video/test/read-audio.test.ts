/**
 * readAudio, and audio from readVideos' own decode: segments of the asked rate and channels at
 * the file's times, a tone whose frequency survives decoding and resampling, overlaps, and
 * files without audio giving no rows.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import { readAudio, readVideos, type AudioSegmentRow, type VideoRow } from '../src/index.js';
import { makeClips, settledToolChildren, type Clips } from './fixtures/clips.js';
import { frameKeys } from './fixtures/frames.js';

let dir = '';
let clips: Clips;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-read-audio-'));
  clips = await makeClips(dir);
});
after(() => rm(dir, { recursive: true, force: true }));
afterEach(async () => assert.deepEqual(await settledToolChildren(), { running: 0, zombies: 0 }, 'no ffmpeg left, running or unreaped'));

/** A tone's frequency from the rising zero crossings of one channel. */
function frequency(samples: Float32Array, sampleRate: number, channels = 1, channel = 0): number {
  let crossings = 0;
  const frames = samples.length / channels;
  for (let i = 1; i < frames; i++) if (samples[(i - 1) * channels + channel] < 0 && samples[i * channels + channel] >= 0) crossings++;
  return (crossings * sampleRate) / frames;
}

const bySegment = (rows: AudioSegmentRow[]) => [...rows].sort((a, b) => a.segmentIndex - b.segmentIndex);

test('the 1000 Hz tone comes out as 16 kHz mono float segments at its times, at 1000 Hz', async () => {
  const rows = bySegment(await readAudio(clips.tone.path, { segmentSeconds: 0.5 }).takeAll());
  assert.deepEqual(
    rows.map((r) => [r.segmentIndex, r.startMs, r.endMs, r.sampleRate, r.channels, r.samples.length]),
    [0, 1, 2, 3].map((i) => [i, i * 500, (i + 1) * 500, 16000, 1, 8000]),
  );
  for (const row of rows) {
    assert.ok(row.samples instanceof Float32Array);
    assert.ok(Math.abs(frequency(row.samples, 16000) - 1000) < 10, `${frequency(row.samples, 16000)} Hz`);
  }
});

test('segments overlap by overlapSeconds, and the last, shorter one holds what no segment before it did', async () => {
  const rows = bySegment(await readAudio(clips.tone.path, { sampleRate: 8000, segmentSeconds: 1, overlapSeconds: 0.25 }).takeAll());
  assert.deepEqual(
    rows.map((r) => [r.startMs, r.endMs, r.samples.length]),
    [
      [0, 1000, 8000],
      [750, 1750, 8000],
      [1500, 2000, 4000],
    ],
  );
  assert.deepEqual(rows[1].samples.subarray(0, 2000), rows[0].samples.subarray(6000), 'the overlap holds the same samples');
});

test('channels: stereo AAC at 48 kHz keeps two interleaved channels; each decodes to the 440 Hz sine', async () => {
  const clip = clips.h264Mp4;
  const rows = bySegment(await readAudio(clip.path, { sampleRate: 22050, channels: 2, segmentSeconds: 1 }).takeAll());
  assert.ok(rows.length >= 3);
  const [first] = rows;
  assert.equal(first.samples.length, 2 * 22050);
  for (const channel of [0, 1]) assert.ok(Math.abs(frequency(first.samples, 22050, 2, channel) - 440) < 5);
});

test('a file without audio gives no rows; under skip the error log says why and the other files go on', async () => {
  assert.equal((await readAudio(clips.silent.path).takeAll()).length, 0);
  const errorLog = join(dir, 'audio-errors.jsonl');
  const rows = await readAudio([clips.silent.path, clips.tone.path], { onError: 'skip', segmentSeconds: 1 }).takeAll({ errorLog });
  assert.equal(rows.length, 2);
  const log = readFileSync(errorLog, 'utf8');
  assert.match(log, /silent/);
  assert.match(log, /no audio stream/);
});

test('readVideos with audio: frames and segments from one decode per file, told apart by kind, as readVideos and readAudio give them', async () => {
  const clip = clips.h264Mp4;
  const rows: VideoRow[] = await readVideos(clip.path, { fps: 2, audio: { segmentSeconds: 1 } }).takeAll();
  const frames = rows.flatMap((r) => (r.kind === 'frame' ? [r] : []));
  const segments = bySegment(rows.flatMap((r) => (r.kind === 'audio' ? [r] : [])));
  assert.deepEqual(frameKeys(frames), frameKeys(await readVideos(clip.path, { fps: 2 }).takeAll()));
  const alone = bySegment(await readAudio(clip.path, { segmentSeconds: 1 }).takeAll());
  assert.deepEqual(
    segments.map((s) => [s.startMs, s.endMs, s.samples.length]),
    alone.map((s) => [s.startMs, s.endMs, s.samples.length]),
  );
  assert.deepEqual(segments[0].samples, alone[0].samples);
  // A file without audio: its frames, and no failure.
  const silent = await readVideos(clips.silent.path, { fps: 1, audio: true }).takeAll();
  assert.ok(silent.length > 0 && silent.every((r) => r.kind === 'frame'));
});
