/** What the benchmark's hand-written loops share: their session, warmed up, and their message loop. */
import { parentPort } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';

/** A session as the baseline runs it, after a first run (which allocates and plans). */
export async function openWarmSession(modelPath: string, threads: number, warmUp: ort.Tensor): Promise<ort.InferenceSession> {
  const session = await ort.InferenceSession.create(modelPath, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
  await session.run({ x: warmUp });
  return session;
}

/** Says 'ready', then hands each message to `handle` until 'stop', which releases the session. */
export function serve<M>(session: ort.InferenceSession, handle: (message: M) => Promise<void>): void {
  const port = parentPort!;
  port.postMessage('ready');
  // A failure is left unhandled, as from an async listener: it ends the worker.
  port.on('message', (message: M | 'stop') => void onMessage(message));
  async function onMessage(message: M | 'stop'): Promise<void> {
    if (message === 'stop') {
      await session.release();
      port.close();
      return;
    }
    await handle(message);
  }
}
