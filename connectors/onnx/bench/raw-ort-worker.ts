/**
 * The benchmark's baseline: a hand-written onnxruntime-node loop in a worker thread, one
 * session, its share of the rows given before the clock starts, outputs dropped.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';

interface Setup {
  readonly modelPath: string;
  readonly threads: number;
  readonly batchSize: number;
  readonly width: number;
  readonly input: Float32Array;
}

const setup = workerData as Setup;
const port = parentPort!;
const session = await ort.InferenceSession.create(setup.modelPath, { intraOpNumThreads: setup.threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
const rows = setup.input.length / setup.width;

async function runAll(): Promise<void> {
  for (let start = 0; start < rows; start += setup.batchSize) {
    const n = Math.min(setup.batchSize, rows - start);
    const x = setup.input.subarray(start * setup.width, (start + n) * setup.width);
    await session.run({ x: new ort.Tensor('float32', x, [n, setup.width]) });
  }
}

// Warm-up: the first runs allocate and plan.
await session.run({ x: new ort.Tensor('float32', setup.input.subarray(0, setup.batchSize * setup.width), [Math.min(setup.batchSize, rows), setup.width]) });
port.postMessage('ready');
port.on('message', async (message: 'go' | 'stop') => {
  if (message === 'stop') {
    await session.release();
    port.close();
    return;
  }
  await runAll();
  port.postMessage('done');
});
