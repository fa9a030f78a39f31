/**
 * bench/core: sluice's task pool against a hand-written piscina script and a sequential loop
 * on the same CPU-bound work, the same job with the dashboard on and a page following it, and a
 * trivial job timed from process start to exit.
 *
 *   npx -y pnpm@10.34.8 bench:core        (pnpm build && node dist/bench/core.js)
 *
 * Environment: BENCH_ROWS (default 20000), BENCH_REPS (default 7), BENCH_ROW_US (default 200).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dashboardUrl, range, type Dataset } from '../src/index.js';
import { PiscinaBaseline } from './baselines/piscina-run.js';
import { CORES, envInt, fmt, lpad, median, pad, printMachine } from './bench-utils.js';
import { burnBatchUdf, burnRowUdf } from './core-udfs.js';
import { calibrate, ITERS_ENV, work } from './work.js';

const ROWS = envInt('BENCH_ROWS', 20_000);
const REPS = envInt('BENCH_REPS', 7);
const TARGET_US = envInt('BENCH_ROW_US', 200);
const PISCINA_ROWS_PER_TASK = 64;
const SPAWN_RUNS = 7;
const COLD_RUNS = 3;
const HERE = fileURLToPath(new URL('.', import.meta.url));

// ---- contenders ----------------------------------------------------------------------------

interface Contender {
  readonly key: 'sluiceMap' | 'sluiceDashboard' | 'sluiceBatches' | 'piscina' | 'sequential';
  readonly label: string;
  /** Runs the whole job; returns the sum of its outputs. */
  run(): Promise<number>;
}

function sumOut(rows: readonly { out: number }[]): number {
  if (rows.length !== ROWS) throw new Error(`sluice returned ${rows.length} rows, expected ${ROWS}`);
  let sum = 0;
  for (const row of rows) sum += row.out;
  return sum;
}

/** The last sluice map job, for its stats (tasks per job). */
let lastSluiceMap: Dataset<{ id: number; out: number }> | null = null;

function contenders(iters: number, piscina: PiscinaBaseline): Contender[] {
  return [
    {
      key: 'sluiceMap',
      label: 'sluice range.map(udf).takeAll()',
      run: async () => {
        lastSluiceMap = range(ROWS).map(burnRowUdf);
        return sumOut(await lastSluiceMap.takeAll());
      },
    },
    {
      key: 'sluiceDashboard',
      label: 'the same, dashboard on, page open',
      run: async () => {
        const rows = await range(ROWS).map(burnRowUdf).takeAll({ dashboard: true });
        await openPage.get();
        return sumOut(rows);
      },
    },
    {
      key: 'sluiceBatches',
      label: "sluice mapBatches(udf, 'columns')",
      run: async () =>
        sumOut(await range(ROWS).mapBatches<{ id: number; out: number }>(burnBatchUdf, { batchFormat: 'columns' }).takeAll()),
    },
    {
      key: 'piscina',
      label: `piscina by hand, ${PISCINA_ROWS_PER_TASK}-row tasks`,
      run: () => piscina.run(ROWS, iters, PISCINA_ROWS_PER_TASK),
    },
    {
      key: 'sequential',
      label: 'sequential loop, main thread',
      run: () => {
        let sum = 0;
        for (let i = 0; i < ROWS; i++) sum += work(i, iters);
        return Promise.resolve(sum);
      },
    },
  ];
}

/**
 * A page open on the dashboard the whole time, as a person watching would have it: its event
 * stream read to the end, so that the job pays for every update sent.
 */
const openPage = {
  reading: null as Promise<void> | null,
  closing: new AbortController(),
  async get(): Promise<void> {
    const url = await dashboardUrl();
    if (url === null) throw new Error('the dashboard did not start');
    this.reading ??= fetch(`${url}api/events`, { signal: this.closing.signal })
      .then(async (response) => {
        for await (const chunk of response.body!) void chunk;
      })
      .catch(() => undefined);
  },
  close(): Promise<void> | null {
    this.closing.abort();
    return this.reading;
  },
};

async function timeOnce(c: Contender): Promise<{ ms: number; sum: number }> {
  const t0 = performance.now();
  const sum = await c.run();
  return { ms: performance.now() - t0, sum };
}

// ---- child processes -----------------------------------------------------------------------

