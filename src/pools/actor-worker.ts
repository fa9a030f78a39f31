import { parentPort, workerData } from 'node:worker_threads';
import type { FnRef } from '../tasks/transform.js';
import { setActorContext } from './actor-context.js';
import type { Block } from '../blocks/block.js';
import { movedStreams, unpackBlocks } from '../blocks/packed-blocks.js';
import { packReplies, type PackedReplies } from '../blocks/reply-blocks.js';
import type { ActorCallHead, ActorInit, ActorMessage, ActorReply, ActorRequest } from './actor-protocol.js';
import { failedAnswer, runChainAnswer, type ChainAnswer } from './chain-reply.js';
import { serializeError } from './task-protocol.js';
import { isBlockedAtJob, loadModuleFn, loadUdf } from '../tasks/udf-registry.js';
import { markSluiceWorker } from '../tasks/job-in-worker.js';
import { writeStart } from './start-mark.js';

/**
 * An actor's thread: it constructs the user's class, then runs the operator's chain on each
 * block it is sent, with the instance's `call` as the class step's function. The pool keeps the
 * next block here while the current one computes; `close()` runs on the close message. After
 * that the thread may be kept for another actor ('start', see actor-threads.ts), which it
 * hosts the same way.
 */
markSluiceWorker();

interface Instance {
  call(input: unknown): unknown;
  close?(): unknown;
}
type Udf = (...args: unknown[]) => unknown;

const port = parentPort!;
const post = (message: ActorMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

/** The hosted actor's handler of calls and close; null while it constructs (requests wait) or after it closed. */
let receive: ((request: Exclude<ActorRequest, { type: 'start' }>) => void) | null = null;
let waitingForStart: Exclude<ActorRequest, { type: 'start' }>[] = [];

port.on('message', (request: ActorRequest) => {
  if (request.type === 'start') void start(request.init);
  else if (receive !== null) receive(request);
  else waitingForStart.push(request);
});
void start(workerData as ActorInit);

async function start(init: ActorInit): Promise<void> {
  setActorContext({ operator: init.operator, actorIndex: init.actorIndex, numCpus: init.numCpus, gpuIds: init.gpuIds });
  const instance = await construct(init);
  if (instance === null) return;
  receive = serve(init, instance);
  post({ type: 'ready' });
  const early = waitingForStart;
  waitingForStart = [];
  for (const request of early) receive(request);
}

/**
 * Answers messages as they arrive, several at once: while one message's calls run, the next
 * message's blocks are decoded and wait at the instance, and the previous one's results are
 * encoded and sent, so the instance goes from call to call with little in between. The calls
 * themselves run one at a time, in arrival order (an actor's state is the user's; Ray runs an
 * actor's calls one by one too). A message's results go back together, once its last call is
 * done. close() runs once the messages before it are answered.
 */
function serve(init: ActorInit, instance: Instance): (request: Exclude<ActorRequest, { type: 'start' }>) => void {
  let lastCall: Promise<unknown> = Promise.resolve();
  const pending = new Set<Promise<void>>();
  return (request) => {
    if (request.type === 'close') {
      receive = null;
      void Promise.all(pending).then(() => close(instance));
      return;
    }
    const blocks = unpack(request);
    const answers = request.calls.map((head, i) => runCall(head, blocks[i]));
    const answered = Promise.all(answers).then((all) => postResults(init, request, all, blocks));
    pending.add(answered);
    void answered.finally(() => pending.delete(answered));
  };

  /** One call's chain, its class step calling the instance in turn behind the calls before it. */
  function runCall(head: ActorCallHead, block: Block | Error): Promise<ChainAnswer> {
    let waitedMs = 0;
    // Each call's own view of `call`, queued behind the calls before it; the wait is not UDF time.
    const call: Udf = (input) => {
      const queued = performance.now();
      const run = lastCall.then(() => {
        waitedMs += performance.now() - queued;
        writeStart(init.startMark, head.id + 1);
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

/**
 * A message's answers in one 'results' message, the result blocks packed into as few streams as
 * they allow; a result column that is its input's column as it came goes back as a reference
 * (reply-blocks.ts). `inputs` are the calls' blocks as this thread received them; their streams
 * go back with the results, for the main thread to pack the next calls in: the calls are done
 * with them (a UDF that keeps a batch past its call keeps a copy, README, Worker threads).
 */
function postResults(
  init: ActorInit,
  request: Extract<ActorRequest, { type: 'calls' }>,
  answers: readonly ChainAnswer[],
  inputs: readonly (Block | Error)[],
): void {
  const heads = request.calls;
  // An input can be referred to only where it came laid out, batch for batch as the sender holds it.
  const sentOf = (i: number): Block | null => (inputs[i] instanceof Error || 'ipc' in heads[i].part ? null : inputs[i]);
  const pack = (indexes: readonly number[]) =>
    packReplies(
      indexes.map((i) => (answers[i] as Extract<ChainAnswer, { ok: true }>).block),
      indexes.map(sentOf),
      request.sharedReplies,
    );
  const okIndexes = () => answers.flatMap((a, i) => (a.ok ? [i] : []));
  let packed: PackedReplies;
  try {
    packed = pack(okIndexes());
  } catch (error) {
    // A result Arrow cannot encode fails its call, as on the task pool; the others go as they are.
    answers = answers.map((a, i) => (a.ok && !packs(() => pack([i])) ? failedAnswer(error, init.transforms, heads[i].taskIndex) : a));
    packed = pack(okIndexes());
  }
  const { streams, parts, sentColumns } = packed;
  let at = 0;
  const replies: ActorReply[] = answers.map((answer, i) => {
    const id = heads[i].id;
    if (!answer.ok) return { id, ...answer };
    const { skipped, udfMs, blockedAtJob } = answer;
    const reply: ActorReply = { id, ok: true, part: parts[at], sentColumns: sentColumns[at], skipped, udfMs, blockedAtJob };
    at++;
    return reply;
  });
  // No result moves an input stream: the blocks read from one are views of parts of it, never the whole.
  const spent = movedStreams(request.streams);
  post({ type: 'results', replies, streams, spent }, [...movedStreams(streams), ...spent]);
}

function packs(pack: () => unknown): boolean {
  try {
    pack();
    return true;
  } catch {
    return false;
  }
}

async function construct(init: ActorInit): Promise<Instance | null> {
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
  setActorContext(null);
  // A thread whose import of a user module stopped at a job refuses that module's next lookups.
  post({ type: 'closed', error, reusable: !isBlockedAtJob() });
}
