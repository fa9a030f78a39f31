import type { Block } from '../blocks/block.js';
import { packBlocks, sharedStream, unpackBlocks, type PackedBlocks } from '../blocks/packed-blocks.js';
import { FileReadError, UdfError } from '../errors.js';
import { runChain, type ChainContext } from '../tasks/run-chain.js';
import type { SkippedInput } from '../tasks/task-outcome.js';
import type { Transform } from '../tasks/transform.js';
import { serializeError, type TaskReply } from './task-protocol.js';
import { isBlockedAtJob } from '../tasks/udf-registry.js';

/** What a chain run in a worker gives: its result block, or its error as data (a failed TaskReply). */
export type ChainAnswer =
  | { readonly ok: true; readonly block: Block; readonly skipped: SkippedInput[]; readonly udfMs: number; readonly blockedAtJob: boolean }
  | Extract<TaskReply, { ok: false }>;

/**
 * Runs a fused chain over a block in a worker and answers as data: the result block, or the
 * UDF's error (a rejected reply is kept for a worker that itself failed). Shared by the task
 * pool's and the actor pool's workers; `input` decodes the block, and its failure is answered too.
 */
export async function runChainAnswer(input: () => Block, transforms: readonly Transform[], ctx: ChainContext): Promise<ChainAnswer> {
  try {
    const result = await runChain(input(), transforms, ctx);
    return { ok: true, block: result.block, skipped: result.skipped, udfMs: result.udfMs, blockedAtJob: isBlockedAtJob() };
  } catch (error) {
    return failedAnswer(error, transforms, ctx.taskIndex);
  }
}

/** An error of a chain as a failed reply: a UdfError as it is, anything else as the whole chain's. */
export function failedAnswer(error: unknown, transforms: readonly Transform[], taskIndex: number): Extract<TaskReply, { ok: false }> {
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
  return { ok: false, operator, input: { taskIndex }, cause: serializeError(error), blockedAtJob: isBlockedAtJob() };
}

/**
 * runChainAnswer over a block received packed, with the result block packed (in shared memory
 * where `shared`: shared-replies.ts): a task-pool worker's reply.
 */
export async function runChainReply(
  input: PackedBlocks,
  transforms: readonly Transform[],
  ctx: ChainContext,
  shared: boolean,
): Promise<TaskReply> {
  const answer = await runChainAnswer(() => unpackBlocks(input.streams, input.parts)[0], transforms, ctx);
  if (!answer.ok) return answer;
  const { block, ...rest } = answer;
  try {
    return { ...rest, output: packBlocks([block], true, shared ? sharedStream : undefined) };
  } catch (error) {
    return failedAnswer(error, transforms, ctx.taskIndex);
  }
}