/** Runs node with `args`; resolves with the wall time from spawn to exit and the child's stdout. */
function runNode(args: readonly string[]): Promise<{ ms: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = performance.now() - t0;
      if (code === 0) resolve({ ms, stdout });
      else reject(new Error(`node ${args.join(' ')} exited with ${code}: ${stderr}`));
    });
  });
}

async function spawnMedian(args: readonly string[]): Promise<{ median: number; all: number[] }> {
  await runNode(args); // warms the file cache
  const all: number[] = [];
  for (let i = 0; i < SPAWN_RUNS; i++) all.push((await runNode(args)).ms);
  return { median: median(all), all };
}

/** The first job of a fresh process (pool start included), COLD_RUNS times, alternating contenders. */
async function coldRuns(iters: number): Promise<Record<'sluice' | 'piscina', { ms: number[]; sums: number[] }>> {
  const out = { sluice: { ms: [] as number[], sums: [] as number[] }, piscina: { ms: [] as number[], sums: [] as number[] } };
  for (let i = 0; i < COLD_RUNS; i++) {
    for (const contender of ['sluice', 'piscina'] as const) {
      const { stdout } = await runNode([`${HERE}core-cold.js`, contender, String(ROWS), String(iters)]);
      const report = JSON.parse(stdout.trim().split('\n').pop()!) as { ms: number; sum: number };
      out[contender].ms.push(report.ms);
      out[contender].sums.push(report.sum);
    }
  }
  return out;
}

// ---- report --------------------------------------------------------------------------------

