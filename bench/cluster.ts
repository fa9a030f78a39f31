/**
 * bench/cluster: one CPU-bound job (PARTITIONS JSON files of ROWS rows, `burnRow` per row, written
 * as JSON Lines with a runId) three ways on this machine, each run timed from the call to its
 * return:
 *   - the local executor with 2 CPUs (the task pool)
 *   - cluster mode with 1 worker process (`sluice worker --cpus 1`)
 *   - cluster mode with 2 worker processes (`--cpus 1` each)
 * Goals: 2 workers >= 1.8x 1 worker; 2 workers >= 0.9x the local executor. Then the overhead of a
 * partition: EMPTY one-row partitions of a trivial map through 2 workers, with BullMQ's own timestamps per job
 * (added -> taken by a worker -> finished) and the driver's wall time per partition.
 * Redis is Debian's redis-server, started on a loopback port for the run.
 *
 *   npx -y pnpm@10.34.8 bench:cluster      (pnpm build && node dist/bench/cluster.js)
 *
 * Environment: CLUSTER_PARTITIONS (default 80), CLUSTER_ROWS (default 100), CLUSTER_ROW_US
 * (default 1000), CLUSTER_REPS (default 3), CLUSTER_EMPTY (default 200).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { readJson } from '../src/index.js';
import { startRedisServer } from '../test/fixtures/redis-server.js';
import { envInt, fmt, median, printMachine } from './bench-utils.js';
import { burnRowUdf } from './core-udfs.js';
import { squareUdf } from './trivial-udfs.js';
import { calibrate, ITERS_ENV } from './work.js';

const PARTITIONS = envInt('CLUSTER_PARTITIONS', 80);
const ROWS = envInt('CLUSTER_ROWS', 100);
const ROW_US = envInt('CLUSTER_ROW_US', 1000);
const REPS = envInt('CLUSTER_REPS', 3);
const EMPTY = envInt('CLUSTER_EMPTY', 200);
const CLI = fileURLToPath(new URL('../src/cli.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function writeParts(dir: string, files: number, rows: number): void {
  mkdirSync(dir, { recursive: true });
  for (let f = 0; f < files; f++)
    writeFileSync(
      path.join(dir, `part-${String(f).padStart(4, '0')}.jsonl`),
      Array.from({ length: rows }, (_, r) => JSON.stringify({ id: f * rows + r })).join('\n'),
    );
}

/** A worker process on `queue`, resolved once it is taking jobs. */
async function startWorker(redis: string, queue: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [CLI, 'worker', '--redis', redis, '--queue', queue, '--cpus', '1'], {
    cwd: ROOT,
    env: process.env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (data: Buffer) => {
      log += data.toString();
      if (/thread\(s\), queue/.test(log)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker exited (${code}): ${log}`)));
  });
  return child;
}

async function main(): Promise<void> {
  printMachine('bench/cluster: one CPU-bound write, local executor vs cluster mode (BullMQ on Redis), seconds (median of runs)');
  const { iters, usPerCall } = calibrate(ROW_US);
  process.env[ITERS_ENV] = String(iters);
  console.log(
    `job:      ${PARTITIONS} partitions x ${ROWS} rows, ${fmt(usPerCall)} µs of work per row (${fmt((PARTITIONS * ROWS * usPerCall) / 1e6, 1)} s on one core); ${REPS} runs each after a warm-up\n`,
  );
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-cluster-'));
  const redis = await startRedisServer();
  const workers: ChildProcess[] = [];
  try {
    const input = path.join(dir, 'in');
    writeParts(input, PARTITIONS, ROWS);
    workers.push(await startWorker(redis.url, 'one'));
    workers.push(...(await Promise.all([startWorker(redis.url, 'two'), startWorker(redis.url, 'two')])));
    let run = 0;
    const timed = async (options: object): Promise<number> => {
      const out = path.join(dir, `out-${++run}`);
      const started = performance.now();
      const result = await readJson<{ id: number }>(input)
        .map(burnRowUdf)
        .writeJson(out, { runId: `r${run}`, progress: 'off', ...options });
      const seconds = (performance.now() - started) / 1000;
      if (result.rows !== PARTITIONS * ROWS) throw new Error(`run ${run} wrote ${result.rows} rows`);
      rmSync(out, { recursive: true });
      return seconds;
    };
    const contenders = {
      local: ['local executor, 2 CPUs', { cpus: 2 }],
      one: ['cluster, 1 worker x 1 CPU', { cluster: { redis: redis.url, queue: 'one' } }],
      two: ['cluster, 2 workers x 1 CPU', { cluster: { redis: redis.url, queue: 'two' } }],
    } as const;
    const names = Object.keys(contenders) as (keyof typeof contenders)[];
    const times = new Map(names.map((name) => [name, [] as number[]]));
    for (const name of names) await timed(contenders[name][1]);
    for (let rep = 0; rep < REPS; rep++) for (const name of names) times.get(name)!.push(await timed(contenders[name][1]));
    const seconds = (name: keyof typeof contenders) => median(times.get(name)!);
    for (const name of names)
      console.log(
        `  ${contenders[name][0].padEnd(30)}${fmt(seconds(name), 2).padStart(8)} s   (runs ${times
          .get(name)!
          .map((t) => fmt(t, 2))
          .join(', ')})`,
      );
    console.log(`\n  2 workers / 1 worker (goal >= 1.8):        ${fmt(seconds('one') / seconds('two'), 2)}x`);
    console.log(`  2 workers / local, 2 CPUs (goal >= 0.9):   ${fmt(seconds('local') / seconds('two'), 2)}x`);

    // Per-partition overhead: one-row partitions of no work through the two workers.
    const empty = path.join(dir, 'empty');
    writeParts(empty, EMPTY, 1);
    const started = performance.now();
    const runId = 'overhead';
    await readJson<{ id: number }>(empty)
      .map(squareUdf)
      .writeJson(path.join(dir, 'out-empty'), { runId, progress: 'off', cluster: { redis: redis.url, queue: 'two' } });
    const wallMs = performance.now() - started;
    const queue = new Queue('two', { connection: { host: '127.0.0.1', port: Number(new URL(redis.url).port) } });
    const jobs = (await queue.getJobs(['completed'], 0, -1)).filter((job) => job.id?.startsWith(`${runId}.`));
    await queue.close();
    const first = jobs.reduce((a, b) => (b.timestamp < a.timestamp ? b : a));
    const ran = jobs.map((job) => job.finishedOn! - job.processedOn!);
    console.log(`\n  per partition, ${jobs.length} one-row partitions through 2 workers (the workers' threads were idle when it started):`);
    console.log(
      `    driver wall time / partitions:                ${fmt(wallMs / EMPTY, 2)} ms (x 2 workers: ${fmt((2 * wallMs) / EMPTY, 2)} ms of a worker each)`,
    );
    console.log(
      `    in a worker, taken -> finished (run, commit):  median ${fmt(median(ran), 1)} ms (a worker takes 2 per thread: one waits)`,
    );
    console.log(`    added -> taken by a worker, first partition:   ${fmt(first.processedOn! - first.timestamp, 1)} ms`);
  } finally {
    for (const worker of workers) worker.kill('SIGTERM');
    await Promise.all(workers.map((w) => new Promise((resolve) => (w.exitCode !== null ? resolve(null) : w.once('exit', resolve)))));
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
