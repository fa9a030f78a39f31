import { parentPort, workerData } from 'node:worker_threads';
import type { FnRef } from '../tasks/transform.js';
import { setActorContext } from './actor-context.js';
import type { ActorInit, ActorMessage, ActorRequest } from './actor-protocol.js';
import { runChainReply } from './chain-reply.js';
import { serializeError } from './task-protocol.js';
import { loadModuleFn, loadUdf } from '../tasks/udf-registry.js';
import { markSluiceWorker } from '../tasks/job-in-worker.js';

/**
 * An actor: a worker thread that constructs the user's class once, then runs the operator's
 * chain on each block it is sent, with the instance's `call` as the class step's function.
 * The pool keeps the next block here while the current one computes; `close()` runs on the
 * close message.
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
if (instance !== null) serve(instance);

/**
 * Answers requests as they arrive, several at once: while one batch's call runs, the next
 * batch is decoded and waits at the call, and the previous one's result is encoded and sent,
 * so the instance goes from call to call with little in between. The calls themselves run
 * one at a time, in arrival order (an actor's state is the user's; Ray runs an actor's calls
 * one by one too). close() runs once the requests before it are answered.
 */
function serve(instance: Instance): void {
  let lastCall: Promise<unknown> = Promise.resolve();
  const pending = new Set<Promise<void>>();
  port.on('message', (request: ActorRequest) => {
    if (request.type === 'close') {
      void Promise.all(pending).then(() => close(instance));
      return;
    }
    let waitedMs = 0;
    // Each request's own view of `call`, queued behind the calls before it; the wait is not UDF time.
    const call: Udf = (input) => {
      const queued = performance.now();
      const run = lastCall.then(() => {
        waitedMs += performance.now() - queued;
        return instance.call(input);
      });
      lastCall = run.catch(() => {});
      return run;
    };
    const resolve = async (ref: FnRef): Promise<Udf> => {
      if (ref.kind === 'local') throw new Error('internal: a local function reached an actor');
      if (ref.moduleUrl === init.moduleUrl && ref.exportName === init.exportName && ref.args === undefined) return call;
      return (await loadModuleFn(ref)) as Udf;
    };
    const answered = runChainReply(request.ipc, init.transforms, { taskIndex: request.taskIndex, concurrency: 1, resolve }).then(
      (reply) => {
        if (!reply.ok) return post({ type: 'result', id: request.id, reply });
        post({ type: 'result', id: request.id, reply: { ...reply, udfMs: Math.max(0, reply.udfMs - waitedMs) } }, [reply.ipc]);
      },
    );
    pending.add(answered);
    void answered.finally(() => pending.delete(answered));
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

async function close(instance: Instance): Promise<void> {
  let error = null;
  try {
    await instance.close?.();
  } catch (thrown) {
    error = serializeError(thrown);
  }
  post({ type: 'closed', error });
}
