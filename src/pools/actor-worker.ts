import { parentPort, workerData } from 'node:worker_threads';
import type { FnRef } from '../plan/transforms.js';
import { setActorContext } from './actor-context.js';
import type { ActorInit, ActorMessage, ActorRequest } from './actor-protocol.js';
import { runChainReply } from './chain-reply.js';
import { serializeError } from './task-protocol.js';
import { loadUdf } from './udf-registry.js';
import { markSluiceWorker } from './worker-context.js';

/**
 * An actor: a worker thread that constructs the user's class once, then runs the operator's
 * chain on each block it is sent, with the instance's `call` as the class step's function,
 * one call at a time in arrival order. The next block waits here, already moved, while the
 * current one computes (the pool keeps it supplied), and `close()` runs on the close message.
 */
markSluiceWorker();

interface Instance {
  call(input: unknown): unknown;
  close?(): unknown;
}
type Udf = (...args: unknown[]) => unknown;

const init = workerData as ActorInit;
const port = parentPort!;
const post = (message: ActorMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

setActorContext({ operator: init.operator, actorIndex: init.actorIndex, numCpus: init.numCpus, gpuIds: init.gpuIds });

const instance = await construct();
if (instance !== null) {
  const call: Udf = (input) => instance.call(input);
  const resolve = async (ref: FnRef): Promise<Udf> => {
    if (ref.kind === 'module' && ref.moduleUrl === init.moduleUrl && ref.exportName === init.exportName) return call;
    if (ref.kind === 'local') throw new Error('internal: a local function reached an actor');
    return (await loadUdf(ref.moduleUrl, ref.exportName)) as Udf;
  };
  let previous: Promise<void> = Promise.resolve();
  port.on('message', (request: ActorRequest) => {
    // Chained so that calls run one at a time, in order, while later requests keep arriving.
    previous = previous.then(() => handle(request, resolve));
  });
  post({ type: 'ready' });
}

async function construct(): Promise<Instance | null> {
  try {
    const Class = (await loadUdf(init.moduleUrl, init.exportName)) as new (...args: unknown[]) => Instance;
    const made = new Class(...init.constructorArgs);
    if (typeof made?.call !== 'function') throw new TypeError(`${init.exportName} has no call() method; an actor class needs call(batch)`);
    return made;
  } catch (error) {
    post({ type: 'start-failed', error: serializeError(error) });
    return null;
  }
}

async function handle(request: ActorRequest, resolve: (ref: FnRef) => Promise<Udf>): Promise<void> {
  if (request.type === 'close') {
    let error = null;
    try {
      await instance!.close?.();
    } catch (thrown) {
      error = serializeError(thrown);
    }
    post({ type: 'closed', error });
    return;
  }
  // One call at a time: an actor's state is the user's, and Ray runs an actor's calls one by one too.
  const reply = await runChainReply(request.ipc, init.transforms, { taskIndex: request.taskIndex, concurrency: 1, resolve });
  post({ type: 'result', id: request.id, reply }, reply.ok ? [reply.ipc] : []);
}
