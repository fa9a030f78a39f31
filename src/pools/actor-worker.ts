import { parentPort, workerData } from 'node:worker_threads';
import type { FnRef } from '../tasks/transform.js';
import { setActorContext } from './actor-context.js';
import type { Block } from '../blocks/block.js';
import { packBlocks, unpackBlocks, type PackedBlocks } from '../blocks/packed-blocks.js';
import type { ActorCallHead, ActorInit, ActorMessage, ActorReply, ActorRequest } from './actor-protocol.js';
import { failedAnswer, runChainAnswer, type ChainAnswer } from './chain-reply.js';
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
 * Answers messages as they arrive, several at once: while one message's calls run, the next
 * message's blocks are decoded and wait at the instance, and the previous one's results are
 * encoded and sent, so the instance goes from call to call with little in between. The calls
 * themselves run one at a time, in arrival order (an actor's state is the user's; Ray runs an
 * actor's calls one by one too). A message's results go back together, once its last call is
 * done. close() runs once the messages before it are answered.
 */
function serve(instance: Instance): void {
  let lastCall: Promise<unknown> = Promise.resolve();
  const pending = new Set<Promise<void>>();
  port.on('message', (request: ActorRequest) => {
    if (request.type === 'close') {
      void Promise.all(pending).then(() => close(instance));
      return;
    }
    const blocks = unpack(request);
    const answers = request.calls.map((head, i) => runCall(head, blocks[i]));
    const answered = Promise.all(answers).then((all) => postResults(request.calls, all));
    pending.add(answered);
    void answered.finally(() => pending.delete(answered));
  });
  post({ type: 'ready' });

  /** One call's chain, its class step calling the instance in turn behind the calls before it. */
  function runCall(head: ActorCallHead, block: Block | Error): Promise<ChainAnswer> {
    let waitedMs = 0;
    // Each call's own view of `call`, queued behind the calls before it; the wait is not UDF time.
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
    const input = () => {
      if (block instanceof Error) throw block;
      return block;
    };
    return runChainAnswer(input, init.transforms, { taskIndex: head.taskIndex, concurrency: 1, resolve }).then((answer) =>
      answer.ok ? { ...answer, udfMs: Math.max(0, answer.udfMs - waitedMs) } : answer,
    );
  }
}

/** The message's blocks, or for each call the error of decoding them. */
function unpack(request: Extract<ActorRequest, { type: 'calls' }>): (Block | Error)[] {
  try {
    return unpackBlocks(
      request.streams,
      request.calls.map((c) => c.part),
    );
  } catch (error) {
    return request.calls.map(() => (error instanceof Error ? error : new Error(String(error))));
  }
}

/** A message's answers in one 'results' message, the result blocks packed into as few streams as they allow. */
function postResults(heads: readonly ActorCallHead[], answers: readonly ChainAnswer[]): void {
  let packed = tryPack(answers);
  if (packed instanceof Error) {
    // A result Arrow cannot encode fails its call, as on the task pool; the others go as they are.
    answers = answers.map((a, i) =>
      a.ok && tryPack([a]) instanceof Error ? failedAnswer(packed, init.transforms, heads[i].taskIndex) : a,
    );
    packed = packBlocks(answers.flatMap((a) => (a.ok ? [a.block] : [])));
  }
  const { streams, parts } = packed;
  let at = 0;
  const replies: ActorReply[] = answers.map((answer, i) => {
    const id = heads[i].id;
    if (!answer.ok) return { id, ...answer };
    const { skipped, udfMs, blockedAtJob } = answer;
    return { id, ok: true, part: parts[at++], skipped, udfMs, blockedAtJob };
  });
  post({ type: 'results', replies, streams }, streams);
}

function tryPack(answers: readonly ChainAnswer[]): PackedBlocks | Error {
  try {
    return packBlocks(answers.flatMap((a) => (a.ok ? [a.block] : [])));
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
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
