/**
 * An informative contender of the benchmark: a hand-written onnxruntime-node loop in a worker
 * thread that is sent each batch by the main thread (moved, in a transfer list) and moves each
 * output back, as an actor pool must; what is left of sluice's gap beyond it is sluice's own.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { openWarmSession, serve } from './raw-ort-session.js';

const { modelPath, width } = workerData as { readonly modelPath: string; readonly width: number };
const session = await openWarmSession(modelPath, 1, new ort.Tensor('float32', new Float32Array(width), [1, width]));

serve<Float32Array>(session, async (x) => {
  const results = await session.run({ x: new ort.Tensor('float32', x, [x.length / width, width]) });
  const y = (Object.values(results)[0].data as Float32Array).slice();
  parentPort!.postMessage(y, [y.buffer]);
});
