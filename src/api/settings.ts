import os from 'node:os';
import { InvalidOptionError } from '../errors.js';

/** How jobs run: set for the process with `configure`, or per call on any consumer. */
export interface ExecutionOptions {
  /** CPU slots for task-pool work; also the number of worker threads. Default: the machine's cores. */
  cpus?: number;
  /** Bytes of blocks that may wait in queues between operators. Default: 1/8 of memory, at most 1 GiB. */
  memoryBudget?: number;
  /** Emit rows in input order (costs some parallelism when tasks finish out of order). Default false. */
  preserveOrder?: boolean;
  /** A file that receives one JSON line per input skipped under `onError: 'skip'`. */
  errorLog?: string | null;
}

export type ExecutionSettings = Required<ExecutionOptions>;

let defaults: ExecutionSettings = {
  cpus: os.availableParallelism(),
  memoryBudget: Math.min(Math.floor(os.totalmem() / 8), 1024 ** 3),
  preserveOrder: false,
  errorLog: null,
};

/** Sets execution options for every job that follows in this process. */
export function configure(options: ExecutionOptions): ExecutionSettings {
  defaults = resolveSettings(options);
  return { ...defaults };
}

export function resolveSettings(options: ExecutionOptions = {}): ExecutionSettings {
  const merged = { ...defaults, ...definedOnly(options) };
  if (!Number.isInteger(merged.cpus) || merged.cpus < 1) throw new InvalidOptionError('cpus', merged.cpus, 'a whole number >= 1');
  if (!Number.isFinite(merged.memoryBudget) || merged.memoryBudget <= 0) {
    throw new InvalidOptionError('memoryBudget', merged.memoryBudget, 'a number of bytes > 0');
  }
  if (typeof merged.preserveOrder !== 'boolean') throw new InvalidOptionError('preserveOrder', merged.preserveOrder, 'true or false');
  if (merged.errorLog !== null && typeof merged.errorLog !== 'string') throw new InvalidOptionError('errorLog', merged.errorLog, 'a file path');
  return merged;
}

function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}
