import type { AudioArgs } from '../audio/audio-args.js';
import { AudioSegmenter, type AudioSegment } from '../audio/audio-segmenter.js';
import { passthroughTimingArgs, resolveBinaries } from '../ffmpeg/binaries.js';
import { startTool } from '../ffmpeg/tool-process.js';
import type { FrameArgs } from './frame-args.js';
import { frameCommand } from './frame-command.js';
import { FramePairing, type DecodedFrame } from './frame-pairing.js';
import type { VideoPart } from './video-part.js';

/** What ffmpeg says when the file has no video stream to map (an audio file). */
const NO_VIDEO = /Stream map '0:v:0' matches no streams/;

export type Decoded = { readonly kind: 'frame'; readonly frame: DecodedFrame } | { readonly kind: 'audio'; readonly segment: AudioSegment };

export interface DecodeOptions {
  readonly signal: AbortSignal;
  /** Longest ffmpeg may go without output while it is being read (see ToolProcess.read). */
  readonly timeoutMs: number | undefined;
}

/**
 * One ffmpeg process decoding one part of a video: frames as ffmpeg writes them to pipe:1,
 * paired with their timestamps, and (with `audio`) audio segments from pipe:3 of the same
 * decode. Frames are yielded as they come; the process is killed when the job stops, when the
 * consumer returns early, or when it goes `timeoutMs` without output; a failed decode throws
 * with the tail of ffmpeg's stderr.
 */
export async function* decodeVideo(
  path: string,
  part: VideoPart,
  args: FrameArgs,
  audio: AudioArgs | null,
  options: DecodeOptions,
): AsyncGenerator<Decoded> {
  const { version } = await resolveBinaries();
  const pairing = new FramePairing(args.format, part.firstIndex, args.sampling.kind !== 'all' && args.sampling.kind !== 'keyframes');
  const segmenter = audio ? new AudioSegmenter(audio) : null;
  const tool = await startTool('ffmpeg', frameCommand(path, part, args, passthroughTimingArgs(version), audio), {
    signal: options.signal,
    idleTimeoutMs: options.timeoutMs,
    extraPipes: audio ? 1 : 0,
    socketOutputs: true,
    onStderrLine: (line) => pairing.line(line) || (segmenter?.line(line) ?? false),
  });
  const out = new DecodedQueue();
  // A chunk that cannot be cut (a malformed image) ends the decode with the error: nothing may throw from a pipe's event.
  const cut = (cutChunk: (chunk: Uint8Array) => Decoded[]) => (chunk: Uint8Array) => {
    try {
      out.add(cutChunk(chunk));
    } catch (error) {
      out.end(error instanceof Error ? error : new Error(String(error)));
      void tool.kill();
    }
  };
  // Raw frames are read straight into their own memory once their size is known.
  const flows = [
    tool.flow(
      tool.stdout,
      cut((chunk) => pairing.push(chunk).map((frame) => ({ kind: 'frame', frame }))),
      () => pairing.readTarget(),
    ),
  ];
  if (segmenter)
    flows.push(
      tool.flow(
        tool.pipes[0],
        cut((chunk) => segmenter.push(chunk).map((segment) => ({ kind: 'audio', segment }))),
      ),
    );
  // The pipes stop while the consumer holds enough, and flow again once it has taken it.
  out.onFull = (full) => flows.forEach((flow) => (full ? flow.pause() : flow.resume()));
  const ended = Promise.all(flows.map((flow) => flow.ended));
  ended.then(
    () => out.end(null),
    (error: unknown) => out.end(error instanceof Error ? error : new Error(String(error))),
  );
  try {
    yield* out.drain();
    await tool.exited;
    options.signal.throwIfAborted();
    const failure = tool.failure();
    if (failure !== null && NO_VIDEO.test(tool.stderrTail())) throw new Error(`the file has no video stream (${failure})`);
    if (failure !== null) throw new Error(failure);
    for (const frame of pairing.finish()) yield { kind: 'frame', frame };
    for (const segment of segmenter?.finish() ?? []) yield { kind: 'audio', segment };
  } finally {
    for (const flow of flows) flow.drop();
    await tool.kill();
  }
}

/** Bytes the decode may hold for its consumer before its pipes are paused (a few raw 1080p frames). */
const HOLD_BYTES = 16 * 1024 * 1024;

/**
 * What the pipes' handlers have cut and the consumer has not taken yet: it tells its producer
 * when it is full (over HOLD_BYTES) and when it is empty again, and wakes the consumer.
 */
class DecodedQueue {
  onFull: (full: boolean) => void = () => undefined;
  private readonly items: Decoded[] = [];
  private bytes = 0;
  private full = false;
  private finished: { error: Error | null } | null = null;
  private wake: (() => void) | null = null;

  add(items: readonly Decoded[]): void {
    for (const item of items) {
      this.items.push(item);
      this.bytes += decodedBytes(item);
    }
    if (!this.full && this.bytes > HOLD_BYTES) this.setFull(true);
    if (items.length) this.notify();
  }

  end(error: Error | null): void {
    // The first end counts: a cutting error, then the pipes' end after the kill.
    if (this.finished !== null && this.finished.error !== null) return;
    this.finished = { error };
    this.notify();
  }

  async *drain(): AsyncGenerator<Decoded> {
    for (;;) {
      const item = this.items.shift();
      if (item !== undefined) {
        this.bytes -= decodedBytes(item);
        // Flowing again only once it is all taken: fewer pause/resume turns of the sockets, which cost V8 collections.
        if (this.full && this.bytes === 0) this.setFull(false);
        yield item;
        continue;
      }
      if (this.finished !== null) {
        if (this.finished.error !== null) throw this.finished.error;
        return;
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private setFull(full: boolean): void {
    this.full = full;
    this.onFull(full);
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}

/** Bytes a decoded item holds (a frame's image, a segment's samples). */
export function decodedBytes(item: Decoded): number {
  return item.kind === 'frame' ? item.frame.data.length : item.segment.samples.byteLength;
}
