import type { InputLocation } from '../errors.js';
import { redactSecrets } from './redact.js';
import type { DatasetStats, OperatorStats } from './stats.js';

/** Fields every event has. */
interface EventBase {
  /** When it happened, epoch milliseconds. */
  readonly time: number;
  /** Which run it belongs to: numbered from 1 in this process, so one listener can follow concurrent jobs. */
  readonly jobId: number;
}

/** How a job ended: ran to its end, failed with an error, or was stopped early by its consumer (a `break`, an error in the loop). */
export type JobOutcome = 'ok' | 'failed' | 'cancelled';

export interface JobStartEvent extends EventBase {
  readonly type: 'job-start';
  /** The physical operators, sources first, by the names used in stats and progress. */
  readonly operators: readonly string[];
}

export interface JobEndEvent extends EventBase {
  readonly type: 'job-end';
  readonly outcome: JobOutcome;
  /** The error the job failed with (only when `outcome` is 'failed'). */
  readonly error?: unknown;
  readonly stats: DatasetStats;
}

export interface OperatorStartEvent extends EventBase {
  readonly type: 'operator-start';
  readonly operator: string;
}

export interface OperatorEndEvent extends EventBase {
  readonly type: 'operator-end';
  readonly operator: string;
  /** A copy of the operator's final statistics. */
  readonly stats: OperatorStats;
}

/** A task failed and runs again (after a backoff). */
export interface TaskRetryEvent extends EventBase {
  readonly type: 'task-retry';
  readonly operator: string;
  readonly taskIndex: number;
  /** The attempt about to run: 2 for the first retry. */
  readonly attempt: number;
  /** Why the previous attempt failed. */
  readonly message: string;
}

/** A worker thread died while running a task of this operator; the pool starts a new one in its place. */
export interface WorkerReplacedEvent extends EventBase {
  readonly type: 'worker-replaced';
  readonly operator: string;
  readonly taskIndex: number;
  readonly message: string;
}

/** An actor of an actor pool is ready: its class was constructed (at the pool's start, when it grew, or as a replacement). */
export interface ActorStartEvent extends EventBase {
  readonly type: 'actor-start';
  readonly operator: string;
  /** Its index in the pool; a restarted or replaced actor keeps the index it replaces. */
  readonly actorIndex: number;
  readonly gpuIds: readonly number[];
}

/** An actor died (a crash, process.exit); a new one starts in its place and its batches in flight run again. */
export interface ActorRestartEvent extends EventBase {
  readonly type: 'actor-restart';
  readonly operator: string;
  readonly actorIndex: number;
  /** Restarts of this actor so far, this one included (at most `maxRestarts`). */
  readonly restarts: number;
  readonly message: string;
}

/** Why an actor stopped: the job ended, it sat idle above the pool's minimum, or it ran `maxTasksPerWorker` batches. */
export type ActorStopReason = 'end' | 'idle' | 'maxTasksPerWorker' | 'timeout';

export interface ActorStopEvent extends EventBase {
  readonly type: 'actor-stop';
  readonly operator: string;
  readonly actorIndex: number;
  readonly reason: ActorStopReason;
  /** Batches (calls) it was given. */
  readonly tasks: number;
}

/**
 * A task or actor call has run longer than the job's `stuckTaskMs` and 5 times its operator's
 * median: reported once per attempt, while it still runs (see observe/task-watch.ts).
 */
export interface TaskStuckEvent extends EventBase {
  readonly type: 'task-stuck';
  readonly operator: string;
  readonly taskIndex: number;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** Its input: the file and pages or rows, as far as the task's rows tell. */
  readonly input: InputLocation;
  /** Where it runs: 'worker thread 7', 'actor 2 (thread 9)', 'main thread', 'cluster worker'. */
  readonly thread: string;
  /** How long it has run so far, and the threshold it passed. */
  readonly runningMs: number;
  readonly thresholdMs: number;
}

interface SkipFields {
  /** The physical operator (as in stats and progress). */
  readonly operator: string;
  /** The step that failed: in a fused operator, the one transform (or reader) whose input was dropped. */
  readonly step: string;
  readonly input: InputLocation;
  /** Rows dropped: 1 for a row, the batch size for a batch. */
  readonly rows: number;
  readonly message: string;
}

