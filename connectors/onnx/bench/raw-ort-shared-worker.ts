/**
 * An informative contender of the benchmark: a hand-written onnxruntime-node loop in a worker
 * thread fed through shared memory. The main thread copies each batch into a slot of a
 * SharedArrayBuffer and posts only the slot's number; the worker copies it into a buffer of
 * its own (ONNX Runtime refuses shared memory), runs the session and copies the output into
 * the slot's output half. No batch allocates a buffer but the session's output: what a
 * shared-memory block transport could reach.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { openWarmSession, serve } from './raw-ort-session.js';

interface Setup {
  readonly modelPath: string;
  readonly width: number;
  readonly batchSize: number;
  readonly inputs: SharedArrayBuffer;
  readonly outputs: SharedArrayBuffer;
}

const setup = workerData as Setup;
const slotValues = setup.batchSize * setup.width;
const local = new Float32Array(slotValues);
const inputs = new Float32Array(setup.inputs);
const outputs = new Float32Array(setup.outputs);
const session = await openWarmSession(setup.modelPath, 1, new ort.Tensor('float32', local, [setup.batchSize, setup.width]));

serve<{ slot: number; rows: number }>(session, async ({ slot, rows }) => {
  const n = rows * setup.width;
  local.set(inputs.subarray(slot * slotValues, slot * slotValues + n));
  const results = await session.run({ x: new ort.Tensor('float32', local.subarray(0, n), [rows, setup.width]) });
  outputs.set(Object.values(results)[0].data as Float32Array, slot * slotValues);
  parentPort!.postMessage(slot);
});
