/**
 * Ctrl-C and SIGTERM keep writes all or nothing: the job stops, the write's files go, and the
 * process exits with 130 or 143 (a second signal at once). A complete write leaves `_SUCCESS`;
 * readers leave hidden names (`.sluice-tmp-*`, `_SUCCESS`, `_temporary/`) out of directories and
 * globs, but read a file named by its path. No signal listener outlives a job.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { FileReadError, range, readBinaryFiles, readCsv, readJson, readParquet, readText, type Datasink } from '../src/index.js';
import { withTempDir } from './fixtures/temp-dir.js';

/** A running fixture: its stdout's JSON lines as they come, and its end. */
interface Child {
  /** The first JSON line printed that has `key`; rejects if the child ends or 20 s pass first. */
  line(key: string): Promise<Record<string, unknown>>;
  kill(signal: NodeJS.Signals): void;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  output(): string;
}

function startFixture(args: readonly string[]): Child {
  const script = fileURLToPath(new URL('./fixtures/io-write-interrupt-job.js', import.meta.url));
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Record<string, unknown>[] = [];
  let stdout = '';
  let stderr = '';
  const waiters: Array<() => void> = [];
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    const complete = stdout.split('\n');
    for (const text of complete.slice(lines.length, -1)) lines.push(JSON.parse(text) as Record<string, unknown>);
    for (const wake of waiters.splice(0)) wake();
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, at: performance.now() });
      for (const wake of waiters.splice(0)) wake();
    }),
  );
  const output = () => `stdout: ${stdout}\nstderr: ${stderr}`;
  return {
    async line(key) {
      const started = performance.now();
      for (;;) {
        const found = lines.find((l) => key in l);
        if (found) return found;
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the child ended before printing '${key}'\n${output()}`);
        if (performance.now() - started > 20_000) throw new Error(`no '${key}' line within 20 s\n${output()}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 200);
        });
      }
    },
    kill: (signal) => child.kill(signal),
    exited,
    output,
  };
}

async function interruptParquetWrite(signal: NodeJS.Signals, code: number): Promise<void> {
  await withTempDir('sluice-interrupt-', async (dir) => {
    const child = startFixture(['parquet', dir]);
    const { committed } = await child.line('committed');
    const sent = performance.now();
    child.kill(signal);
    const end = await child.exited;
    assert.equal(end.signal, null, `the child was killed by ${end.signal} instead of exiting\n${child.output()}`);
    assert.equal(end.code, code, child.output());
    const ms = end.at - sent;
    assert.ok(ms < 5_000, `the child took ${ms.toFixed(0)} ms to exit after ${signal}`);
    assert.deepEqual(
      readdirSync(dir),
      [],
      `${String(committed)} files were committed before ${signal}; none may remain, nor temporary files`,
    );
    assert.match(child.output(), new RegExp(`sluice: ${signal}: stopping 1 job and rolling back 1 unfinished write`));
  });
}

test('SIGINT mid-write: the process exits with 130 within seconds and leaves no file of the write, committed or temporary', async () => {
  await interruptParquetWrite('SIGINT', 130);
});

test('SIGTERM mid-write: the same, with exit code 143', async () => {
  await interruptParquetWrite('SIGTERM', 143);
});

test('a second SIGINT exits at once with 130; a Datasink gets onWriteFailed with an error saying the job was interrupted', async () => {
  const child = startFixture(['sink']);
  await child.line('writing');
  child.kill('SIGINT');
  // onWriteFailed then takes 20 s: only the second signal can end the process sooner.
  const failed = await child.line('failed');
  assert.equal(failed.name, 'InterruptedError');
  assert.match(String(failed.failed), /^the job was interrupted by SIGINT \(Ctrl-C\); the process exits with code 130/);
  const sent = performance.now();
  child.kill('SIGINT');
  const end = await child.exited;
  assert.equal(end.signal, null, child.output());
  assert.equal(end.code, 130, child.output());
  assert.ok(end.at - sent < 2_000, `the child took ${(end.at - sent).toFixed(0)} ms to exit after the second SIGINT`);
});

test('a complete write leaves an empty _SUCCESS, last; readers read only the data files', async () => {
  await withTempDir('sluice-success-', async (dir) => {
    const result = await range(1_000).writeParquet(dir, { targetRowsPerFile: 300 });
    assert.deepEqual(readdirSync(dir).sort(), [...result.files.map((f) => f.slice(dir.length + 1)), '_SUCCESS'].sort());
    assert.equal(statSync(join(dir, '_SUCCESS')).size, 0);
    assert.ok(!result.files.some((f) => f.endsWith('_SUCCESS')), 'the marker is not one of the written files');
    assert.equal(await readParquet(dir).count(), 1_000);
    assert.equal(await readParquet(join(dir, '*')).count(), 1_000, 'a glob leaves _SUCCESS out too');

    await range(10).writeJson(join(dir, 'json'));
    await range(10).writeCsv(join(dir, 'csv'));
    await range(0).writeCsv(join(dir, 'empty'));
    for (const sub of ['json', 'csv', 'empty']) assert.ok(existsSync(join(dir, sub, '_SUCCESS')), `no _SUCCESS in ${sub}`);
  });
});

