/**
 * An informative contender of the benchmark: a hand-written onnxruntime-node loop in a worker
 * thread that is sent each batch by the main thread (moved, in a transfer list) and moves each
 * output back, as an actor pool must; what is left of sluice's gap beyond it is sluice's own.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';

interface Setup {
  readonly modelPath: string;
  readonly width: number;
}

const setup = workerData as Setup;
const port = parentPort!;
const session = await ort.InferenceSession.create(setup.modelPath, { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' });

// Warm-up: the first runs allocate and plan.
await session.run({ x: new ort.Tensor('float32', new Float32Array(setup.width), [1, setup.width]) });
port.postMessage('ready');
port.on('message', async (message: Float32Array | 'stop') => {
  if (message === 'stop') {
    await session.release();
    port.close();
    return;
  }
  const results = await session.run({ x: new ort.Tensor('float32', message, [message.length / setup.width, setup.width]) });
  const y = (Object.values(results)[0].data as Float32Array).slice();
  port.postMessage(y, [y.buffer]);
});
