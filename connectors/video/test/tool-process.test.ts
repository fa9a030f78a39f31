/** The tool process: abort, the idle watchdog (and its pauses while a chunk is held), spawn failures, the stderr tail, no child left behind. */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { runToolToEnd } from '../src/ffmpeg/run-tool.js';
import { spawnTool } from '../src/ffmpeg/spawn-tool.js';
import { liveToolProcesses, startTool, type ToolProcess } from '../src/ffmpeg/tool-process.js';
import { ToolTimeoutError } from '../src/index.js';
import { settledToolChildren } from './fixtures/clips.js';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-video-tool-'));
});
after(() => rm(dir, { recursive: true, force: true }));

afterEach(async () => {
  assert.deepEqual(await settledToolChildren(), { running: 0, zombies: 0 }, 'no ffmpeg or ffprobe child left, running or unreaped');
  assert.equal(liveToolProcesses(), 0);
});

/** Raw 320x240 RGB frames of an endless test pattern on stdout: ffmpeg writes as fast as it is read. */
const ENDLESS = ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'];

/** A FIFO that nobody writes: ffmpeg opening it as its input blocks forever in open(), printing and writing nothing. */
function silentFifo(name: string): string {
  const path = join(dir, name);
  execFileSync('mkfifo', [path]);
  return path;
}

async function firstChunk(tool: ToolProcess): Promise<Buffer> {
  for await (const chunk of tool.read(tool.stdout)) return chunk;
  throw new Error('no output');
}

test('abort kills the process at once (SIGKILL), its reader throws the reason, and it is reaped', async () => {
  const controller = new AbortController();
  const tool = await startTool('ffmpeg', ENDLESS, { signal: controller.signal });
  assert.equal(liveToolProcesses(), 1);
  const chunks = tool.read(tool.stdout);
  assert.ok((await chunks.next()).value!.length > 0);
  const started = Date.now();
  controller.abort(new Error('the job was cancelled'));
  await assert.rejects(chunks.next(), /the job was cancelled/);
  const exit = await tool.exited;
  assert.ok(Date.now() - started < 1000, `reaped ${Date.now() - started} ms after the abort`);
  assert.deepEqual(exit, { code: null, signal: 'SIGKILL' });
  assert.match(tool.failure()!, /^ffmpeg was stopped \(the job was cancelled\)/);
  assert.equal(liveToolProcesses(), 0);
});

test('a signal aborted before the start kills the process as soon as it is spawned', async () => {
  const tool = await startTool('ffmpeg', ENDLESS, { signal: AbortSignal.abort() });
  await assert.rejects(firstChunk(tool), { name: 'AbortError' });
  assert.equal((await tool.exited).signal, 'SIGKILL');
});

