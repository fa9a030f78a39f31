/**
 * Text chunking: splitText cuts at the largest boundaries that fit, within size, with
 * overlap and exact offsets; chunkId is stable; chunkText runs in a flatMap on the task pool,
 * in characters or tokens. Also bound arguments of UDFs (boundUdf), which chunkText uses.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { threadId as mainThreadId } from 'node:worker_threads';
import {
  boundUdf,
  chunkId,
  chunkText,
  fromItems,
  InvalidOptionError,
  range,
  readText,
  splitText,
  UdfError,
  UdfPlacementError,
  type TextSpan,
} from '../src/index.js';
import { boundDoubler, byFive, countWords, double, notAFactoryRef, scaleBy, triple } from './fixtures/chunk-text-udfs.js';

const WORDS = ['river', 'stone', 'data', 'arrow', 'glacier', 'valley', 'a', 'of', 'vector', 'mountain', 'light', 'on', 'the', 'embedding'];

/** A deterministic text of paragraphs of sentences, from a seed. */
function corpus(seed: number, paragraphs: number): string {
  let state = seed;
  const next = (n: number) => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state % n;
  };
  const sentence = () => {
    const words = Array.from({ length: 3 + next(12) }, () => WORDS[next(WORDS.length)]);
    return `${words.join(' ')}${['.', '?', '!'][next(3)]}`;
  };
  return Array.from({ length: paragraphs }, () => Array.from({ length: 1 + next(5) }, sentence).join(next(4) === 0 ? '\n' : ' ')).join(
    '\n\n',
  );
}

const wordCount = (text: string) => (text.match(/\S+/g) ?? []).length;

/** Every chunk is where it says, and every non-space character of the text is in some chunk. */
function assertCovers(text: string, chunks: readonly TextSpan[]): void {
  let covered = 0;
  for (const chunk of chunks) {
    assert.equal(text.slice(chunk.start, chunk.end), chunk.text);
    assert.equal(chunk.text, chunk.text.trim(), 'chunks are trimmed');
    assert.ok(text.slice(covered, chunk.start).trim() === '', `text before offset ${chunk.start} is in no chunk`);
    covered = Math.max(covered, chunk.end);
  }
  assert.equal(text.slice(covered).trim(), '', 'the end of the text is in no chunk');
}

test('splitText: chunks fit the size, reproduce the text by their offsets and drop nothing', () => {
  for (const seed of [1, 2, 3]) {
    const text = corpus(seed, 30);
    for (const [size, overlap] of [
      [80, 0],
      [200, 40],
      [500, 100],
      [1000, 0],
    ]) {
      const chunks = splitText(text, { size, overlap });
      assert.ok(chunks.length > 1);
      for (const chunk of chunks) assert.ok(chunk.text.length <= size, `a chunk of ${chunk.text.length} > ${size}`);
      assertCovers(text, chunks);
    }
  }
});

test('splitText: consecutive chunks overlap by at most `overlap`, from whole words', () => {
  const text = corpus(4, 20);
  const chunks = splitText(text, { size: 200, overlap: 50 });
  let overlapping = 0;
  for (let i = 1; i < chunks.length; i++) {
    const [previous, chunk] = [chunks[i - 1], chunks[i]];
    assert.ok(chunk.start > previous.start && chunk.end > previous.end, 'each chunk moves forward');
    const shared = previous.end - chunk.start;
    if (shared <= 0) continue;
    overlapping++;
    assert.ok(shared <= 50, `chunks ${i - 1} and ${i} share ${shared} characters`);
    assert.ok(/\s/.test(text[chunk.start - 1]), `chunk ${i} starts mid-word: ${JSON.stringify(chunk.text.slice(0, 20))}`);
  }
  assert.ok(overlapping >= chunks.length / 2, `only ${overlapping} of ${chunks.length - 1} chunk pairs overlap`);
  // Without overlap, the chunks follow each other.
  const apart = splitText(text, { size: 200 });
  for (let i = 1; i < apart.length; i++) assert.ok(apart[i].start >= apart[i - 1].end);
});

