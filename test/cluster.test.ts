/**
 * Cluster mode on a real Redis (Debian's redis-server on loopback) with real worker processes
 * (`sluice worker`, dist/src/cli.js): partitions of a write with a runId run on the workers,
 * the output equals a one-process run's, and the job survives the faults BullMQ is built for:
 * a worker killed mid-job, a worker frozen past its lock, Redis restarted, the driver killed
 * and started again with the same runId.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ClusterError, range, readJson, WriteError } from '../src/index.js';
import { CLUSTER_CALLS_ENV, CLUSTER_ROW_MS_ENV, tagRowUdf } from './fixtures/cluster-udfs.js';
import { CALLS_FILE_ENV, countedRowsUdf, keptRow } from './fixtures/write-resume-udfs.js';
import { ids, leftovers, recordsOf, writeJsonParts } from './fixtures/json-parts.js';
import { redisServerPath, startRedisServer } from './fixtures/redis-server.js';
import { reportedRun } from './fixtures/reported-run.js';
import { withTempDir } from './fixtures/temp-dir.js';

const CLI = fileURLToPath(new URL('../src/cli.js', import.meta.url));
const JOB = fileURLToPath(new URL('./fixtures/cluster-job.js', import.meta.url));
/** The checkout (dist/test/ is two floors down): workers find the lockfile there, as on any machine. */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const skip = redisServerPath === null ? 'redis-server is not installed (.ci/run installs it)' : false;

const withDir = <T>(run: (dir: string) => Promise<T>): Promise<T> => withTempDir('sluice-cluster-', run);

interface WorkerProcess {
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
  log(): string;
  /** SIGTERM, then its exit: resolves to the partitions it says it finished. */
  stop(): Promise<number>;
}