/** Rows (or a batch) dropped under `onError: 'skip'`, as recorded in the error log. */
export interface RowSkippedEvent extends EventBase, SkipFields {
  readonly type: 'row-skipped';
}

/** A file a reader could not read, dropped under `onError: 'skip'`. */
export interface FileSkippedEvent extends EventBase, SkipFields {
  readonly type: 'file-skipped';
  readonly path: string;
}

/** Everything a job reports to `onEvent`, told apart by `type`. */
export type SluiceEvent =
  | JobStartEvent
  | JobEndEvent
  | OperatorStartEvent
  | OperatorEndEvent
  | TaskRetryEvent
  | WorkerReplacedEvent
  | ActorStartEvent
  | ActorRestartEvent
  | ActorStopEvent
  | TaskStuckEvent
  | RowSkippedEvent
  | FileSkippedEvent;

export type SluiceEventType = SluiceEvent['type'];
export type SluiceEventListener = (event: SluiceEvent) => void;

/** An event as the engine raises it; the job adds `time` and `jobId`. */
type EventInit = SluiceEvent extends infer E ? (E extends SluiceEvent ? Omit<E, 'time' | 'jobId'> : never) : never;

/** Listeners that threw once: told about on stderr the first time only, so a broken listener cannot flood the log. */
const reportedListeners = new WeakSet<SluiceEventListener>();

/**
 * Delivers one job's events to the `onEvent` listener. A listener that throws does not
 * affect the job: the first such error of each listener is written to stderr, later ones
 * are dropped, and delivery goes on.
 */
export class JobEvents {
  private readonly listeners: SluiceEventListener[];

  constructor(
    readonly jobId: number,
    listener: SluiceEventListener | null,
  ) {
    this.listeners = listener === null ? [] : [listener];
  }

  /** Adds a listener of the job's own (its monitor), told before the user's `onEvent`. */
  listen(listener: SluiceEventListener): void {
    this.listeners.unshift(listener);
  }

  emit(init: EventInit): void {
    if (this.listeners.length === 0) return;
    // Messages quote errors, which may quote a secret (a UDF that printed its config).
    const message = 'message' in init ? { message: redactSecrets(init.message) } : {};
    const event = { ...init, ...message, time: Date.now(), jobId: this.jobId } as SluiceEvent;
    for (const listener of this.listeners) deliver(listener, event);
  }
}

function deliver(listener: SluiceEventListener, event: SluiceEvent): void {
  try {
    listener(event);
  } catch (error) {
    if (reportedListeners.has(listener)) return;
    reportedListeners.add(listener);
    process.stderr.write(
      `sluice: the onEvent listener threw on a '${event.type}' event (the job goes on; later errors of this listener are not shown): ${String(error)}\n`,
    );
  }
}

/**
 * The events of one run as an async iterable. Pass `handler` as the run's `onEvent`, then
 * iterate; iteration ends after the run's `job-end` event (which is yielded), or at `close()`.
 * Events wait in memory until read. One stream follows one run: the first `job-end` it sees
 * ends it.
 *
 * ```ts
 * const events = new EventStream();
 * const counting = ds.count({ onEvent: events.handler });
 * for await (const event of events) console.log(event.type);
 * const rows = await counting;
 * ```
 */
export class EventStream implements AsyncIterable<SluiceEvent> {
  private readonly buffered: SluiceEvent[] = [];
  private waiter: ((result: IteratorResult<SluiceEvent>) => void) | null = null;
  private ended = false;

  /** The listener to pass as `onEvent`. */
  readonly handler: SluiceEventListener = (event) => {
    if (this.ended) return;
    if (event.type === 'job-end') this.ended = true;
    if (this.waiter) {
      const wake = this.waiter;
      this.waiter = null;
      wake({ value: event, done: false });
    } else {
      this.buffered.push(event);
    }
  };

  /** Ends iteration after the events already received (for a run that failed before it started, or to stop listening). */
  close(): void {
    this.ended = true;
    this.waiter?.({ value: undefined, done: true });
    this.waiter = null;
  }

  [Symbol.asyncIterator](): AsyncIterator<SluiceEvent> {
    return {
      next: () => {
        const event = this.buffered.shift();
        if (event !== undefined) return Promise.resolve({ value: event, done: false });
        if (this.ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => (this.waiter = resolve));
      },
      return: () => {
        this.close();
        this.buffered.length = 0;
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
