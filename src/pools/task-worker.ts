import { move, transferableSymbol, valueSymbol } from 'piscina';
import { blockFromIpc, blockToIpc } from '../blocks/ipc.js';
import { FileReadError, UdfError } from '../errors.js';
import { runChain } from '../exec/transform-chain.js';
import type { FnRef } from '../plan/transforms.js';
import { serializeError, type TaskReply, type TaskRequest } from './task-protocol.js';
import { isBlockedAtJob, loadUdf } from './udf-registry.js';
import { markSluiceWorker } from './worker-context.js';

markSluiceWorker();

async function resolve(ref: FnRef): Promise<(...args: unknown[]) => unknown> {
  if (ref.kind === 'local') throw new Error('internal: a local function reached a worker');
  return (await loadUdf(ref.moduleUrl, ref.exportName)) as (...args: unknown[]) => unknown;
}

/** Piscina's entry: decode the block, run the fused chain, send the result block back by transfer. */
export default async function runTask(request: TaskRequest): Promise<unknown> {
  let reply: TaskReply;
  try {
    const result = await runChain(blockFromIpc(request.ipc), request.transforms, {
      taskIndex: request.taskIndex,
      concurrency: request.concurrency,
      resolve,
    });
    reply = { ok: true, ipc: blockToIpc(result.block), skipped: result.skipped, udfMs: result.udfMs, blockedAtJob: isBlockedAtJob() };
  } catch (error) {
    if (error instanceof UdfError) {
      reply = {
        ok: false,
        operator: error.operator,
        input: error.input,
        cause: serializeError(error.cause),
        fileError: error instanceof FileReadError,
        blockedAtJob: isBlockedAtJob(),
      };
    } else {
      const operator = request.transforms.map((t) => t.name).join('->');
      reply = { ok: false, operator, input: { taskIndex: request.taskIndex }, cause: serializeError(error), blockedAtJob: isBlockedAtJob() };
    }
  }
  return reply.ok ? withTransfer(reply, reply.ipc) : reply;
}

/** Wraps a reply so piscina moves its buffer instead of cloning it. */
function withTransfer(value: TaskReply, buffer: ArrayBuffer): unknown {
  return move({ [transferableSymbol]: buffer, [valueSymbol]: value } as unknown as ArrayBuffer);
}
