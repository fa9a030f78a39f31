/** probeVideos: a row per file against ffprobe's own JSON and what the clips were made as; rotation as autorotate applies it; bad files. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import { FileReadError } from 'sluice';
import { probeVideos, resolveBinaries, VIDEO_EXTENSIONS, type VideoProbeRow } from '../src/index.js';
import { ffprobeJson, makeBadFiles, makeClips, settledToolChildren, type BadFiles, type Clip, type Clips } from './fixtures/clips.js';

let dir = '';
let clips: Clips;
let bad: BadFiles;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-video-probe-'));
  await mkdir(join(dir, 'clips'));
  await mkdir(join(dir, 'bad'));
  clips = await makeClips(join(dir, 'clips'));
  bad = await makeBadFiles(join(dir, 'bad'));
});
after(() => rm(dir, { recursive: true, force: true }));
afterEach(async () => assert.deepEqual(await settledToolChildren(), { running: 0, zombies: 0 }, 'no ffprobe left, running or unreaped'));

async function probeAll(): Promise<Map<string, VideoProbeRow>> {
  const rows = await probeVideos(allClips().map((c) => c.path)).takeAll();
  return new Map(rows.map((row) => [row.path, row]));
}

function allClips(): Clip[] {
  return Object.values(clips) as Clip[];
}

/** A rate "num/den" as a number. */
function rate(fraction: string): number {
  const [num, den] = fraction.split('/').map(Number);
  return num / den;
}

test('probeVideos: each clip as ffprobe reports it and as it was made', async () => {
  const rows = await probeAll();
  for (const [name, clip] of Object.entries(clips) as [string, Clip][]) {
    const row = rows.get(clip.path);
    assert.ok(row, `a row for ${name}`);
    const json = await ffprobeJson(clip.path);
    const video = json.streams.find((s) => s.codec_type === 'video')!;
    const audio = json.streams.filter((s) => s.codec_type === 'audio');
    // As ffprobe says.
    assert.equal(row.container, json.format.format_name, name);
    assert.equal(row.durationSeconds, Number(json.format.duration), name);
    assert.equal(row.bitRate, Number(json.format.bit_rate), name);
    assert.equal(row.videoCodec, video.codec_name, name);
    assert.equal(row.fps, rate(video.avg_frame_rate), name);
    assert.equal(row.frameCount, video.nb_frames === undefined ? null : Number(video.nb_frames), name);
    assert.deepEqual(
      row.audio,
      audio.map((a) => ({ codec: a.codec_name, sampleRate: Number(a.sample_rate), channels: a.channels })),
      name,
    );
    // As made.
    assert.equal(row.container, clip.container, name);
    assert.equal(row.videoCodec, clip.videoCodec, name);
    assert.deepEqual([row.width, row.height], [clip.width, clip.height], name);
    assert.ok(Math.abs(row.fps - clip.fps) < 1e-9, `${name}: fps ${row.fps}`);
    assert.equal(row.rotation, clip.rotation, name);
    assert.equal(row.frameCount, clip.containerCountsFrames ? clip.frames : null, name);
    assert.ok(Math.abs(row.durationSeconds - clip.durationSeconds) < 0.05, `${name}: ${row.durationSeconds} s`);
    assert.deepEqual(
      row.audio,
      clip.audio.map((a) => ({ codec: a.codec, sampleRate: a.sampleRate, channels: a.channels })),
      name,
    );
  }
});

test('probeVideos: fps is a number, 25 for 25/1 and 23.976… for 24000/1001', async () => {
  const rows = await probeAll();
  assert.equal(rows.get(clips.h264Mp4.path)!.fps, 25);
  assert.equal(rows.get(clips.h264Mkv.path)!.fps, 24000 / 1001);
  assert.equal(rows.get(clips.h264Mkv.path)!.fps!.toFixed(3), '23.976');
});

test('probeVideos: a portrait clip is taller than wide, its rotation the quarter turn that ffmpeg autorotate applies', async () => {
  const row = (await probeAll()).get(clips.portrait.path)!;
  assert.ok(row.width! < row.height!, `${row.width}x${row.height}`);
  assert.deepEqual([row.width, row.height], [240, 320]);
  assert.ok(row.rotation === 90 || row.rotation === 270, `rotation ${row.rotation}`);
  // ffprobe's display matrix turns the other way (counterclockwise).
  const json = await ffprobeJson(clips.portrait.path);
  const matrix = json.streams[0].side_data_list?.find((s) => s.rotation !== undefined);
  assert.equal(matrix?.rotation, row.rotation === 270 ? 90 : -90);
  // The first frame decoded with autorotate is the stored frame turned clockwise by `rotation`.
  const { ffmpeg } = await resolveBinaries();
  const frame = (args: string[]) =>
    execFileSync(ffmpeg, ['-v', 'error', ...args, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1'], {
      maxBuffer: 1 << 20,
    });
  const turned = frame(['-i', clips.portrait.path]);
  const byHand = frame(['-noautorotate', '-i', clips.portrait.path, '-vf', row.rotation === 90 ? 'transpose=clock' : 'transpose=cclock']);
  assert.equal(turned.length, 240 * 320);
  assert.ok(turned.equals(byHand), `autorotate turns the frame ${row.rotation}° clockwise`);
});

