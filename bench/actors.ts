/**
 * bench/actors: how busy an actor pool is kept behind a fast producer. A range of rows in
 * small batches feeds an actor stage of 2 actors whose call waits 20 ms per batch; the busy
 * fraction is the time spent in calls over (actors x the stage's wall time). With prefetch
 * (2 batches in flight per actor, the default) each actor has its next batch waiting when a
 * call ends; the same run with `maxTasksInFlightPerActor: 1` is the no-prefetch baseline.
 *
 *   npx -y pnpm@10.34.8 bench:actors        (pnpm build && node dist/bench/actors.js)
 *
 * Environment: BENCH_ACTORS_ROWS (default 16000), BENCH_ACTORS_BATCH (default 10),
 * BENCH_ACTORS_CALL_MS (default 20).
 */
import { range } from '../src/index.js';
import { sleepyModel, type CallTiming } from './actors-udfs.js';
import { envInt, fmt, lpad, pad, printMachine } from './bench-utils.js';

const ROWS = envInt('BENCH_ACTORS_ROWS', 16_000);
const BATCH = envInt('BENCH_ACTORS_BATCH', 10);
const CALL_MS = envInt('BENCH_ACTORS_CALL_MS', 20);
const ACTORS = 2;
const STAGE = 'SleepyModel';

interface Run {
  label: string;
  stageWallMs: number;
  /** From the first call's start to the last call's end: the stage without its actors' start-up. */
  callsWallMs: number;
  busyMs: Map<number, number>;
  calls: number;
}

async function run(label: string, maxTasksInFlightPerActor: number): Promise<Run> {
  const ds = range(ROWS).mapBatches(sleepyModel, {
    name: STAGE,
    batchSize: BATCH,
    concurrency: ACTORS,
    numCpus: 0.5,
    maxTasksInFlightPerActor,
    constructorArgs: [CALL_MS],
  });
  const timings: CallTiming[] = await ds.takeAll({ progress: 'off' });
  const stats = await ds.stats();
  const busyMs = new Map<number, number>();
  for (const t of timings) busyMs.set(t.actor, (busyMs.get(t.actor) ?? 0) + (t.end - t.start));
  const callsWallMs = Math.max(...timings.map((t) => t.end)) - Math.min(...timings.map((t) => t.start));
  return { label, stageWallMs: stats.operator(STAGE)!.wallMs, callsWallMs, busyMs, calls: timings.length };
}

function report(r: Run): void {
  const total = [...r.busyMs.values()].reduce((a, b) => a + b, 0);
  const perActor = [...r.busyMs.entries()].sort(([a], [b]) => a - b).map(([actor, ms]) => `actor ${actor} ${fmt(ms / r.stageWallMs, 3)}`);
  console.log(
    `${pad(r.label, 26)}${lpad(fmt(r.calls), 7)}${lpad(fmt(r.stageWallMs), 12)}${lpad(fmt(total / (ACTORS * r.stageWallMs), 3), 12)}` +
      `${lpad(fmt(total / (ACTORS * r.callsWallMs), 3), 14)}   ${perActor.join(', ')}`,
  );
}

printMachine('bench/actors');
console.log(
  `input:    range(${fmt(ROWS)}), batchSize ${BATCH} -> ${fmt(Math.ceil(ROWS / BATCH))} batches; ${ACTORS} actors, ${CALL_MS} ms per call`,
);
console.log(`ideal:    ${fmt((Math.ceil(ROWS / BATCH) * CALL_MS) / ACTORS)} ms of calls per actor\n`);
console.log(
  `${pad('run', 26)}${lpad('calls', 7)}${lpad('stage ms', 12)}${lpad('busy/stage', 12)}${lpad('busy/calls', 14)}   per actor (busy/stage)`,
);
const prefetch = await run('prefetch (2 in flight)', 2);
report(prefetch);
report(await run('no prefetch (1 in flight)', 1));
console.log(
  '\nbusy/stage: call time / (actors x the operator wall time, actor start-up included); busy/calls: the same over the span from first call to last',
);