test('a rerun into the same directory: no _SUCCESS while it runs, _SUCCESS again when complete; a failed rerun puts it back', async () => {
  await withTempDir('sluice-rerun-', async (dir) => {
    const first = await range(500).writeJson(dir, { targetRowsPerFile: 200 });
    let markerWhileRunning: boolean | null = null;
    const second = await range(500)
      .map((row) => {
        if (row.id === 250) markerWhileRunning = existsSync(join(dir, '_SUCCESS'));
        return row;
      })
      .writeJson(dir, { targetRowsPerFile: 200 });
    assert.equal(markerWhileRunning, false, 'an earlier write’s _SUCCESS is removed while the rerun adds files');
    const names = [...first.files, ...second.files].map((f) => f.slice(dir.length + 1));
    assert.deepEqual(readdirSync(dir).sort(), [...names, '_SUCCESS'].sort());

    await assert.rejects(
      range(500)
        .map((row) => {
          if (row.id === 400) throw new Error('bad row');
          return row;
        })
        .writeJson(dir, { targetRowsPerFile: 100 }),
      /bad row/,
    );
    assert.deepEqual(readdirSync(dir).sort(), [...names, '_SUCCESS'].sort(), 'the failed write rolled back, and the marker is back');
    assert.equal(await readJson(dir).count(), 1_000);
  });
});

test('directory listings and globs leave out .sluice-tmp-*, _SUCCESS and _temporary/ for every reader; a file named by its path is read', async () => {
  await withTempDir('sluice-hidden-', async (root) => {
    const junk = (dir: string, ext: string) => {
      writeFileSync(join(dir, `.sluice-tmp-20260101T000000000Z-abcdef_000007_000.${ext}.tmp`), '');
      mkdirSync(join(dir, '_temporary', '0'), { recursive: true });
      writeFileSync(join(dir, '_temporary', '0', `part-9.${ext}`), 'junk, not a file of the dataset\n');
    };
    const globs = (dir: string, ext: string) => [dir, join(dir, '*'), join(dir, '**', '*'), join(dir, `**/*.${ext}`)];

    const parquet = join(root, 'parquet');
    await range(100).writeParquet(parquet, { targetRowsPerFile: 40 });
    junk(parquet, 'parquet');
    for (const path of globs(parquet, 'parquet')) assert.equal(await readParquet(path).count(), 100, path);

    const json = join(root, 'json');
    await range(100).writeJson(json);
    junk(json, 'jsonl');
    for (const path of globs(json, 'jsonl')) assert.equal(await readJson(path).count(), 100, path);

    const csv = join(root, 'csv');
    await range(100).writeCsv(csv);
    junk(csv, 'csv');
    for (const path of globs(csv, 'csv')) assert.equal(await readCsv(path).count(), 100, path);

    const text = join(root, 'text');
    mkdirSync(text);
    writeFileSync(join(text, 'a.txt'), 'one\ntwo\n');
    writeFileSync(join(text, '_SUCCESS'), '');
    junk(text, 'txt');
    for (const path of globs(text, 'txt')) {
      assert.deepEqual((await readText(path).takeAll()).map((r) => r.text).sort(), ['one', 'two'], path);
      assert.deepEqual(
        (await readBinaryFiles(path).takeAll()).map((r) => r.path),
        [join(text, 'a.txt')],
        path,
      );
    }

    // Named by its path, or by a glob that names the hidden part itself: read.
    const temporary = join(text, '_temporary', '0', 'part-9.txt');
    assert.deepEqual(
      (await readText(temporary).takeAll()).map((r) => r.text),
      ['junk, not a file of the dataset'],
    );
    assert.deepEqual(
      (await readText(join(text, '_temporary/*/*.txt')).takeAll()).map((r) => r.text),
      ['junk, not a file of the dataset'],
    );
    assert.deepEqual(
      (await readText(join(text, '_*/0/*.txt')).takeAll()).map((r) => r.text),
      ['junk, not a file of the dataset'],
    );
    const temp = readdirSync(text).find((name) => name.startsWith('.sluice-tmp-'))!;
    assert.deepEqual(
      (await readBinaryFiles(join(text, temp)).takeAll()).map((r) => r.bytes.length),
      [0],
    );
    await assert.rejects(readParquet(join(parquet, '_SUCCESS')).count(), FileReadError, 'an explicit _SUCCESS is read, and is not Parquet');
    // A glob that matches only hidden names says so.
    const marked = join(root, 'only-marker');
    mkdirSync(marked);
    writeFileSync(join(marked, '_SUCCESS'), '');
    await assert.rejects(readText(join(marked, '*')).count(), /the glob matched no files \(names starting with '\.' or '_' are left out\)/);
  });
});

test('the signal handler is installed only while a job or write runs, and removed after', async () => {
  const before = { SIGINT: process.listenerCount('SIGINT'), SIGTERM: process.listenerCount('SIGTERM') };
  const during: number[] = [];
  const count = (row: { id: number }) => {
    if (row.id === 0) during.push(process.listenerCount('SIGINT'), process.listenerCount('SIGTERM'));
    return row;
  };
  await range(10).map(count).takeAll();
  assert.deepEqual(during, [before.SIGINT + 1, before.SIGTERM + 1], 'a running job handles SIGINT and SIGTERM');
  assert.deepEqual({ SIGINT: process.listenerCount('SIGINT'), SIGTERM: process.listenerCount('SIGTERM') }, before);

  await withTempDir('sluice-listeners-', async (dir) => {
    during.length = 0;
    await range(10).map(count).writeJson(dir);
    assert.deepEqual(during, [before.SIGINT + 1, before.SIGTERM + 1], 'one handler for a write and its job');
    // A failed job and write, a Datasink write, and a consumer that stops early.
    await assert.rejects(
      range(10)
        .map(() => {
          throw new Error('no');
        })
        .writeJson(join(dir, 'failed')),
    );
    const sink: Datasink<{ id: number }, number> = { write: (batch) => Promise.resolve(batch.length) };
    await range(10).write(sink);
    for await (const row of range(1_000).iterRows()) if (row.id === 3) break;
  });
  assert.deepEqual({ SIGINT: process.listenerCount('SIGINT'), SIGTERM: process.listenerCount('SIGTERM') }, before, 'no handler left');
});
