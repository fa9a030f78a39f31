/**
 * How close recognised text is to a reference (a PDF's own text layer, a transcript): the two
 * measures bench/ocr and the tests report.
 */

/**
 * Character error rate with whitespace removed: the edit distance (insertions, deletions,
 * substitutions) between the two texts' non-space characters over the reference's count. Layout
 * (line breaks, spaces) does not count; 0 when they match, 0 for two empty texts.
 */
export function characterErrorRate(reference: string, recognised: string): number {
  const a = [...reference.replace(/\s+/g, '')];
  const b = [...recognised.replace(/\s+/g, '')];
  if (a.length === 0) return b.length === 0 ? 0 : 1;
  let previous = new Uint32Array(b.length + 1).map((_, j) => j);
  let current = new Uint32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(substitution, previous[j] + 1, current[j - 1] + 1);
    }
    [previous, current] = [current, previous];
  }
  return previous[b.length] / a.length;
}

/** Word overlap: the multiset intersection of whitespace-separated words over the larger word count (1 when both are empty). */
export function wordOverlap(a: string, b: string): number {
  const wordsA = a.split(/\s+/).filter(Boolean);
  const wordsB = b.split(/\s+/).filter(Boolean);
  const counts = new Map<string, number>();
  for (const w of wordsB) counts.set(w, (counts.get(w) ?? 0) + 1);
  let common = 0;
  for (const w of wordsA) {
    const c = counts.get(w) ?? 0;
    if (c > 0) {
      common++;
      counts.set(w, c - 1);
    }
  }
  return wordsA.length + wordsB.length === 0 ? 1 : common / Math.max(wordsA.length, wordsB.length);
}
