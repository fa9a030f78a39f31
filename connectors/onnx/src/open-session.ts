import * as ort from 'onnxruntime-node';
import { OnnxModelError } from './errors.js';
import { planExecutionProvider, sessionProviders, warnCpuFallback, type ExecutionProviderChoice } from './execution-provider.js';

/** What an InferenceSession of an actor is opened with. */
export interface SessionSpec {
  /** A local .onnx file. */
  readonly modelPath: string;
  /** Threads one session uses for an operator. Default 1: the pool runs one actor per core. */
  readonly intraOpNumThreads?: number;
  /** Default 'auto': CUDA on the actor's GPU when it has one (numGpus), CPU otherwise. */
  readonly executionProvider?: ExecutionProviderChoice;
}

/**
 * An InferenceSession as every sluice actor opens one: CUDA on the actor's first GPU (`gpuIds`,
 * from its actor context) when CUDA is installed, else CPU with one warning line per process;
 * `where` (the operator and actor) names it in errors.
 */
export async function openSession(options: SessionSpec, gpuIds: readonly number[], where: string): Promise<ort.InferenceSession> {
  const plan = planExecutionProvider(options.executionProvider ?? 'auto', gpuIds);
  if (plan.kind === 'cpu' && plan.fallbackReason) warnCpuFallback(where, plan.fallbackReason);
  const create = (providers: ort.InferenceSession.ExecutionProviderConfig[]): Promise<ort.InferenceSession> =>
    ort.InferenceSession.create(options.modelPath, {
      executionProviders: providers,
      intraOpNumThreads: options.intraOpNumThreads ?? 1,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
    });
  try {
    return await create(sessionProviders(plan));
  } catch (error) {
    const message = (error as Error).message.split('\n')[0];
    if (plan.kind === 'cuda') {
      // The provider library is there but CUDA itself is not usable (driver, cuDNN, device id).
      warnCpuFallback(where, `the CUDA session could not open (${message})`);
      return create(['cpu']).catch((cpuError: unknown) => Promise.reject(modelError(options.modelPath, where, cpuError)));
    }
    throw modelError(options.modelPath, where, error);
  }
}

function modelError(modelPath: string, where: string, error: unknown): OnnxModelError {
  const message = (error as Error).message.split('\n')[0];
  return new OnnxModelError(
    `${where}: cannot open the ONNX model ${modelPath}: ${message}; check the path, or write the default model with writeHashedNgramModel(path)`,
    { cause: error },
  );
}
