import { threadId } from 'node:worker_threads';
import { move, transferableSymbol, valueSymbol } from 'piscina';
import type { FnRef } from '../tasks/transform.js';
import { runChainReply } from './chain-reply.js';
import type { TaskReply, TaskRequest } from './task-protocol.js';
import { loadModuleFn } from '../tasks/udf-registry.js';
import { markSluiceWorker } from '../tasks/job-in-worker.js';
import { writeStart } from './start-mark.js';

markSluiceWorker();

async function resolve(ref: FnRef): Promise<(...args: unknown[]) => unknown> {
  if (ref.kind === 'local') throw new Error('internal: a local function reached a worker');
  return (await loadModuleFn(ref)) as (...args: unknown[]) => unknown;
}

/** Piscina's entry: unpack the block, run the fused chain, send the result block back by transfer. */
export default async function runTask(request: TaskRequest): Promise<unknown> {
  if (request.startMark !== undefined) writeStart(request.startMark, threadId);
  const reply = await runChainReply(request.input, request.transforms, {
    taskIndex: request.taskIndex,
    concurrency: request.concurrency,
    resolve,
  });
  return reply.ok ? withTransfer(reply, reply.output.streams) : reply;
}

/** Wraps a reply so piscina moves its buffers instead of cloning them. */
function withTransfer(value: TaskReply, buffers: readonly ArrayBuffer[]): unknown {
  return move({ [transferableSymbol]: buffers, [valueSymbol]: value });
}