test('splitText: paragraphs that fit are never cut; a boundary falls at a sentence only inside a paragraph too large', () => {
  const paragraphs = [
    'Alpha beta gamma. Delta epsilon.',
    'Zeta eta theta iota. Kappa.',
    'Lambda mu nu xi omicron pi rho. Sigma tau upsilon phi. Chi psi omega.',
  ];
  const text = paragraphs.join('\n\n');
  // Two paragraphs would fit 60 characters only by cutting the second one at its sentence.
  const chunks = splitText(text, { size: 60 });
  assert.deepEqual(
    chunks.map((c) => c.text),
    [
      'Alpha beta gamma. Delta epsilon.',
      'Zeta eta theta iota. Kappa.',
      'Lambda mu nu xi omicron pi rho. Sigma tau upsilon phi.',
      'Chi psi omega.',
    ],
  );
  // Lines come before sentences, sentences before words.
  assert.deepEqual(
    splitText('one two. three four\nfive six. seven', { size: 20 }).map((c) => c.text),
    ['one two. three four', 'five six. seven'],
  );
  assert.deepEqual(
    splitText('one two three. four five six', { size: 16 }).map((c) => c.text),
    ['one two three.', 'four five six'],
  );
});

test('splitText: a word longer than the size is cut between characters, never inside a surrogate pair', () => {
  const word = 'x'.repeat(95);
  const chunks = splitText(`short ${word} end`, { size: 10 });
  // Pieces are packed greedily: the word's characters fill the chunks around them too.
  assert.deepEqual(
    chunks.map((c) => c.text),
    ['short xxxx', ...Array.from({ length: 9 }, () => 'x'.repeat(10)), 'x end'],
  );
  const emoji = '😀'.repeat(7);
  const cut = splitText(emoji, { size: 5 });
  assert.deepEqual(
    cut.map((c) => c.text),
    ['😀😀', '😀😀', '😀😀', '😀'],
  );
  // Without '' among the separators, a word too large stays whole.
  assert.deepEqual(
    splitText(`a ${word}`, { size: 10, separators: [' '] }).map((c) => c.text.length),
    [1, 95],
  );
});

test('splitText: empty or white-space text has no chunks; the same input gives the same chunks', () => {
  assert.deepEqual(splitText('', { size: 10 }), []);
  assert.deepEqual(splitText(' \n\n \t', { size: 10, overlap: 2 }), []);
  const text = corpus(5, 10);
  assert.deepEqual(splitText(text, { size: 150, overlap: 30 }), splitText(text, { size: 150, overlap: 30 }));
});

test('splitText: with a token counter, sizes and overlap are in tokens', () => {
  const text = corpus(6, 15);
  const chunks = splitText(text, { size: 40, overlap: 8, length: wordCount });
  assert.ok(
    chunks.some((c) => wordCount(c.text) > 30),
    'chunks are filled to about 40 words',
  );
  for (const c of chunks) assert.ok(wordCount(c.text) <= 40, `${wordCount(c.text)} words`);
  for (let i = 1; i < chunks.length; i++)
    assert.ok(wordCount(text.slice(chunks[i].start, Math.max(chunks[i].start, chunks[i - 1].end))) <= 8);
  assertCovers(text, chunks);
  assert.throws(() => splitText('a b', { size: 1, length: () => Number.NaN }), /must return a number >= 0/);
});

test('chunkText and splitText refuse bad options with the option and the value', () => {
  const refused = (option: string) => (error: unknown) => error instanceof InvalidOptionError && error.option === option;
  assert.throws(() => chunkText({ size: 0 }), refused('size'));
  assert.throws(() => chunkText({ size: 10.5 }), refused('size'));
  assert.throws(() => chunkText({ size: 10, overlap: 10 }), refused('overlap'));
  assert.throws(() => chunkText({ size: 10, overlap: -1 }), refused('overlap'));
  assert.throws(() => chunkText({ size: 10, separators: [] }), refused('separators'));
  assert.throws(() => chunkText({ size: 10, separators: [1 as unknown as string] }), refused('separators'));
  assert.throws(() => chunkText({ size: 10, textColumn: '' }), refused('textColumn'));
  assert.throws(() => chunkText({ size: 10, tokenizer: wordCount as never }), refused('tokenizer'));
  assert.throws(() => splitText('x', { size: -3 }), refused('size'));
});

test('chunkId: a stable hash of path, page and chunk index', () => {
  // The same on every run and machine: SHA-256 of ["docs/a.pdf",3,0], 32 hex digits.
  assert.equal(chunkId({ path: 'docs/a.pdf', page: 3, chunkIndex: 0 }), '77d4ef8b3298e10534a0b5b177e718a6');
  const ids = new Set([
    chunkId({ path: 'docs/a.pdf', page: 3, chunkIndex: 0 }),
    chunkId({ path: 'docs/a.pdf', page: 3, chunkIndex: 1 }),
    chunkId({ path: 'docs/a.pdf', page: 4, chunkIndex: 0 }),
    chunkId({ path: 'docs/b.pdf', page: 3, chunkIndex: 0 }),
    chunkId({ path: 'docs/a.pdf', chunkIndex: 0 }),
    chunkId({ page: 3, chunkIndex: 0 }),
  ]);
  assert.equal(ids.size, 6);
  for (const id of ids) assert.match(id, /^[0-9a-f]{32}$/);
});

