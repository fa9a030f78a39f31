/**
 * CPU or CUDA for an actor's session. CUDA needs three things: a GPU assigned to the actor
 * (numGpus, or executionProvider 'cuda'), an onnxruntime-node build that knows the CUDA
 * provider, and the provider's shared libraries, which npm does not bundle (onnxruntime-node's
 * install script downloads them; sluice's workspace skips it to install offline). Without
 * them the session runs on CPU and the process prints one warning line, not one per actor.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { isMainThread } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';

export type ExecutionProviderChoice = 'auto' | 'cpu' | 'cuda';

export type ProviderPlan =
  { readonly kind: 'cpu'; readonly fallbackReason?: string } | { readonly kind: 'cuda'; readonly deviceId: number };

/**
 * What to open the session with. 'auto' uses CUDA on the actor's first GPU when it has one;
 * 'cuda' asks for it even without an assigned GPU (device 0).
 */
export function planExecutionProvider(
  choice: ExecutionProviderChoice,
  gpuIds: readonly number[],
  cuda: CudaSupport = cudaSupport(),
): ProviderPlan {
  if (choice === 'cpu' || (choice === 'auto' && gpuIds.length === 0)) return { kind: 'cpu' };
  if (!cuda.available) return { kind: 'cpu', fallbackReason: cuda.reason };
  return { kind: 'cuda', deviceId: gpuIds[0] ?? 0 };
}

export interface CudaSupport {
  readonly available: boolean;
  readonly reason?: string;
}

const PROVIDER_LIBRARY: Partial<Record<NodeJS.Platform, string>> = {
  linux: 'libonnxruntime_providers_cuda.so',
  win32: 'onnxruntime_providers_cuda.dll',
};

/**
 * Whether this onnxruntime-node can open a CUDA session. Checked without trying, because a
 * failed try makes ONNX Runtime print its own multi-line error.
 */
export function cudaSupport(): CudaSupport {
  if (!ort.listSupportedBackends().some((b) => b.name === 'cuda')) {
    return { available: false, reason: `onnxruntime-node has no CUDA provider on ${process.platform}/${process.arch}` };
  }
  const library = PROVIDER_LIBRARY[process.platform];
  const binDir = path.join(
    path.dirname(createRequire(import.meta.url).resolve('onnxruntime-node')),
    '..',
    'bin',
    'napi-v6',
    process.platform,
    process.arch,
  );
  if (library === undefined || !existsSync(path.join(binDir, library))) {
    return { available: false, reason: `the CUDA provider library is not installed in ${binDir} (see README, "GPUs and CUDA")` };
  }
  return { available: true };
}

export function sessionProviders(plan: ProviderPlan): ort.InferenceSession.ExecutionProviderConfig[] {
  return plan.kind === 'cuda' ? [{ name: 'cuda', deviceId: plan.deviceId }] : ['cpu'];
}

/**
 * Prints the CPU fallback once per process, however many sessions fall back: each actor is a
 * worker thread with its own copy of this module, so the threads agree through a marker file
 * named by the process id and holding the process's start time (a stale file left by an
 * earlier process with the same id holds another time).
 */
export function warnCpuFallback(
  where: string,
  reason: string,
  print: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): void {
  if (!firstInProcess()) return;
  print(`@sluice/onnx: ${where}: a GPU was asked for but ${reason}; running on CPU`);
}

const MARKER = path.join(os.tmpdir(), `sluice-onnx-cpu-fallback-${process.pid}`);
// The process's start time: the same in every thread (uptime is the process's).
const STARTED = Math.round(Date.now() - process.uptime() * 1000);

function firstInProcess(): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(MARKER, String(STARTED), { flag: 'wx' });
      return true;
    } catch {
      if (Math.abs(markedStart() - STARTED) < 1000) return false;
      rmSync(MARKER, { force: true });
    }
  }
  return false;
}

function markedStart(): number {
  try {
    return Number(readFileSync(MARKER, 'utf8'));
  } catch {
    return Number.NaN;
  }
}

if (isMainThread) process.once('exit', () => rmSync(MARKER, { force: true }));
