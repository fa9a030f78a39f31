import { execFileSync } from 'node:child_process';
import { InvalidOptionError } from '../errors.js';

/**
 * The GPU ids a job may place actors on: the `gpus` setting when given (a count means ids
 * 0..n-1), else `CUDA_VISIBLE_DEVICES` (what CUDA libraries in this process will see), else
 * the GPUs `nvidia-smi -L` lists, else none. Discovery runs once per process, and only for a
 * job that asks for GPUs, so jobs without them never spawn nvidia-smi.
 */
export function resolveGpuIds(setting: number | readonly number[] | null): readonly number[] {
  if (setting === null) return (discovered ??= discoverGpus());
  if (typeof setting === 'number') return Array.from({ length: setting }, (_, i) => i);
  return setting;
}

let discovered: readonly number[] | undefined;

function discoverGpus(): readonly number[] {
  const visible = process.env.CUDA_VISIBLE_DEVICES;
  if (visible !== undefined) return fromVisibleDevices(visible);
  try {
    // A machine without a driver fails fast; a hung driver must not hang the job for long.
    const listing = execFileSync('nvidia-smi', ['-L'], { encoding: 'utf8', timeout: 3000, stdio: ['ignore', 'pipe', 'ignore'] });
    return listing.split('\n').flatMap((line) => {
      const match = /^GPU (\d+):/.exec(line.trim());
      return match ? [Number(match[1])] : [];
    });
  } catch {
    return [];
  }
}

/**
 * CUDA_VISIBLE_DEVICES lists ordinals or UUIDs; CUDA renumbers whatever it lists from 0, so
 * the ids a CUDA library in this process takes are positions in that list. An empty value or
 * a negative ordinal hides every device from there on.
 */
function fromVisibleDevices(value: string): readonly number[] {
  const ids: number[] = [];
  for (const entry of value.split(',').map((e) => e.trim())) {
    if (entry === '' || /^-\d+$/.test(entry)) break;
    ids.push(ids.length);
  }
  return ids;
}

/** Checks the `gpus` setting: a count of GPUs, or the list of GPU ids to use. */
export function checkGpusSetting(value: unknown): void {
  if (value === null) return;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return;
  if (Array.isArray(value) && value.every((id) => Number.isInteger(id) && id >= 0) && new Set(value).size === value.length) return;
  throw new InvalidOptionError('gpus', value, 'a number of GPUs >= 0, a list of distinct GPU ids, or null to discover them');
}
