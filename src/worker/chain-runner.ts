import type { Block } from '../blocks/block.js';
import { rowsOfBlock } from '../blocks/read-values.js';
import { executePlan } from '../exec/executor.js';
import { partitionOf, tagPartition } from '../exec/partition-chain.js';
import type { ExecutionSettings } from '../exec/settings.js';
import type { MapStage, PhysicalOp } from '../plan/physical.js';

/** How long a runner with nothing to do keeps its plan (and its actors) for the next partition. */
const IDLE_MS = 10_000;

/**
 * A cluster worker's plan for the stages of one run (read, an actor pool, …, write): one
 * streaming job on this machine, fed the partitions the worker takes from the queue, so that its
 * actors are made once and stay busy across partitions instead of once per partition. Each
 * partition resolves with the file rows its write answered. The job ends when no partition came
 * for IDLE_MS; if it fails, every partition it holds fails with its error, and the next one
 * starts another.
 */
export class ChainRunner {
  private readonly waiting = new Map<number, { resolve: (rows: Record<string, unknown>[]) => void; reject: (error: unknown) => void }>();
  private readonly pending: Block[] = [];
  private wake: (() => void) | null = null;
  private ended = false;
  private idle: NodeJS.Timeout | null = null;
  private failure: { error: unknown } | null = null;
  readonly finished: Promise<void>;

  constructor(stages: readonly MapStage[], settings: ExecutionSettings) {
    let plan: PhysicalOp = { kind: 'Source', name: 'Partitions', source: { kind: 'stream', open: () => this.partitions() } };
    for (const [i, stage] of stages.entries()) plan = { kind: 'Map', input: plan, ...stage, ...(i === 0 ? { givenPartitions: true } : {}) };
    this.finished = this.drain(plan, settings);
  }

  /** Whether it can take another partition (not failed, not ended). */
  get open(): boolean {
    return !this.ended && this.failure === null;
  }

  run(input: Block, partition: number): Promise<Record<string, unknown>[]> {
    if (this.idle !== null) clearTimeout(this.idle);
    this.idle = null;
    const answer = new Promise<Record<string, unknown>[]>((resolve, reject) => this.waiting.set(partition, { resolve, reject }));
    this.pending.push(tagPartition(input, partition));
    this.wake?.();
    return answer;
  }

  /** Ends the plan once its partitions are done (its actors close). */
  end(): Promise<void> {
    this.ended = true;
    this.wake?.();
    return this.finished;
  }

  private async *partitions(): AsyncGenerator<Block> {
    for (;;) {
      const next = this.pending.shift();
      if (next !== undefined) {
        yield next;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = null;
    }
  }

  private async drain(plan: PhysicalOp, settings: ExecutionSettings): Promise<void> {
    try {
      for await (const block of executePlan(plan, settings, () => {})) {
        const partition = partitionOf(block, 'a cluster worker');
        const waiter = this.waiting.get(partition);
        this.waiting.delete(partition);
        waiter?.resolve(rowsOfBlock(block));
        if (this.waiting.size === 0 && !this.ended) this.idle = setTimeout(() => void this.end(), IDLE_MS);
      }
    } catch (error) {
      this.failure = { error };
      for (const waiter of this.waiting.values()) waiter.reject(error);
      this.waiting.clear();
    } finally {
      this.ended = true;
      if (this.idle !== null) clearTimeout(this.idle);
    }
  }
}
