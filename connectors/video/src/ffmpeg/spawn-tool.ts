import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { ToolTimeoutError } from './errors.js';
import { IdleWatchdog } from './idle-watchdog.js';
import { PipeFlow } from './pipe-flow.js';
import type { SocketOutput } from './socket-outputs.js';
import { PipeReader, type PipeOwner } from './pipe-reader.js';
import { StderrLines } from './stderr-lines.js';

export type ToolName = 'ffmpeg' | 'ffprobe';

export interface ToolProcessOptions {
  /** Aborting it kills the process at once (SIGKILL); its readers throw the signal's reason. */
  readonly signal?: AbortSignal;
  /**
   * Milliseconds the process may produce nothing while every reader of it waits: past it the
   * process is killed and its readers throw a ToolTimeoutError. Default: no limit.
   */
  readonly idleTimeoutMs?: number;
  /** Output pipes besides stdout, on fd 3, 4, … (for ffmpeg, `pipe:3`, `pipe:4`, …). Default 0. */
  readonly extraPipes?: number;
  /**
   * stdout and the extra outputs as local sockets read into one reused buffer (see
   * SocketOutput), for output at a high rate (raw frames); read them with flow(). Default: pipes.
   */
  readonly socketOutputs?: { readonly childEnds: readonly Socket[]; readonly outputs: readonly SocketOutput[] };
  /** Called per stderr line; returning true takes the line, which is then not kept in the tail. */
  readonly onStderrLine?: (line: string) => boolean;
}

export interface ToolExit {
  readonly code: number | null;
  readonly signal: string | null;
}

// Every tool process not yet reaped, so that none outlives this process.
const live = new Set<ChildProcess>();
let exitHooked = false;

/** Tool processes started by this thread (each worker has its own) and not yet reaped. */
export function liveToolProcesses(): number {
  return live.size;
}

function track(child: ChildProcess): void {
  if (!exitHooked) {
    exitHooked = true;
    // Synchronous work only, at exit: a SIGKILL to each child left (a decode given up on mid-job).
    process.once('exit', () => {
      for (const left of live) left.kill('SIGKILL');
    });
  }
  live.add(child);
}

const ignore = () => undefined;

/**
 * One ffmpeg or ffprobe child process, owned from spawn to reaping: spawned from an argument
 * array (never a shell), killed at once on abort or when idle past its limit, every 'error' of
 * it and its pipes handled (a spawn failure is reported by failure(), never thrown at Node).
 */
export class ToolProcess {
  readonly stdout: Readable;
  /** The extra output pipes, fd 3 onwards. */
  readonly pipes: readonly Readable[];
  /** Settles once the process is reaped and its pipes closed; never rejects. */
  readonly exited: Promise<ToolExit>;

  private readonly child: ChildProcess;
  private readonly stderr: StderrLines;
  private readonly watchdog: IdleWatchdog;
  private readonly stopListeners = new Set<(reason: unknown) => void>();
  private stopReason: unknown = undefined;
  private spawnError: Error | undefined;
  private exit: ToolExit | undefined;
  private readonly socketOutputs: ReadonlyMap<Readable, SocketOutput>;

