/**
 * The benchmark's baseline: a hand-written onnxruntime-node loop in a worker thread, one
 * session, its share of the rows given before the clock starts, outputs dropped.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { openWarmSession, serve } from './raw-ort-session.js';

interface Setup {
  readonly modelPath: string;
  readonly threads: number;
  readonly batchSize: number;
  readonly width: number;
  readonly input: Float32Array;
}

const setup = workerData as Setup;
const rows = setup.input.length / setup.width;
const batch = (start: number, n: number) =>
  new ort.Tensor('float32', setup.input.subarray(start * setup.width, (start + n) * setup.width), [n, setup.width]);
const session = await openWarmSession(setup.modelPath, setup.threads, batch(0, Math.min(setup.batchSize, rows)));

serve<'go'>(session, async () => {
  for (let start = 0; start < rows; start += setup.batchSize)
    await session.run({ x: batch(start, Math.min(setup.batchSize, rows - start)) });
  parentPort!.postMessage('done');
});
