import type { Readable } from 'node:stream';
import type { AudioArgs } from '../audio/audio-args.js';
import { AudioSegmenter, type AudioSegment } from '../audio/audio-segmenter.js';
import { passthroughTimingArgs, resolveBinaries } from '../ffmpeg/binaries.js';
import { startTool, type ToolProcess } from '../ffmpeg/tool-process.js';
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
    onStderrLine: (line) => pairing.line(line) || (segmenter?.line(line) ?? false),
  });
  try {
    const pipes = audio ? [tool.stdout, tool.pipes[0]] : [tool.stdout];
    for await (const { index, chunk } of mergePipes(tool, pipes)) {
      if (index === 0) for (const frame of pairing.push(chunk)) yield { kind: 'frame', frame };
      else for (const segment of segmenter!.push(chunk)) yield { kind: 'audio', segment };
    }
    await tool.exited;
    options.signal.throwIfAborted();
    const failure = tool.failure();
    if (failure !== null && NO_VIDEO.test(tool.stderrTail())) throw new Error(`the file has no video stream (${failure})`);
    if (failure !== null) throw new Error(failure);
    for (const frame of pairing.finish()) yield { kind: 'frame', frame };
    for (const segment of segmenter?.finish() ?? []) yield { kind: 'audio', segment };
  } finally {
    await tool.kill();
  }
}

/** Chunks of several pipes of one process, as they come (each pipe read through the process's watchdog). */
async function* mergePipes(tool: ToolProcess, pipes: readonly Readable[]): AsyncGenerator<{ index: number; chunk: Uint8Array }> {
  const iterators = pipes.map((pipe) => tool.read(pipe)[Symbol.asyncIterator]());
  const pending = new Map<number, Promise<{ index: number; result: IteratorResult<Uint8Array> }>>();
  const pull = (index: number) =>
    pending.set(
      index,
      iterators[index].next().then((result) => ({ index, result })),
    );
  iterators.forEach((_, index) => pull(index));
  try {
    while (pending.size > 0) {
      const { index, result } = await Promise.race(pending.values());
      if (result.done) {
        pending.delete(index);
        continue;
      }
      yield { index, chunk: result.value };
      pull(index);
    }
  } finally {
    for (const iterator of iterators) await iterator.return?.();
  }
}
