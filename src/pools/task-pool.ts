import { Piscina } from 'piscina';
import { blockFromIpc, blockToIpc } from '../blocks/ipc.js';
import type { Block } from '../blocks/block.js';
import type { SkippedInput } from '../exec/transform-chain.js';
import type { Transform } from '../plan/transforms.js';
import { replyToError, type TaskReply, type TaskRequest } from './task-protocol.js';

export interface TaskOutcome {
  readonly block: Block;
  readonly skipped: SkippedInput[];
  readonly udfMs: number;
}

/**
 * Worker threads for stateless UDFs (piscina). Blocks travel as Arrow IPC buffers in the
 * transfer list both ways. A task whose UDF throws rejects with a UdfError; a task whose
 * worker dies rejects with piscina's error, and piscina starts a replacement worker.
 */
export class TaskPool {
  private readonly piscina: Piscina;

  constructor(threads: number) {
    this.piscina = new Piscina({
      filename: new URL('./task-worker.js', import.meta.url).href,
      minThreads: threads,
      maxThreads: threads,
      // Workers idle between tasks keep their event loop running (async UDFs, module loading).
      atomics: 'disabled',
      idleTimeout: Infinity,
    });
    // Errors are reported through each task's promise; a pool-level 'error' has no one to tell.
    this.piscina.on('error', () => {});
  }

  async run(block: Block, transforms: readonly Transform[], taskIndex: number, concurrency: number, signal: AbortSignal): Promise<TaskOutcome> {
    const ipc = blockToIpc(block);
    const request: TaskRequest = { ipc, transforms, taskIndex, concurrency };
    const reply = (await this.piscina.run(request, { transferList: [ipc], signal })) as TaskReply;
    if (!reply.ok) throw replyToError(reply);
    return { block: blockFromIpc(reply.ipc), skipped: reply.skipped, udfMs: reply.udfMs };
  }

  get threads(): number {
    return this.piscina.threads.length;
  }

  async destroy(): Promise<void> {
    await this.piscina.destroy();
  }
}
