/**
 * Bad input is data: an empty, garbage, truncated or undecodable file fails the job with a
 * FileReadError naming it and carrying ffmpeg's words, or under `onError: 'skip'` goes to the
 * error log while the job goes on; a decode that hangs is killed at `timeoutMs`; nothing is left running.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import { FileReadError } from 'sluice';
import { readAudio, readVideos } from '../src/index.js';
import { makeBadFiles, makeClips, settledToolChildren, type BadFiles, type Clips } from './fixtures/clips.js';

let dir = '';
let clips: Clips;
let bad: BadFiles;
let unsupported = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-video-errors-'));
  await mkdir(join(dir, 'bad'));
  clips = await makeClips(dir);
  bad = await makeBadFiles(join(dir, 'bad'));
  // A Matroska file whose codec id names no codec ffmpeg knows (same length, so the file stays well formed).
  const mkv = readFileSync(clips.h264Mkv.path);
  const at = mkv.indexOf('V_MPEG4/ISO/AVC');
  assert.ok(at > 0);
  mkv.write('V_QQQQQ/ISO/QQQ', at, 'latin1');
  unsupported = join(dir, 'bad', 'unsupported-codec.mkv');
  writeFileSync(unsupported, mkv);
});
after(() => rm(dir, { recursive: true, force: true }));
afterEach(async () => assert.deepEqual(await settledToolChildren(), { running: 0, zombies: 0 }, 'no ffmpeg left, running or unreaped'));

const ffmpegSays: Record<string, RegExp> = {
  empty: /Invalid data|End of file|could not find/i,
  garbage: /Invalid data/i,
  truncated: /moov atom not found|Invalid data/i,
  unsupported: /Decoder \(codec none\) not found|unknown|unsupported/i,
};

test('each bad file fails readVideos (and readAudio) with a FileReadError naming it and quoting ffmpeg', async () => {
  const files: Record<string, string> = { empty: bad.empty, garbage: bad.garbage, truncated: bad.truncated, unsupported };
  for (const [kind, path] of Object.entries(files)) {
    // The unsupported file's audio is fine: only its video fails.
    const reads = [() => readVideos(path).takeAll(), ...(kind === 'unsupported' ? [] : [() => readAudio(path).takeAll()])];
    for (const read of reads) {
      await assert.rejects(read(), (error: unknown) => {
        assert.ok(error instanceof FileReadError, `${kind}: ${String(error)}`);
        assert.ok(error.message.includes(path), `${kind}: ${error.message}`);
        assert.match(error.message, ffmpegSays[kind], kind);
        return true;
      });
    }
  }
});

test("under onError: 'skip' the bad files go to the error log and the good ones are read", async () => {
  const errorLog = join(dir, 'errors.jsonl');
  const paths = [clips.h264Mp4.path, bad.empty, bad.garbage, bad.truncated, unsupported, clips.vp9Webm.path];
  const rows = await readVideos(paths, { fps: 1, onError: 'skip' }).takeAll({ errorLog });
  assert.equal(new Set(rows.map((r) => r.path)).size, 2);
  const logged = readFileSync(errorLog, 'utf8').trim().split('\n');
  assert.equal(logged.length, 4);
  for (const path of [bad.empty, bad.garbage, bad.truncated, unsupported])
    assert.ok(
      logged.some((line) => line.includes(path)),
      path,
    );
});

test('a directory named like a video holds no files: the listing says so', async () => {
  await assert.rejects(readVideos(bad.directory).takeAll(), /holds no files to read/);
});

test('a decode that hangs (ffmpeg stuck opening a FIFO nobody writes) is killed at timeoutMs and the file fails', async () => {
  const fifo = join(dir, 'bad', 'stuck.mp4');
  execFileSync('mkfifo', [fifo]);
  const started = performance.now();
  await assert.rejects(readVideos(fifo, { timeoutMs: 1000 }).takeAll(), (error: unknown) => {
    assert.ok(error instanceof FileReadError, String(error));
    assert.ok(error.message.includes(fifo));
    assert.match(error.message, /1000 ms/);
    return true;
  });
  // Planning's probe gives up at the same limit, then the decode: about two limits in all.
  assert.ok(performance.now() - started < 5000, `${Math.round(performance.now() - started)} ms`);
  const errorLog = join(dir, 'stuck.jsonl');
  const rows = await readVideos([fifo, clips.silent.path], { timeoutMs: 1000, fps: 1, onError: 'skip' }).takeAll({ errorLog });
  assert.ok(rows.length > 0);
  assert.match(readFileSync(errorLog, 'utf8'), /stuck\.mp4/);
});