test('the idle timeout kills a process that produces nothing (ffmpeg stuck opening a FIFO) with a ToolTimeoutError', async () => {
  const fifo = silentFifo('never-written.mp4');
  const tool = await startTool('ffmpeg', ['-v', 'error', '-i', fifo, '-f', 'rawvideo', 'pipe:1'], { idleTimeoutMs: 300 });
  const started = Date.now();
  await assert.rejects(firstChunk(tool), (error: unknown) => {
    assert.ok(error instanceof ToolTimeoutError, String(error));
    assert.equal(error.tool, 'ffmpeg');
    assert.equal(error.idleTimeoutMs, 300);
    assert.match(error.message, /ffmpeg produced nothing for 300 ms/);
    assert.match(error.message, /raise the read's timeoutMs/);
    return true;
  });
  const waited = Date.now() - started;
  assert.ok(waited >= 290 && waited < 2000, `timed out after ${waited} ms`);
  assert.deepEqual(await tool.exited, { code: null, signal: 'SIGKILL' });
  assert.match(tool.failure()!, /^ffmpeg produced nothing for 300 ms/);
});

test('runToolToEnd gives the ToolTimeoutError of a hanging ffprobe too, and leaves no child', async () => {
  const fifo = silentFifo('never-written-probe.mp4');
  await assert.rejects(runToolToEnd('ffprobe', ['-v', 'error', '-show_format', fifo], { idleTimeoutMs: 200 }), ToolTimeoutError);
});

test('the watchdog does not fire while the reader holds a chunk for longer than the timeout (a slow consumer is no hang)', async () => {
  // 50 frames of 230 KB: ffmpeg fills the pipe and blocks on it while the consumer sleeps.
  const args = [
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=320x240:rate=25:duration=2',
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    'pipe:1',
  ];
  // The limit leaves room for ffmpeg's start on a loaded machine; the pauses are 2.5 times it.
  const tool = await startTool('ffmpeg', args, { idleTimeoutMs: 600 });
  let bytes = 0;
  let chunks = 0;
  for await (const chunk of tool.read(tool.stdout)) {
    bytes += chunk.length;
    if (chunks++ < 2) await sleep(1500);
  }
  assert.deepEqual(await tool.exited, { code: 0, signal: null });
  assert.equal(tool.failure(), null);
  assert.equal(bytes, 50 * 320 * 240 * 3);
});

test('with two pipes, one reader holding a chunk stops the clock while the other waits', async () => {
  // Video on stdout, audio on pipe:3: while the video reader holds its chunk ffmpeg blocks on stdout, so no audio comes either.
  const args = [
    ...['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25:duration=2', '-f', 'lavfi', '-i', 'sine=duration=2'],
    ...['-map', '0:v', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1', '-map', '1:a', '-f', 's16le', 'pipe:3'],
  ];
  const tool = await startTool('ffmpeg', args, { idleTimeoutMs: 600, extraPipes: 1 });
  assert.equal(tool.pipes.length, 1);
  let audioBytes = 0;
  const audio = (async () => {
    for await (const chunk of tool.read(tool.pipes[0])) audioBytes += chunk.length;
  })();
  let videoBytes = 0;
  let held = false;
  for await (const chunk of tool.read(tool.stdout)) {
    videoBytes += chunk.length;
    if (!held) {
      held = true;
      await sleep(1500);
    }
  }
  await audio;
  assert.deepEqual(await tool.exited, { code: 0, signal: null });
  assert.equal(videoBytes, 50 * 320 * 240 * 3);
  assert.equal(audioBytes, 2 * 44100 * 2);
});

test('leaving the loop early drops the pipe; kill() then ends the process and resolves once it is reaped', async () => {
  const tool = await startTool('ffmpeg', ENDLESS);
  const chunk = await firstChunk(tool);
  assert.ok(chunk.length > 0);
  assert.equal(tool.stdout.destroyed, true);
  await tool.kill();
  await tool.kill();
  assert.match(tool.failure()!, /^ffmpeg was stopped \(kill\(\) was called before ffmpeg finished\)/);
});

test('return() ends a reader at once even while its next() is pending (a merged reader of two pipes stops this way)', async () => {
  const fifo = silentFifo('pending-read.mp4');
  const tool = await startTool('ffmpeg', ['-v', 'error', '-i', fifo, '-f', 'rawvideo', 'pipe:1']);
  const chunks = tool.read(tool.stdout);
  const pending = chunks.next();
  await sleep(50);
  await chunks.return!();
  assert.deepEqual(await pending, { done: true, value: undefined });
  await tool.kill();
  assert.equal((await tool.exited).signal, 'SIGKILL');
});

test('a binary that does not exist gives a clean failure: the reader throws, exited resolves, failure() says what and where', async () => {
  const tool = spawnTool('ffmpeg', join(dir, 'no-such-ffmpeg'), ['-version']);
  await assert.rejects(firstChunk(tool), /ffmpeg could not be started \(.*no-such-ffmpeg\): spawn .*no-such-ffmpeg ENOENT/);
  assert.deepEqual(await tool.exited, { code: null, signal: null });
  assert.match(tool.failure()!, /could not be started .*ENOENT/);
  await tool.kill();
});

test('a file that is not executable fails the same way (EACCES)', async () => {
  const path = join(dir, 'not-executable');
  await writeFile(path, '#!/bin/sh\n');
  const tool = spawnTool('ffprobe', path, []);
  assert.deepEqual(await tool.exited, { code: null, signal: null });
  assert.match(tool.failure()!, /ffprobe could not be started .*EACCES/);
});

test('the stderr tail holds the error, and a failed run says "exited with code N" with it', async () => {
  const missing = join(dir, 'missing.mp4');
  await assert.rejects(runToolToEnd('ffmpeg', ['-v', 'error', '-i', missing, '-f', 'null', '-']), (error: Error) => {
    assert.match(error.message, /^ffmpeg exited with code 1: /);
    assert.ok(error.message.includes(`${missing}: No such file or directory`), error.message);
    return true;
  });
  const tool = await startTool('ffprobe', ['-v', 'error', missing]);
  await tool.exited;
  assert.match(tool.stderrTail(), /missing\.mp4: No such file or directory/);
  assert.match(tool.failure()!, /^ffprobe exited with code 1: .*No such file or directory/);
});

test('onStderrLine takes the lines it returns true for (showinfo), which the tail then leaves out; the tail is bounded', async () => {
  const taken: string[] = [];
  const tool = await startTool(
    'ffmpeg',
    ['-v', 'info', '-nostats', '-f', 'lavfi', '-i', 'testsrc2=size=64x48:rate=25:duration=2', '-vf', 'showinfo', '-f', 'null', '-'],
    {
      onStderrLine: (line) => {
        if (!line.includes('Parsed_showinfo')) return false;
        if (/ n:\s*\d+ /.test(line)) taken.push(line);
        return true;
      },
    },
  );
  await tool.exited;
  assert.equal(tool.failure(), null);
  assert.equal(taken.length, 50);
  assert.doesNotMatch(tool.stderrTail(), /showinfo/);
  // Without a callback the 50 frame lines would be kept: only the last 30 lines are.
  const all = await startTool('ffmpeg', [
    ...['-v', 'info', '-nostats', '-f', 'lavfi', '-i', 'testsrc2=size=64x48:rate=25:duration=2', '-vf', 'showinfo', '-f', 'null', '-'],
  ]);
  await all.exited;
  const lines = all.stderrTail().split('\n');
  assert.ok(lines.length <= 30, `${lines.length} lines kept`);
  assert.ok(all.stderrTail().length <= 4096);
});

test('ffmpeg gets -hide_banner -nostdin first: no banner in the tail, and stdin is never read', async () => {
  const tool = await startTool('ffmpeg', ['-f', 'lavfi', '-i', 'testsrc2=duration=0.2', '-f', 'null', '-']);
  await tool.exited;
  assert.equal(tool.failure(), null);
  assert.doesNotMatch(tool.stderrTail(), /configuration:|Copyright/);
});

test('an exiting Node process kills the tool processes it leaves behind', async () => {
  const fifo = silentFifo('orphan.mp4');
  const module = new URL('../src/ffmpeg/tool-process.js', import.meta.url).href;
  const script = `
    import { startTool } from ${JSON.stringify(module)};
    const tool = await startTool('ffmpeg', ['-v', 'error', '-i', ${JSON.stringify(fifo)}, '-f', 'null', '-']);
    console.log(tool.pid);
    process.exit(0);
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script]);
  const pid = stdout.trim();
  assert.match(pid, /^\d+$/, `the script printed ${stdout}`);
  await sleep(100);
  // Without the exit hook it would still sleep in open(); killed, it is gone, or dead and not yet reaped by its new parent.
  const stat = `/proc/${pid}/stat`;
  const text = existsSync(stat) ? readFileSync(stat, 'utf8') : null;
  const state = text === null ? 'gone' : text.slice(text.lastIndexOf(')') + 2)[0];
  assert.ok(state === 'gone' || state === 'Z', `the orphaned ffmpeg is in state ${state}`);
});
