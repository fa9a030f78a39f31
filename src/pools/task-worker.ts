import { threadId } from 'node:worker_threads';
import { move, transferableSymbol, valueSymbol } from 'piscina';
import type { FnRef } from '../tasks/transform.js';
import { runChainReply } from './chain-reply.js';
import { movedStreams } from '../blocks/packed-blocks.js';
import type { TaskReply, TaskRequest } from './task-protocol.js';
import { loadModuleFn } from '../tasks/udf-registry.js';
import { markSluiceWorker } from '../tasks/job-in-worker.js';
import { claimStart } from './start-mark.js';

markSluiceWorker();

async function resolve(ref: FnRef): Promise<(...args: unknown[]) => unknown> {
  if (ref.kind === 'local') throw new Error('internal: a local function reached a worker');
  return (await loadModuleFn(ref)) as (...args: unknown[]) => unknown;
}

/**
 * The task this worker runs or last ran: a task sent while another runs (queued behind it, see
 * task-pool.ts) begins when that one ends, so tasks never interleave at their awaits.
 */
let current: Promise<unknown> = Promise.resolve();

/** Piscina's entry: tasks one at a time, in the order they came. */
export default function runTask(request: TaskRequest): Promise<unknown> {
  const run = current.then(() => startTask(request));
  current = run.catch(() => {});
  return run;
}

/** Unpack the block, run the fused chain, send the result block back (its moved buffers by transfer); null for a task the main thread withdrew. */
async function startTask(request: TaskRequest): Promise<unknown> {
  if (!claimStart(request.startMark, threadId)) return null;
  const reply = await runChainReply(
    request.input,
    request.transforms,
    { taskIndex: request.taskIndex, concurrency: request.concurrency, resolve },
    request.sharedReply,
  );
  return reply.ok ? withTransfer(reply, movedStreams(reply.output.streams)) : reply;
}

/** Wraps a reply so piscina moves `buffers` instead of cloning them. */
function withTransfer(value: TaskReply, buffers: readonly ArrayBuffer[]): unknown {
  return move({ [transferableSymbol]: buffers, [valueSymbol]: value });
}
