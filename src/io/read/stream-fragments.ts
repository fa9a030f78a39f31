import type { Block } from '../../blocks/block.js';
import type { BlockTask } from '../../tasks/block-task.js';
import { loadFormatModule } from './formats/load-format-module.js';
import type { StreamingFormatModule } from './formats/streaming-format-module.js';
import { FragmentRead, fragmentsOfBlock } from './fragment-read.js';
import type { ModuleFormat, ReadSpec } from './read-spec.js';

/**
 * The read step of a streaming format (see StreamingFormatModule), run on the main thread as
 * the function of a streaming 'blocks' step: streams the fragments its input block describes,
 * one after another, yielding each block as the format gives it, with the `path` column when
 * asked and the projection applied. A fragment that fails fails the job with a FileReadError
 * naming its file, or under `onError: 'skip'` is logged and the task goes on with the next
 * (blocks it gave before it failed stay downstream).
 */
export async function* streamFragments(input: Block, task: BlockTask<ReadSpec>): AsyncGenerator<Block> {
  const { args: read } = task;
  const format = read.format as ModuleFormat;
  const module = (await loadFormatModule(format)) as StreamingFormatModule;
  const signal = task.signal ?? new AbortController().signal;
  for (const fragment of fragmentsOfBlock(input)) {
    signal.throwIfAborted();
    const one = new FragmentRead(fragment, read, task, signal);
    try {
      for await (const block of module.stream(one.task, format.args)) yield one.shape(block);
    } catch (error) {
      // A stop of the job is not the file's failure.
      if (signal.aborted) throw error;
      one.failed(error);
    }
  }
}