interface PageRow {
  path: string;
  page: number;
  title: string;
  text: string;
}

test('chunkText in a flatMap: runs on the task pool, keeps the other columns, ids stable across runs', async (t) => {
  const pages: PageRow[] = Array.from({ length: 12 }, (_, i) => ({
    path: `docs/${i % 3}.pdf`,
    page: 1 + Math.floor(i / 3),
    title: `Doc ${i % 3}`,
    text: corpus(10 + i, 8),
  }));
  const chunks = fromItems(pages).flatMap(chunkText<PageRow>({ size: 300, overlap: 50 }));
  t.mock.method(console, 'log', () => {});
  assert.match(chunks.explain(), /FlatMap\(textChunker\) \[task pool/);

  const rows = await chunks.takeAll({ cpus: 2, preserveOrder: true, progress: 'off' });
  const expected = pages.flatMap((page) =>
    splitText(page.text, { size: 300, overlap: 50 }).map((span, chunkIndex) => ({
      path: page.path,
      page: page.page,
      title: page.title,
      text: span.text,
      chunkIndex,
      start: span.start,
      end: span.end,
      id: chunkId({ path: page.path, page: page.page, chunkIndex }),
    })),
  );
  assert.deepEqual(rows, expected);
  // The type keeps the input's columns.
  const titles: string[] = rows.map((r) => r.title);
  assert.equal(titles.length, rows.length);
  assert.equal(new Set(rows.map((r) => r.id)).size, rows.length, 'ids are distinct');
  const again = await chunks.takeAll({ cpus: 1, preserveOrder: true, progress: 'off' });
  assert.deepEqual(
    again.map((r) => r.id),
    rows.map((r) => r.id),
  );
});

test('chunkText pathRoot: ids hash the path relative to it, so the same files read from another folder keep their ids', async (t) => {
  const base = mkdtempSync(join(tmpdir(), 'sluice-chunk-root-'));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  const folders = [join(base, 'first', 'docs'), join(base, 'moved', 'elsewhere', 'docs')];
  for (const folder of folders) {
    mkdirSync(join(folder, 'sub'), { recursive: true });
    writeFileSync(join(folder, 'a.txt'), 'Glaciers carve U-shaped valleys. Rivers cut V-shaped ones.\n');
    writeFileSync(join(folder, 'sub', 'b.txt'), 'They take longer, and the valleys they leave are narrow.\n');
  }
  const chunk = (folder: string, pathRoot?: string) =>
    readText(folder, { includePaths: true })
      .flatMap(chunkText({ size: 30, ...(pathRoot === undefined ? {} : { pathRoot }) }))
      .takeAll({ cpus: 2, preserveOrder: true, progress: 'off' });
  const ids = async (folder: string, pathRoot?: string) =>
    (await chunk(folder, pathRoot)).map((r) => `${r.path.slice(folder.length)}#${r.chunkIndex} ${r.id}`).sort();

  const [first, moved] = [await ids(folders[0], folders[0]), await ids(folders[1], folders[1])];
  assert.ok(first.length >= 4, first.join('\n'));
  assert.deepEqual(moved, first, 'relative to the read root: the same ids wherever the folder is');
  const rows = await chunk(folders[0], folders[0]);
  const row = rows.find((r) => r.path.endsWith('b.txt') && r.chunkIndex === 0)!;
  assert.equal(row.path, join(folders[0], 'sub', 'b.txt'), 'the path column stays absolute');
  assert.equal(row.id, chunkId({ path: 'sub/b.txt', chunkIndex: 0 }), "the relative path, with '/' between names");
  // A relative root is taken from the working directory on the main thread.
  assert.deepEqual(await ids(folders[0], relative(process.cwd(), folders[0])), first);

  // Without pathRoot, ids hash the absolute paths: moving the folder changes every id.
  const [absoluteFirst, absoluteMoved] = [await ids(folders[0]), await ids(folders[1])];
  const idsOf = (lines: string[]) => new Set(lines.map((l) => l.split(' ')[1]));
  const movedIds = idsOf(absoluteMoved);
  assert.ok(
    [...idsOf(absoluteFirst)].every((id) => !movedIds.has(id)),
    'absolute paths: no id in common',
  );
  assert.equal(absoluteFirst[0].split(' ')[1], chunkId({ path: join(folders[0], 'a.txt'), chunkIndex: 0 }));

  assert.throws(
    () => chunkText({ size: 10, pathRoot: '' }),
    (error: unknown) => error instanceof InvalidOptionError && error.option === 'pathRoot',
  );
});

test('chunkText: another text column, and rows without a path are named by their text', async () => {
  const rows = await fromItems([
    { body: 'one two three four five six' },
    { body: 'seven eight nine' },
    { body: 'one two three four five six' },
    { body: null },
  ])
    .flatMap(chunkText({ size: 12, textColumn: 'body' }))
    .takeAll({ preserveOrder: true, progress: 'off' });
  assert.deepEqual(
    rows.map((r) => [r.text, r.chunkIndex]),
    [
      ['one two', 0],
      ['three four', 1],
      ['five six', 2],
      ['seven eight', 0],
      ['nine', 1],
      ['one two', 0],
      ['three four', 1],
      ['five six', 2],
    ],
  );
  assert.ok(
    rows.every((r) => !('body' in r)),
    'the text column is left out',
  );
  assert.notEqual(rows[0].id, rows[3].id, 'chunk 0 of two different texts');
  assert.deepEqual(
    rows.slice(5).map((r) => r.id),
    rows.slice(0, 3).map((r) => r.id),
    'the same text, the same ids',
  );
});

test('chunkText with a token counter: sizes in tokens, the counter made and run on workers', async () => {
  const items = Array.from({ length: 6 }, (_, i) => ({ path: `t${i}.txt`, text: corpus(40 + i, 12) }));
  // countWords throws when made on the main thread, so this passes only if chunking ran on workers.
  const rows = await fromItems(items)
    .flatMap(chunkText({ size: 30, overlap: 5, tokenizer: countWords }))
    .takeAll({ cpus: 2, preserveOrder: true, progress: 'off' });
  assert.ok(rows.length > items.length * 2);
  for (const row of rows) assert.ok(wordCount(row.text) <= 30, `${wordCount(row.text)} words in chunk ${row.chunkIndex}`);
  const expected = items.flatMap((item) => splitText(item.text, { size: 30, overlap: 5, length: wordCount }).map((s) => s.text));
  assert.deepEqual(
    rows.map((r) => r.text),
    expected,
  );
});

test('boundUdf: a factory with arguments runs on workers, made once per worker per arguments', async () => {
  const rows = await range(64 * 16)
    .map(triple)
    .takeAll({ cpus: 2, preserveOrder: true, progress: 'off' });
  assert.deepEqual(
    rows.map((r) => r.id),
    Array.from({ length: 64 * 16 }, (_, i) => 3 * i),
  );
  assert.ok(rows.every((r) => r.label === 'triple' && r.thread !== mainThreadId));
  const serials = new Map<number, Set<number>>();
  for (const r of rows) serials.set(r.thread, (serials.get(r.thread) ?? new Set()).add(r.serial));
  for (const [thread, made] of serials) assert.equal(made.size, 1, `worker ${thread} called the factory ${made.size} times`);

  // Two bindings of the same factory in one (fused) chain: a function each.
  const both = await range(10).map(double).map(byFive).takeAll({ cpus: 1, preserveOrder: true, progress: 'off' });
  assert.deepEqual(
    both.map((r) => [r.id, r.label]),
    Array.from({ length: 10 }, (_, i) => [10 * i, 'five']),
  );
});

test('boundUdf refuses arguments that are not plain data, and a class; a factory must return a function', async () => {
  const refused = (error: unknown) => error instanceof InvalidOptionError && /args/.test(error.option);
  assert.throws(() => boundUdf(import.meta.url, scaleBy, [() => 3, 'x'] as unknown as [number, string]), refused);
  assert.throws(() => boundUdf(import.meta.url, scaleBy, [new Map() as unknown as number, 'x']), refused);
  assert.throws(() => boundUdf(import.meta.url, scaleBy, [Number.NaN, 'x']), refused);
  assert.throws(() => range(3).map(boundDoubler), UdfPlacementError);
  await assert.rejects(
    range(3).map(notAFactoryRef).takeAll({ progress: 'off' }),
    (error: unknown) => error instanceof UdfError && /must return the function to run/.test(error.message),
  );
});
