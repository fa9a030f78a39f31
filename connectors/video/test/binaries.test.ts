/**
 * Finding ffmpeg and ffprobe: FFMPEG_PATH/FFPROBE_PATH, then PATH, then the npm packages, and
 * the error that names all three. Each setup runs in a child Node process with its own
 * environment, since a process resolves its binaries once.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { parseFfmpegVersion } from '../src/ffmpeg/ffmpeg-version.js';
import { passthroughTimingArgs, resolveBinaries, type FfmpegBinaries } from '../src/index.js';
import { settledToolChildren } from './fixtures/clips.js';

let dir = '';
let found: FfmpegBinaries;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-video-binaries-'));
  found = await resolveBinaries();
});
after(() => rm(dir, { recursive: true, force: true }));
afterEach(async () => assert.deepEqual(await settledToolChildren(), { running: 0, zombies: 0 }));

type Outcome = { readonly binaries: FfmpegBinaries; readonly timing: string[] } | { readonly error: { name: string; message: string } };

/** resolveBinaries() in a fresh Node process with `env` (PATH and the two variables as given; others inherited). */
async function resolveIn(
  env: Record<string, string | undefined>,
  entry = new URL('../src/index.js', import.meta.url).href,
): Promise<Outcome> {
  const script = `
    const { resolveBinaries, passthroughTimingArgs } = await import(${JSON.stringify(entry)});
    try {
      const binaries = await resolveBinaries();
      console.log(JSON.stringify({ binaries, timing: passthroughTimingArgs(binaries.version) }));
    } catch (error) {
      console.log(JSON.stringify({ error: { name: error.name, message: error.message } }));
    }
  `;
  const childEnv: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...process.env, FFMPEG_PATH: undefined, FFPROBE_PATH: undefined, ...env })) {
    if (value !== undefined) childEnv[key] = value;
  }
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { env: childEnv });
  return JSON.parse(stdout) as Outcome;
}

function binariesOf(outcome: Outcome): FfmpegBinaries {
  if ('error' in outcome) assert.fail(`${outcome.error.name}: ${outcome.error.message}`);
  return outcome.binaries;
}

function errorOf(outcome: Outcome): { name: string; message: string } {
  if (!('error' in outcome)) assert.fail(`expected an error, found ${JSON.stringify(outcome.binaries)}`);
  return outcome.error;
}

/** The three ways out, as the error must name them. */
function assertNamesTheThreeWays(message: string): void {
  assert.match(message, /set FFMPEG_PATH and FFPROBE_PATH/);
  assert.match(message, /apt-get install ffmpeg/);
  assert.match(message, /@ffmpeg-installer\/ffmpeg and @ffprobe-installer\/ffprobe/);
}

test('resolveBinaries: found once per process, with the release from the first line of ffmpeg -version', async () => {
  assert.equal(await resolveBinaries(), found);
  const { stdout } = await promisify(execFile)(found.ffmpeg, ['-version']);
  const release = /^ffmpeg version n?(\d+)\.(\d+)/.exec(stdout);
  if (release !== null) assert.deepEqual(found.version, { major: Number(release[1]), minor: Number(release[2]) });
  assert.ok(['env', 'path', 'npm'].includes(found.source));
});

test('FFMPEG_PATH and FFPROBE_PATH win over the PATH', async () => {
  await mkdir(join(dir, 'custom'));
  const ffmpeg = join(dir, 'custom', 'my-ffmpeg');
  const ffprobe = join(dir, 'custom', 'my-ffprobe');
  await symlink(found.ffmpeg, ffmpeg);
  await symlink(found.ffprobe, ffprobe);
  const binaries = binariesOf(await resolveIn({ FFMPEG_PATH: ffmpeg, FFPROBE_PATH: ffprobe }));
  assert.deepEqual({ ...binaries, version: found.version }, { ffmpeg, ffprobe, source: 'env', version: found.version });
});

test('FFMPEG_PATH alone: ffprobe is taken from beside it', async () => {
  await mkdir(join(dir, 'pair'));
  await symlink(found.ffmpeg, join(dir, 'pair', 'ffmpeg'));
  await symlink(found.ffprobe, join(dir, 'pair', 'ffprobe'));
  const binaries = binariesOf(await resolveIn({ FFMPEG_PATH: join(dir, 'pair', 'ffmpeg'), PATH: '' }));
  assert.equal(binaries.source, 'env');
  assert.equal(binaries.ffprobe, join(dir, 'pair', 'ffprobe'));
});