function startWorker(redis: string, env: NodeJS.ProcessEnv, extra: readonly string[] = [], cpus = 1): WorkerProcess {
  const child = spawn(process.execPath, [CLI, 'worker', '--redis', redis, '--cpus', String(cpus), ...extra], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  const ready = new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (data: Buffer) => {
      log += data.toString();
      if (/thread\(s\), queue/.test(log)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker exited (${code}) before it was ready: ${log}`)));
  });
  ready.catch(() => undefined);
  return {
    child,
    ready,
    log: () => log,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      return Number(/stopped after (\d+) partition/.exec(log)?.[1] ?? NaN);
    },
  };
}

/** The rows' ids written as JSON Lines under `out`, sorted. */
async function writtenIds(out: string): Promise<number[]> {
  const rows = await readJson<{ id: number }>(out).takeAll({ progress: 'off', cluster: null });
  return rows.map((r) => Number(r.id)).sort((a, b) => a - b);
}

/** The calls the workers recorded: `[id, pid]` per mapped row. */
const callsIn = (file: string): [number, number][] =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split(' ').map(Number) as [number, number])
    : [];

async function waitFor(what: string, condition: () => boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test("cluster mode: two worker processes run a write's 40 partitions, the rows of a one-process run each once", { skip }, () =>
  withDir(async (dir) => {
    const redis = await startRedisServer();
    const calls = join(dir, 'calls.txt');
    const actorCallsFile = join(dir, 'actor-calls.txt');
    const actorCalls = () => (existsSync(actorCallsFile) ? readFileSync(actorCallsFile, 'utf8').split('\n').filter(Boolean) : []);
    // Two CPUs each: the actor stages below need one for the read's and the write's tasks, and half one for the actor.
    const workers = [0, 1].map(() => startWorker(redis.url, { [CLUSTER_CALLS_ENV]: calls, [CALLS_FILE_ENV]: actorCallsFile }, [], 2));
    try {
      await Promise.all(workers.map((w) => w.ready));
      const input = join(dir, 'in');
      const total = writeJsonParts(input, 40, 5);
      const out = join(dir, 'out');
      const result = await readJson<{ id: number; text: string }>(input)
        .map(tagRowUdf)
        .writeJson(out, { runId: 'c1', cluster: redis.url, progress: 'off' });
      assert.equal(result.rows, total);
      assert.equal(result.files.length, 40, 'a file per partition');
      assert.ok(result.files.every((f) => /run-c1_\d{6}_000\.jsonl$/.test(f)));
      assert.deepEqual(await writtenIds(out), ids(total));
      assert.ok(existsSync(join(out, '_SUCCESS')));
      assert.deepEqual(leftovers(out), []);
      assert.equal(recordsOf(out, 'c1').length, 40);
      // Every row was mapped once, on the workers, both of which took partitions; none here.
      const mapped = callsIn(calls);
      assert.deepEqual(
        mapped.map(([id]) => id).sort((a, b) => a - b),
        ids(total),
      );
      const pids = new Set(mapped.map(([, pid]) => pid));
      assert.deepEqual([...pids].sort(), workers.map((w) => w.child.pid!).sort());
      // The run's report (and its dashboard) lists the workers on the queue, by host and pid.
      const reported = reportedRun(result.stats.toHtml());
      assert.deepEqual(
        (reported.workers ?? []).map((w) => Number(w.name.split(':').pop())).sort(),
        workers.map((w) => w.child.pid!).sort(),
      );

      // What cannot run on the workers is refused, with the way out.
      await assert.rejects(range(3).takeAll({ cluster: redis.url, progress: 'off' }), (error: Error) => {
        assert.ok(error instanceof ClusterError);
        assert.match(error.message, /returns its rows to this process .*cluster: null/);
        return true;
      });
      // An actor pool between read and write: each worker runs the stages as a plan of its own, its actors kept across partitions.
      const viaActors = join(dir, 'actors');
      const actorResult = await readJson<{ id: number; text: string }>(input)
        .mapBatches(countedRowsUdf, { concurrency: 1, numCpus: 0.5, batchSize: 2 })
        .writeJson(viaActors, { runId: 'c2', cluster: redis.url, progress: 'off' });
      assert.equal(actorResult.rows, total);
      assert.equal(actorResult.files.length, 40, 'a file per partition');
      assert.deepEqual(await writtenIds(viaActors), ids(total));
      assert.ok(existsSync(join(viaActors, '_SUCCESS')));
      assert.deepEqual(leftovers(viaActors), []);
      assert.equal(actorCalls().length, total, 'every row through an actor once');
      // A function of this process cannot run on a worker.
      await assert.rejects(
        readJson<{ id: number; text: string }>(input)
          .filter(keptRow)
          .mapBatches(countedRowsUdf, { concurrency: 1, numCpus: 0.5 })
          .writeJson(join(dir, 'local'), { runId: 'c3', cluster: redis.url, progress: 'off' }),
        /cluster mode runs a run's operators on the workers, and Filter\(keptRow\) runs a function of this process/,
      );
      await assert.rejects(readJson(input).writeJson(join(dir, 'no-run'), { cluster: redis.url, progress: 'off' }), (error: Error) => {
        assert.ok(error instanceof WriteError);
        assert.match(error.message, /give the write a runId/);
        return true;
      });
    } finally {
      const finished = await Promise.all(workers.map((w) => w.stop()));
      await redis.stop();
      assert.equal(
        finished.reduce((a, b) => a + b, 0),
        80,
        `the workers say they finished the 40 partitions of each write: ${workers.map((w) => w.log()).join('\n')}`,
      );
    }
  }),
);

test('a worker whose code differs from the driver’s refuses the partition, and the write fails saying what differs', { skip }, () =>
  withDir(async (dir) => {
    const redis = await startRedisServer();
    // Another checkout: the same build, another lockfile.
    const otherRoot = join(dir, 'other-checkout');
    mkdirSync(otherRoot);
    writeFileSync(join(otherRoot, 'pnpm-lock.yaml'), "lockfileVersion: '9.0'\n");
    const worker = startWorker(redis.url, { [CLUSTER_CALLS_ENV]: join(dir, 'calls.txt') }, ['--root', otherRoot, '--queue', 'other']);
    try {
      await worker.ready;
      const input = join(dir, 'in');
      writeJsonParts(input, 2, 2);
      await assert.rejects(
        readJson<{ id: number; text: string }>(input)
          .map(tagRowUdf)
          .writeJson(join(dir, 'out'), { runId: 'm1', cluster: { redis: redis.url, queue: 'other' }, progress: 'off' }),
        (error: Error) => {
          assert.ok(error instanceof WriteError, String(error));
          assert.match(error.message, /partition \d of run 'm1' failed on the workers after 1 attempt\(s\): worker .* refuses/);
          assert.match(error.message, /its lockfile in .*other-checkout differs from the driver's/);
          return true;
        },
      );
    } finally {
      await worker.stop();
      await redis.stop();
    }
  }),
);

/**
 * The faults, with the work of `stage` ('task': a task-pool map, a task per partition; 'actor':
 * an actor pool between read and write, each worker running the run's stages as a job of its own).
 */
const faults = (stage: 'task' | 'actor', t: TestContext) =>
  withDir(async (dir) => {
    const redis = await startRedisServer();
    const calls = join(dir, 'calls.txt');
    const env = { [CLUSTER_CALLS_ENV]: calls, [CLUSTER_ROW_MS_ENV]: '40' };
    // Short locks, so that a dead or frozen worker's jobs go back to the queue within seconds.
    const locks = ['--lock-ms', '2000', '--stalled-ms', '1000'];
    // The actor stage needs a CPU for the read's and write's tasks and half one for its actor.
    const cpus = stage === 'actor' ? 2 : 1;
    const workers = [0, 1, 2].map(() => startWorker(redis.url, env, locks, cpus));
    const input = join(dir, 'in');
    const total = writeJsonParts(input, 200, 5);
    const out = join(dir, 'out');
    const driverEnv = { ...process.env, ...env, SLUICE_CLUSTER: redis.url };
    const startDriver = () =>
      spawn(process.execPath, [JOB, input, out, 'faults', stage], { cwd: ROOT, env: driverEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    const committed = () => recordsOf(out, 'faults').length;
    let driverLog = '';
    try {
      await Promise.all(workers.map((w) => w.ready));
      const clean = spawnSync(process.execPath, [JOB, input, join(dir, 'clean'), 'clean', stage], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, [CLUSTER_CALLS_ENV]: join(dir, 'clean-calls.txt') },
      });
      assert.equal(clean.status, 0, clean.stderr);
      const cleanIds = await writtenIds(join(dir, 'clean'));
      assert.deepEqual(cleanIds, ids(total));

      const driver = startDriver();
      driver.stderr.on('data', (data: Buffer) => (driverLog += data.toString()));
      const driverExit = new Promise<NodeJS.Signals | number | null>((resolve) =>
        driver.once('exit', (code, signal) => resolve(signal ?? code)),
      );

      await waitFor('20 partitions committed', () => committed() >= 20);
      workers[0].child.kill('SIGKILL');
      workers.push(startWorker(redis.url, env, locks, cpus));

      await waitFor('50 partitions committed', () => committed() >= 50);
      workers[1].child.kill('SIGSTOP');
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      workers[1].child.kill('SIGCONT');

      await waitFor('80 partitions committed', () => committed() >= 80);
      await redis.restart();

      await waitFor('120 partitions committed', () => committed() >= 120);
      driver.kill('SIGKILL');
      assert.equal(await driverExit, 'SIGKILL', `the driver was killed mid-job, not finished: ${driverLog}`);
      assert.ok(committed() < 200, 'partitions were left for the driver started again');

      const again = startDriver();
      let output = '';
      let againLog = '';
      again.stdout.on('data', (data: Buffer) => (output += data.toString()));
      again.stderr.on('data', (data: Buffer) => (againLog += data.toString()));
      const code = await new Promise((resolve) => again.once('exit', resolve));
      assert.equal(code, 0, againLog);
      assert.deepEqual(JSON.parse(output), { rows: total, files: 200 });

      assert.deepEqual(await writtenIds(out), cleanIds, "the one-process run's rows, each once");
      assert.equal(recordsOf(out, 'faults').length, 200);
      assert.equal(readdirSync(out).filter((name) => name.endsWith('.jsonl')).length, 200, 'a file per partition');
      assert.deepEqual(leftovers(out), [], 'no temporary files');
      assert.ok(existsSync(join(out, '_SUCCESS')));
      // At least once: every row was mapped, some twice (the partitions the killed and the frozen worker were running).
      const mapped = callsIn(calls);
      assert.equal(new Set(mapped.map(([id]) => id)).size, total);
      assert.ok(mapped.length > total, 'the partitions a killed or frozen worker held ran again elsewhere');
      t.diagnostic(`rows mapped ${mapped.length} times for ${total} rows`);
    } catch (error) {
      t.diagnostic(`committed ${committed()}; driver: ${driverLog}\nworkers:\n${workers.map((w) => w.log()).join('\n---\n')}`);
      throw error;
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
      await redis.stop();
    }
  });

test(
  'faults: a worker killed mid-job, one frozen past its lock, Redis restarted, the driver killed and started again: 200 of 200 partitions, each once',
  { skip },
  (t) => faults('task', t),
);

test('the same faults with an actor pool between read and write, run by each worker as a streaming job of its own', { skip }, (t) =>
  faults('actor', t),
);
