#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { startClusterWorker } from './worker/cluster-worker.js';
import { SluiceError } from './errors.js';
import { checkStorageOptions, objectStoreFor } from './io/storage/index.js';
import { completeRun } from './io/write/index.js';

/**
 * `sluice worker`: a cluster worker (README "Running on many machines").
 * `sluice commit`: completes a run written by static shards, once all are done.
 */
const USAGE = `usage:
  sluice worker --redis <url> [--queue <name>] [--cpus <n>] [--root <dir>] [--heap-mb <n>]
                [--lock-ms <ms>] [--stalled-ms <ms>]
      takes partitions of cluster-mode writes from the queue and runs them, <n> at a time
  sluice commit <dir> --run-id <id>
      writes <dir>/_SUCCESS once every partition of run <id> is committed (static shards);
      exits 1 naming the partitions still missing`;

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'worker') return worker(rest);
  if (command === 'commit') return commit(rest);
  process.stderr.write(`${command === undefined || command === '--help' ? '' : `unknown command '${command}'\n`}${USAGE}\n`);
  return command === '--help' ? 0 : 2;
}

async function worker(args: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      redis: { type: 'string', default: process.env.SLUICE_CLUSTER },
      queue: { type: 'string' },
      cpus: { type: 'string' },
      root: { type: 'string' },
      'heap-mb': { type: 'string' },
      'lock-ms': { type: 'string' },
      'stalled-ms': { type: 'string' },
    },
  });
  if (values.redis === undefined) throw new SluiceError(`sluice worker needs --redis <url> (or SLUICE_CLUSTER)\n${USAGE}`);
  const number = (name: string, value: string | undefined) => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new SluiceError(`--${name} must be a whole number >= 1; received '${value}'`);
    return n;
  };
  const lockMs = number('lock-ms', values['lock-ms']);
  const stalledMs = number('stalled-ms', values['stalled-ms']);
  const running = await startClusterWorker({
    redis: values.redis,
    queue: values.queue,
    cpus: number('cpus', values.cpus),
    root: values.root,
    heapMb: number('heap-mb', values['heap-mb']),
    locks: { ...(lockMs === undefined ? {} : { lockMs }), ...(stalledMs === undefined ? {} : { stalledMs }) },
  });
  // SIGTERM or Ctrl-C: take no more jobs, finish the running ones; a second signal ends at once (BullMQ gives the jobs to other workers).
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.stderr.write(`sluice worker ${running.id}: stopping after its running jobs (again to stop now)\n`);
      process.once('SIGINT', () => process.exit(130));
      process.once('SIGTERM', () => process.exit(143));
      void running.close().then(resolve);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  process.stderr.write(`sluice worker ${running.id}: stopped after ${running.finished} partition(s)\n`);
  return 0;
}

async function commit(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...args], options: { 'run-id': { type: 'string' } }, allowPositionals: true });
  const [dir] = positionals;
  const runId = values['run-id'];
  if (dir === undefined || runId === undefined) throw new SluiceError(`sluice commit needs <dir> and --run-id <id>\n${USAGE}`);
  const store = objectStoreFor(dir, checkStorageOptions(undefined));
  const missing = await completeRun(store, store.normalize(dir), runId);
  if (missing === null) {
    process.stderr.write(`run '${runId}' has not planned its partitions in ${dir} yet: no shard of it has finished\n`);
    return 1;
  }
  if (missing.length > 0) {
    const shown = missing.slice(0, 20).join(', ');
    process.stderr.write(
      `run '${runId}' in ${dir}: ${missing.length} partition(s) not committed (${shown}${missing.length > 20 ? ', …' : ''}); ` +
        'rerun the shards that hold them (mode resume)\n',
    );
    return 1;
  }
  process.stdout.write(`run '${runId}' in ${dir}: every partition committed; _SUCCESS written\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `${error instanceof SluiceError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
