import { blockFromIpc, blockToIpc } from '../blocks/ipc.js';
import { FileReadError, UdfError } from '../errors.js';
import { runChain, type ChainContext } from '../tasks/run-chain.js';
import type { Transform } from '../tasks/transform.js';
import { serializeError, type TaskReply } from './task-protocol.js';
import { isBlockedAtJob } from '../tasks/udf-registry.js';

/**
 * Runs a fused chain over a block received as IPC bytes, in a worker, and answers as data:
 * the result block as IPC bytes, or the UDF's error (a rejected reply is kept for a worker
 * that itself failed). Shared by the task pool's and the actor pool's workers.
 */
export async function runChainReply(ipc: ArrayBuffer, transforms: readonly Transform[], ctx: ChainContext): Promise<TaskReply> {
  try {
    const result = await runChain(blockFromIpc(ipc), transforms, ctx);
    return { ok: true, ipc: blockToIpc(result.block), skipped: result.skipped, udfMs: result.udfMs, blockedAtJob: isBlockedAtJob() };
  } catch (error) {
    if (error instanceof UdfError) {
      return {
        ok: false,
        operator: error.operator,
        input: error.input,
        cause: serializeError(error.cause),
        fileError: error instanceof FileReadError,
        blockedAtJob: isBlockedAtJob(),
      };
    }
    const operator = transforms.map((t) => t.name).join('->');
    return { ok: false, operator, input: { taskIndex: ctx.taskIndex }, cause: serializeError(error), blockedAtJob: isBlockedAtJob() };
  }
}
