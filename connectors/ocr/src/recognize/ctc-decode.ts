/** One line as the recogniser read it: its characters and the output step where each starts. */
export interface DecodedLine {
  readonly chars: string[];
  /** The first output step (8 input pixels each) of each character. */
  readonly steps: number[];
  /** Mean probability of the characters, 0 for an empty line. */
  readonly score: number;
}

/**
 * Greedy CTC decoding of one line of the recogniser's output ([steps, classes] probabilities
 * from `offset`): the most likely class per step, repeats merged, blanks (class 0) dropped.
 * Class k is dictionary[k - 1].
 */
export function ctcDecode(
  output: Float32Array,
  offset: number,
  steps: number,
  classes: number,
  dictionary: readonly string[],
): DecodedLine {
  const chars: string[] = [];
  const starts: number[] = [];
  let sum = 0;
  let previous = 0;
  for (let step = 0; step < steps; step++) {
    const row = offset + step * classes;
    let best = 0;
    let bestP = output[row];
    for (let k = 1; k < classes; k++) {
      const p = output[row + k];
      if (p > bestP) {
        bestP = p;
        best = k;
      }
    }
    if (best !== 0 && best !== previous) {
      chars.push(dictionary[best - 1] ?? '');
      starts.push(step);
      sum += bestP;
    }
    previous = best;
  }
  return { chars, steps: starts, score: chars.length === 0 ? 0 : sum / chars.length };
}
