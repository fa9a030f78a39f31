import type { Table } from 'apache-arrow';
import type { ReadTask, StreamingFormatModule } from 'sluice';
import { batchItems } from '../block-batches.js';
import { startTool } from '../ffmpeg/tool-process.js';
import { audioOutput } from '../frames/frame-command.js';
import { audioBlock } from '../frames/video-blocks.js';
import type { AudioArgs } from './audio-args.js';
import { AudioSegmenter, type AudioSegment } from './audio-segmenter.js';

/** What ffmpeg says when the file has no audio stream to map. */
const NO_AUDIO = /matches no streams/;
const BLOCK_BYTES = 8 * 1024 * 1024;

/**
 * readAudio's format: one ffmpeg process per file decodes its first audio stream to float
 * samples at the asked rate and channels, cut into segments as they come. A file without audio
 * gives no rows; under `onError: 'skip'` the error log says so.
 */
export const audioFormat: StreamingFormatModule<AudioArgs> = {
  async *stream(task: ReadTask, args: AudioArgs): AsyncGenerator<Table> {
    const path = task.fragment.path;
    let noAudio = false;
    const segments = decodeAudio(path, args, task, () => (noAudio = true));
    const batches = batchItems(segments, {
      maxBytes: BLOCK_BYTES,
      maxItems: 64,
      maxWaitMs: 100,
      bytesOf: (s: AudioSegment) => s.samples.byteLength,
      keyOf: () => 'audio',
    });
    for await (const { items } of batches) yield audioBlock(path, items, args, false);
    if (noAudio && task.read.onError === 'skip') task.badRecord({}, 'the file has no audio stream');
  },
};

async function* decodeAudio(path: string, args: AudioArgs, task: ReadTask, onNoAudio: () => void): AsyncGenerator<AudioSegment> {
  const segmenter = new AudioSegmenter(args);
  const tool = await startTool('ffmpeg', ['-nostats', '-threads', '1', '-copyts', '-i', path, ...audioOutput(args, 'pipe:1')], {
    signal: task.signal,
    idleTimeoutMs: task.read.timeoutMs,
    onStderrLine: (line) => segmenter.line(line),
  });
  try {
    for await (const chunk of tool.read(tool.stdout)) yield* segmenter.push(chunk);
    await tool.exited;
    task.signal.throwIfAborted();
    const failure = tool.failure();
    if (failure !== null) {
      if (NO_AUDIO.test(tool.stderrTail())) return onNoAudio();
      throw new Error(failure);
    }
    yield* segmenter.finish();
  } finally {
    await tool.kill();
  }
}
