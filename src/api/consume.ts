import type { Table } from 'apache-arrow';
import { blockToBatch, type BatchFormat } from '../blocks/batch-format.js';
import type { Block } from '../blocks/block.js';
import { concatBlocks } from '../blocks/concat.js';
import { rowsOfBlock } from '../blocks/read-values.js';
import { executePlan } from '../exec/executor.js';
import { preview } from '../blocks/row-preview.js';
import type { DatasetStats } from '../observe/stats.js';
import type { LogicalNode } from '../plan/logical.js';
import { planJob } from '../plan/planner.js';
import { physicalOps } from '../plan/physical.js';
import { partitionRoles } from '../exec/partition-chain.js';
import { bundleBlocks } from '../blocks/bundler.js';
import { resolveSettings, type ExecutionOptions } from '../exec/settings.js';

/** Plans and runs a logical plan, streaming its output blocks; `failWhen`, aborted, fails it with its reason. */
export function execute(
  plan: LogicalNode,
  options: ExecutionOptions | undefined,
  onStats: (stats: DatasetStats) => void,
  failWhen?: AbortSignal,
): AsyncGenerator<Block> {
  return executePlan(planJob(plan).physical, resolveSettings(options), onStats, failWhen);
}

/**
 * Refuses, before anything is written, a run (a write with a runId) whose plan cannot be cut
 * into partitions: the executor would refuse it too, but only once the write has begun.
 */
export function refuseUnpartitionedRun(plan: LogicalNode): void {
  partitionRoles(physicalOps(planJob(plan).physical));
}

export async function collectRows<T>(blocks: AsyncIterable<Block>): Promise<T[]> {
  const rows: T[] = [];
  for await (const block of blocks) for (const row of rowsOfBlock(block)) rows.push(row as T);
  return rows;
}

export async function collectTable(blocks: AsyncIterable<Block>): Promise<Table> {
  const all: Block[] = [];
  for await (const block of blocks) all.push(block);
  return concatBlocks(all);
}

export async function* iterRows<T>(blocks: AsyncIterable<Block>): AsyncGenerator<T> {
  for await (const block of blocks) for (const row of rowsOfBlock(block)) yield row as T;
}

export async function* iterBatches(
  blocks: AsyncIterable<Block>,
  batchSize: number | undefined,
  format: BatchFormat,
): AsyncGenerator<unknown> {
  for await (const bundle of bundleBlocks(blocks, batchSize)) {
    if (batchSize === undefined) {
      yield blockToBatch(bundle, format);
      continue;
    }
    for (let start = 0; start < bundle.numRows; start += batchSize) yield blockToBatch(bundle.slice(start, start + batchSize), format);
  }
}

export function toBatch(table: Table, format: BatchFormat): unknown {
  return blockToBatch(table, format);
}

export function formatRow(row: unknown): string {
  return preview(row);
}