test('probeVideos: a silent clip has no audio streams; the PCM tone clip gives its sample rate and channels', async () => {
  const rows = await probeAll();
  assert.deepEqual(rows.get(clips.silent.path)!.audio, []);
  assert.deepEqual(rows.get(clips.tone.path)!.audio, [{ codec: 'pcm_s16le', sampleRate: 44100, channels: 1 }]);
  assert.equal(rows.get(clips.tone.path)!.durationSeconds, 2);
});

test('probeVideos of a folder reads the video extensions only (VIDEO_EXTENSIONS), a row per file, on the task pool', async () => {
  await writeFile(join(dir, 'clips', 'notes.txt'), 'not a video');
  const ds = probeVideos(join(dir, 'clips'));
  const rows = await ds.takeAll();
  assert.deepEqual(
    rows.map((r) => r.path).sort(),
    Object.values(clips)
      .map((c: Clip) => c.path)
      .sort(),
  );
  assert.match(ds.explain(), /ProbeVideos.*\[task pool/);
  assert.ok(VIDEO_EXTENSIONS.includes('mp4') && VIDEO_EXTENSIONS.includes('webm') && VIDEO_EXTENSIONS.includes('mkv'));
});

test("probeVideos: an empty, a garbage and a truncated file each fail with a FileReadError naming the file, with ffprobe's message", async () => {
  const cases: [string, RegExp][] = [
    [bad.empty, /Invalid data found when processing input/],
    [bad.garbage, /Invalid data found when processing input/],
    [bad.truncated, /moov atom not found/],
  ];
  for (const [file, problem] of cases) {
    await assert.rejects(probeVideos(file).takeAll(), (error: unknown) => {
      assert.ok(error instanceof FileReadError, `${file}: ${String(error)}`);
      assert.match(error.message, /ProbeVideos/);
      assert.equal(error.input.path, file);
      assert.ok(error.message.includes(file), error.message);
      assert.match(error.message, /ffprobe exited with code 1/);
      assert.match(error.message, problem);
      assert.match(error.message, /onError: 'skip'/);
      return true;
    });
  }
});

test("probeVideos onError 'skip': the bad files are logged to errorLog and the job goes on with the good ones", async () => {
  const errorLog = join(dir, 'errors.jsonl');
  const files = [bad.empty, clips.h264Mp4.path, bad.garbage, bad.truncated, clips.silent.path];
  const rows = await probeVideos(files, { onError: 'skip' }).takeAll({ errorLog });
  assert.deepEqual(rows.map((r) => r.path).sort(), [clips.h264Mp4.path, clips.silent.path].sort());
  const logged = readFileSync(errorLog, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  const text = JSON.stringify(logged);
  for (const file of [bad.empty, bad.garbage, bad.truncated]) assert.ok(text.includes(file), `the log names ${file}: ${text}`);
  assert.equal(logged.length, 3);
});

test('probeVideos: a directory named like a video holds no files to read, which the listing says', async () => {
  await assert.rejects(probeVideos(bad.directory).takeAll(), (error: unknown) => {
    assert.ok(error instanceof FileReadError, String(error));
    assert.ok(error.message.includes(bad.directory), error.message);
    assert.match(error.message, /the directory holds no files to read/);
    return true;
  });
});

test('probeVideos timeoutMs: an ffprobe that hangs (a FIFO nobody writes) fails the file at the limit and is killed', async () => {
  const fifo = join(dir, 'bad', 'stalled.mp4');
  execFileSync('mkfifo', [fifo]);
  const started = Date.now();
  await assert.rejects(probeVideos(fifo, { timeoutMs: 500 }).takeAll(), (error: unknown) => {
    assert.ok(error instanceof FileReadError, String(error));
    assert.ok(error.message.includes(fifo), error.message);
    assert.match(error.message, /no result after 500 ms/);
    return true;
  });
  assert.ok(Date.now() - started < 10_000);
  // settledToolChildren (afterEach) waits for the kill that the abort sent.
});

test('probeVideos: the rows have typed Arrow columns (Float64, Int32, List<Struct>)', async () => {
  const batches = probeVideos(clips.h264Mp4.path).iterBatches({ batchFormat: 'arrow', progress: 'off' });
  for await (const table of batches) {
    const types = Object.fromEntries(table.schema.fields.map((f) => [f.name, String(f.type)]));
    assert.equal(types.durationSeconds, 'Float64');
    assert.equal(types.width, 'Int32');
    assert.equal(types.frameCount, 'Int32');
    assert.equal(types.fps, 'Float64');
    assert.match(types.audio, /^List<Struct<\{codec:Utf8, sampleRate:Int32, channels:Int32\}>>$/);
  }
});
