import type { ObjectStore } from '../../storage/index.js';
import type { Fragment } from '../fragment.js';
import { lineNumberAt, linesInRange } from '../line-ranges.js';

/**
 * The lines a fragment owns (a byte range, or a whole file), in order. Line numbers in the
 * file are counted from its start only when an error asks for one, once per fragment, so
 * reading without errors costs nothing more.
 */
export class FragmentLines implements AsyncIterable<string> {
  private firstOffset = 0;
  private firstNumber: Promise<number> | null = null;

  constructor(
    private readonly fragment: Fragment,
    private readonly store: ObjectStore,
  ) {}

  async *[Symbol.asyncIterator](): AsyncGenerator<string> {
    const { fragment } = this;
    const [start, end] = fragment.kind === 'lines' ? [fragment.start, fragment.end] : [0, Infinity];
    let first = true;
    for await (const line of linesInRange(this.store, fragment.path, start, end)) {
      if (first) this.firstOffset = line.offset;
      first = false;
      yield line.text;
    }
  }

  /** The 1-based line number in the file of the fragment's `index`-th line (0-based, empty lines included). */
  async lineNumber(index: number): Promise<number> {
    this.firstNumber ??= lineNumberAt(this.store, this.fragment.path, this.firstOffset);
    return (await this.firstNumber) + index;
  }
}