test('a bad FFMPEG_PATH fails with a FfmpegNotFoundError that names it and says how to fix it, rather than falling back', async () => {
  const notExecutable = join(dir, 'plain-file');
  await writeFile(notExecutable, 'not a program');
  const silent = join(dir, 'silent.sh');
  await writeFile(silent, '#!/bin/sh\nexit 0\n');
  await chmod(silent, 0o755);
  const failing = join(dir, 'failing.sh');
  await writeFile(failing, '#!/bin/sh\necho "broken build" >&2\nexit 3\n');
  await chmod(failing, 0o755);
  const cases: [string, RegExp][] = [
    [
      join(dir, 'no-such-ffmpeg'),
      /FFMPEG_PATH is set to .*no-such-ffmpeg, which is not an executable file; point it at the ffmpeg binary, or unset it/,
    ],
    [notExecutable, /FFMPEG_PATH is set to .*plain-file, which is not an executable file/],
    [silent, /silent\.sh \(from FFMPEG_PATH\/FFPROBE_PATH\) is not ffmpeg: 'ffmpeg -version' printed ""/],
    [failing, /failing\.sh \(from FFMPEG_PATH\/FFPROBE_PATH\) does not run: ffmpeg exited with code 3: broken build/],
  ];
  for (const [path, message] of cases) {
    const error = errorOf(await resolveIn({ FFMPEG_PATH: path, FFPROBE_PATH: found.ffprobe }));
    assert.equal(error.name, 'FfmpegNotFoundError');
    assert.match(error.message, message);
  }
});

test('with PATH emptied and no variables, the npm-shipped binaries are used (or, not installed, the error names all three ways)', async () => {
  const outcome = await resolveIn({ PATH: '' });
  if ('error' in outcome) {
    // An install that left the optional packages out.
    assert.equal(outcome.error.name, 'FfmpegNotFoundError');
    assertNamesTheThreeWays(outcome.error.message);
    return;
  }
  const { binaries, timing } = outcome;
  assert.equal(binaries.source, 'npm');
  assert.match(binaries.ffmpeg, /@ffmpeg-installer\/[a-z0-9-]+\/ffmpeg(\.exe)?$/);
  assert.match(binaries.ffprobe, /@ffprobe-installer\/[a-z0-9-]+\/ffprobe(\.exe)?$/);
  // A git build ("N-47683-…", libavcodec 58.42): 4.1 by its libavcodec, before -fps_mode.
  if (process.platform === 'linux' && process.arch === 'x64') {
    assert.deepEqual(binaries.version, { major: 4, minor: 1 });
    assert.deepEqual(timing, ['-vsync', 'passthrough']);
  }
});

test('with no variable, nothing on PATH and no npm packages, the FfmpegNotFoundError names all three ways', async () => {
  // The connector's build, copied where the npm packages cannot be resolved; 'sluice' links back to this workspace.
  const root = fileURLToPath(new URL('../../../../', import.meta.url));
  const copy = join(dir, 'no-packages');
  await cp(fileURLToPath(new URL('../src/', import.meta.url)), join(copy, 'dist', 'src'), { recursive: true });
  await writeFile(join(copy, 'package.json'), JSON.stringify({ name: 'copy', type: 'module' }));
  await mkdir(join(copy, 'node_modules'));
  await symlink(root, join(copy, 'node_modules', 'sluice'));
  // The finding module itself: it imports nothing but 'sluice' (the entry may import more).
  const error = errorOf(await resolveIn({ PATH: '' }, pathToFileURL(join(copy, 'dist', 'src', 'ffmpeg', 'binaries.js')).href));
  assert.equal(error.name, 'FfmpegNotFoundError');
  assert.match(error.message, /^ffmpeg and ffprobe were not found \(neither is on PATH; @ffmpeg-installer\/ffmpeg is not usable/);
  assertNamesTheThreeWays(error.message);
});

test('passthroughTimingArgs: -fps_mode from ffmpeg 5.1 on, -vsync before', () => {
  const cases: [number, number, string][] = [
    [4, 0, '-vsync'],
    [4, 1, '-vsync'],
    [5, 0, '-vsync'],
    [5, 1, '-fps_mode'],
    [6, 0, '-fps_mode'],
    [7, 1, '-fps_mode'],
  ];
  for (const [major, minor, flag] of cases) assert.deepEqual(passthroughTimingArgs({ major, minor }), [flag, 'passthrough']);
});

test('parseFfmpegVersion: releases, tags, and git builds placed by their libavcodec', () => {
  const lavc = (v: string) => `\nlibavutil      56. 24.101 / 56. 24.101\nlibavcodec     ${v} / ${v}\n`;
  const cases: [string, { major: number; minor: number }][] = [
    ['ffmpeg version 5.1.9-0+deb12u1 Copyright (c) 2000-2026 the FFmpeg developers', { major: 5, minor: 1 }],
    ['ffmpeg version n6.1.1 Copyright', { major: 6, minor: 1 }],
    ['ffmpeg version 4.1 Copyright', { major: 4, minor: 1 }],
    ['ffmpeg version 7.1-static https://johnvansickle.com/ffmpeg/', { major: 7, minor: 1 }],
    [`ffmpeg version N-47683-g0e8eb07980-static https://johnvansickle.com/ffmpeg/${lavc('58. 42.100')}`, { major: 4, minor: 1 }],
    [`ffmpeg version 2023-05-22-git-877ccaf776-full_build-www.gyan.dev${lavc('60.  3.100')}`, { major: 6, minor: 0 }],
    [`ffmpeg version N-109000-gabc${lavc('59. 37.100')}`, { major: 5, minor: 1 }],
    ['ffmpeg version N-1-gabc (no library lines)', { major: 4, minor: 0 }],
    ['', { major: 4, minor: 0 }],
  ];
  for (const [text, version] of cases) assert.deepEqual(parseFfmpegVersion(text), version, text);
});