async function main(): Promise<void> {
  printMachine('bench/core');

  const { iters, usPerCall } = calibrate(TARGET_US);
  process.env[ITERS_ENV] = String(iters); // worker threads read it from the environment
  console.log(
    `work:     ${fmt(iters)} hash+sqrt rounds per row = ${fmt(usPerCall, 1)} µs per row on the main thread (target ${TARGET_US} µs)`,
  );
  console.log(`runs:     ${fmt(ROWS)} rows per job; each contender warmed up once, then ${REPS} runs in rotating order; median reported\n`);

  const piscina = new PiscinaBaseline(CORES);
  const list = contenders(iters, piscina);
  const times = new Map<string, number[]>(list.map((c) => [c.key, []]));
  const sums = new Map<string, Set<number>>(list.map((c) => [c.key, new Set()]));
  for (const c of list) sums.get(c.key)!.add((await timeOnce(c)).sum); // warm-up: JIT, and each pool started once
  for (let rep = 0; rep < REPS; rep++) {
    for (let k = 0; k < list.length; k++) {
      const c = list[(k + rep) % list.length];
      const { ms, sum } = await timeOnce(c);
      times.get(c.key)!.push(ms);
      sums.get(c.key)!.add(sum);
    }
  }
  await piscina.destroy();
  await openPage.close();

  const ms = (key: string) => median(times.get(key)!);
  const best = (key: string) => Math.min(...times.get(key)!);
  const rowsPerSec = (key: string) => ROWS / (ms(key) / 1000);
  console.log(`${pad('contender (warm)', 40)}${lpad('median ms', 10)}${lpad('best ms', 9)}${lpad('rows/s', 9)}   all runs (ms)`);
  for (const c of list) {
    const runs = times
      .get(c.key)!
      .map((t) => fmt(t))
      .join(' ');
    console.log(`${pad(c.label, 40)}${lpad(fmt(ms(c.key)), 10)}${lpad(fmt(best(c.key)), 9)}${lpad(fmt(rowsPerSec(c.key)), 9)}   ${runs}`);
  }
  console.log(`ideal on ${CORES} cores at the calibrated ${fmt(usPerCall, 1)} µs per row: ${fmt((CORES * 1e6) / usPerCall)} rows/s`);
  const mapStats = (await lastSluiceMap!.stats()).operators.find((o) => o.name === 'Map(burnRow)');
  if (mapStats)
    console.log(`sluice map: ${mapStats.tasks} tasks per job (${fmt(ROWS / mapStats.tasks)} rows each), ${mapStats.retries} retries`);
  console.log('');

  const cold = await coldRuns(iters);
  console.log(`first job of a fresh process, pool start included (median of ${COLD_RUNS}, ms):`);
  console.log(
    `  sluice ${fmt(median(cold.sluice.ms))} (${cold.sluice.ms.map((t) => fmt(t)).join(' ')}), ` +
      `piscina ${fmt(median(cold.piscina.ms))} (${cold.piscina.ms.map((t) => fmt(t)).join(' ')})\n`,
  );
  for (const s of [...cold.sluice.sums, ...cold.piscina.sums]) sums.get('piscina')!.add(s);

  const allSums = new Set([...sums.values()].flatMap((s) => [...s]));
  const agree = allSums.size === 1;
  console.log(
    agree
      ? `sum of outputs: equal in every run of every contender (${[...allSums][0]})\n`
      : `sum of outputs: DIFFER: ${JSON.stringify(Object.fromEntries([...sums].map(([k, v]) => [k, [...v]])))}\n`,
  );

  console.log(`trivial job, process spawn to exit (median of ${SPAWN_RUNS} after 1 warm-up, ms):`);
  const bare = await spawnMedian(['-e', '0']);
  const trivial = await spawnMedian([`${HERE}trivial-job.js`]);
  const trivialUdf = await spawnMedian([`${HERE}trivial-job-udf.js`]);
  const spawnRow = (label: string, r: { median: number; all: number[] }) =>
    console.log(`  ${pad(label, 52)}${lpad(fmt(r.median), 6)}   (${r.all.map((t) => fmt(t)).join(' ')})`);
  spawnRow('node -e 0 (reference)', bare);
  spawnRow('range(1000).map(f).filter(g).take(10), main thread', trivial);
  spawnRow('the same with udf() map and filter on the task pool', trivialUdf);
  console.log('');

  const goalB = CORES === 2 ? 1.85 : 0.925 * CORES;
  const ratio = (a: string, b: string) => rowsPerSec(a) / rowsPerSec(b);
  const coldRatio = median(cold.piscina.ms) / median(cold.sluice.ms);
  const rows: Array<[string, string, string, boolean | null]> = [
    ['(a) sluice map / piscina', fmt(ratio('sluiceMap', 'piscina'), 3), '>= 0.95', ratio('sluiceMap', 'piscina') >= 0.95],
    [
      '(a) sluice mapBatches / piscina (ref)',
      fmt(ratio('sluiceBatches', 'piscina'), 3),
      '>= 0.95',
      ratio('sluiceBatches', 'piscina') >= 0.95,
    ],
    [
      '(d) dashboard on, page open / off',
      fmt(ratio('sluiceDashboard', 'sluiceMap'), 3),
      '>= 0.98',
      ratio('sluiceDashboard', 'sluiceMap') >= 0.98,
    ],
    ['(a) cold first job: sluice / piscina', fmt(coldRatio, 3), '-', null],
    [
      '(b) sluice map / sequential',
      fmt(ratio('sluiceMap', 'sequential'), 3),
      `>= ${fmt(goalB, 2)}`,
      ratio('sluiceMap', 'sequential') >= goalB,
    ],
    [
      '(b) sluice mapBatches / sequential (ref)',
      fmt(ratio('sluiceBatches', 'sequential'), 3),
      `>= ${fmt(goalB, 2)}`,
      ratio('sluiceBatches', 'sequential') >= goalB,
    ],
    ['(b) piscina / sequential (reference)', fmt(ratio('piscina', 'sequential'), 3), '-', null],
    ['(c) trivial job, spawn to exit, ms', fmt(trivial.median), '< 300', trivial.median < 300],
    ['(c) trivial job with udf(), spawn to exit, ms', fmt(trivialUdf.median), '-', null],
    ['results agree (sum of outputs)', agree ? 'yes' : 'no', 'yes', agree],
  ];
  console.log(`${pad('measure', 46)}${lpad('value', 8)}  ${pad('goal', 8)}  verdict`);
  for (const [label, value, goal, ok] of rows) {
    console.log(`${pad(label, 46)}${lpad(value, 8)}  ${pad(goal, 8)}  ${ok === null ? 'info' : ok ? 'PASS' : 'FAIL'}`);
  }
  if (CORES !== 2) console.log(`(goal (b) is 1.85 on 2 cores; on ${CORES} cores it is scaled to 0.925 × cores)`);
  console.log('(ref): the same goal shown for mapBatches; the verdicts on goals are the rows without it');
  // The exit status follows the goals: the map rows, the trivial job, and agreement.
  if (rows.some(([label, , , ok]) => ok === false && !label.endsWith('(ref)'))) process.exitCode = 1;
}

await main();