  constructor(
    readonly tool: ToolName,
    readonly executable: string,
    args: readonly string[],
    options: ToolProcessOptions = {},
  ) {
    const extra = options.extraPipes ?? 0;
    this.stderr = new StderrLines(options.onStderrLine);
    this.watchdog = new IdleWatchdog(options.idleTimeoutMs, () => this.stop(new ToolTimeoutError(tool, options.idleTimeoutMs!)));

    const sockets = options.socketOutputs;
    const outputs: (Socket | 'pipe')[] = sockets ? [...sockets.childEnds] : ['pipe', ...new Array<'pipe'>(extra).fill('pipe')];
    const child = spawn(executable, [...args], {
      stdio: ['ignore', outputs[0], 'pipe', ...outputs.slice(1)],
      windowsHide: true,
    });
    this.child = child;
    // The child holds its own copies of the sockets' ends now.
    for (const end of sockets?.childEnds ?? []) end.destroy();
    this.socketOutputs = new Map((sockets?.outputs ?? []).map((output) => [output.socket as Readable, output]));
    this.stdout = sockets ? sockets.outputs[0].socket : child.stdout!;
    this.pipes = sockets ? sockets.outputs.slice(1).map((o) => o.socket) : (child.stdio.slice(3) as Readable[]);
    if (child.pid !== undefined) track(child);

    const { signal } = options;
    const onAbort = () => this.stop(signal!.reason);
    this.exited = new Promise<ToolExit>((resolve) => {
      child.once('close', (code: number | null, killedBy: NodeJS.Signals | null) => {
        live.delete(child);
        this.watchdog.stop();
        signal?.removeEventListener('abort', onAbort);
        try {
          this.stderr.end();
        } catch (error) {
          // onStderrLine threw on the last line: the output was not understood to its end.
          this.stopReason ??= error;
        }
        // A process that never started closes with a negative errno as its code: there was no exit code.
        this.exit = this.spawnError === undefined ? { code, signal: killedBy } : { code: null, signal: null };
        resolve(this.exit);
      });
    });
    child.once('exit', () => live.delete(child));
    child.on('error', (error) => {
      if (child.pid === undefined) this.spawnError ??= error;
    });
    for (const stream of [this.stdout, ...this.pipes, child.stderr!]) stream.on('error', ignore);
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      // Anything on stderr (ffmpeg's per-frame showinfo lines while it samples sparsely) is output: not a hang.
      this.watchdog.touch();
      try {
        this.stderr.push(chunk);
      } catch (error) {
        // onStderrLine threw: the output cannot be understood any more.
        this.stop(error);
      }
    });

    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  }

  /**
   * The chunks of one of this process's pipes (stdout or one of `pipes`). The idle clock runs
   * only while every reader of this process waits for a chunk; a reader whose consumer holds a
   * chunk stops it, and any chunk restarts it. Throws the abort reason, a ToolTimeoutError, or
   * the spawn error when the process was stopped or never started; a process that exits early
   * just ends its pipes (see failure()). Leaving the loop early drops the pipe.
   */
  read(stream: Readable): AsyncIterableIterator<Buffer, undefined> {
    return new PipeReader(stream, this.pipeOwner());
  }

  /**
   * Feeds one of this process's pipes to `onChunk` as it comes, in flowing mode (see PipeFlow):
   * for high-rate output (raw frames), where a promise per chunk would cost more than the chunk.
   * On a socket output, `readInto` may offer memory for the next read (see SocketOutput.readInto).
   */
  flow(stream: Readable, onChunk: (chunk: Uint8Array) => void, readInto?: () => Uint8Array | null): PipeFlow {
    const socket = this.socketOutputs.get(stream);
    if (socket && readInto) socket.readInto(readInto);
    const subscribe = socket
      ? (handler: (chunk: Uint8Array) => void) => socket.subscribe(handler)
      : (handler: (chunk: Uint8Array) => void) => stream.on('data', handler);
    return new PipeFlow(stream, this.pipeOwner(), subscribe, onChunk);
  }

  private pipeOwner(): PipeOwner {
    return {
      watchdog: this.watchdog,
      onStop: (listener) => this.onStop(listener),
      endError: () => {
        if (this.stopReason !== undefined) return { error: this.stopReason };
        if (this.spawnError !== undefined)
          return { error: new Error(this.failure() ?? this.spawnError.message, { cause: this.spawnError }) };
        return null;
      },
    };
  }

  /**
   * Kills the process (SIGKILL) if it still runs, drops its unread output, and resolves once it
   * is reaped. Idempotent. For giving up; after reading a pipe to its end, await `exited` instead.
   */
  async kill(): Promise<void> {
    this.stop(new Error(`kill() was called before ${this.tool} finished`));
    // Output left unread would hold 'close' back: whoever kills has given up on it.
    this.destroyOutputs();
    await this.exited;
  }

  /** The process id; undefined when it could not be started. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The last stderr lines (about 30, at most 4 KiB) that onStderrLine did not take. */
  stderrTail(): string {
    return this.stderr.tail();
  }

  /**
   * Why the process failed, in a line and the stderr tail: "ffmpeg exited with code 1: …", the
   * spawn error, or why it was stopped. Null while it runs and when it exited with code 0.
   */
  failure(): string | null {
    if (this.spawnError !== undefined) {
      return `${this.tool} could not be started (${this.executable}): ${this.spawnError.message}`;
    }
    if (this.exit === undefined) return null;
    const tail = this.stderrTail();
    const withTail = (line: string) => (tail === '' ? line : `${line}: ${tail}`);
    if (this.stopReason !== undefined) {
      if (this.stopReason instanceof ToolTimeoutError) return withTail(this.stopReason.message);
      return withTail(`${this.tool} was stopped (${describe(this.stopReason)})`);
    }
    if (this.exit.code === 0) return null;
    if (this.exit.code !== null) return withTail(`${this.tool} exited with code ${this.exit.code}`);
    return withTail(`${this.tool} was killed by ${this.exit.signal ?? 'a signal'}`);
  }

  /**
   * Calls `listener` with the reason once the process is stopped (at once if it is already);
   * the returned function unsubscribes. A listener per pending read, dropped when the read
   * settles: racing each read against one long-lived promise would keep every chunk read alive.
   */
  private onStop(listener: (reason: unknown) => void): () => void {
    if (this.stopReason !== undefined) {
      listener(this.stopReason);
      return ignore;
    }
    this.stopListeners.add(listener);
    return () => this.stopListeners.delete(listener);
  }

  /** Stops the process for `reason` (abort, idle timeout, a stderr callback that threw): kill, then readers throw it. */
  private stop(reason: unknown): void {
    // A process that has exited already ran to its end: what it wrote is still there to read.
    if (this.stopReason !== undefined || this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.stopReason = reason;
    this.watchdog.stop();
    this.child.kill('SIGKILL');
    for (const listener of [...this.stopListeners]) listener(reason);
    this.destroyOutputs();
  }

  private destroyOutputs(): void {
    for (const stream of [this.stdout, ...this.pipes]) if (!stream.destroyed) stream.destroy();
  }
}

/** Starts `executable` as `tool` with `args` as they are (startTool adds ffmpeg's flags and finds the binary). */
export function spawnTool(tool: ToolName, executable: string, args: readonly string[], options: ToolProcessOptions = {}): ToolProcess {
  return new ToolProcess(tool, executable, args, options);
}

function describe(reason: unknown): string {
  if (reason instanceof Error) return reason.message;
  return String(reason);
}
