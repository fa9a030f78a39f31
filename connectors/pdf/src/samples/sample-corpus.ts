/**
 * A small deterministic corpus of readable PDFs on distinct topics, for the demo and the
 * benchmark: each document keeps to one topic's vocabulary (with common English around it), so
 * that nearest neighbours over text embeddings are documents of the same topic.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { seededRandom } from 'sluice';
import { writeTextPdf, type DrawnPage, type TextPdfFont } from './write-text-pdf.js';

export interface SampleTopic {
  readonly name: string;
  readonly nouns: readonly string[];
  readonly verbs: readonly string[];
  readonly adjectives: readonly string[];
}

export const SAMPLE_TOPICS: readonly SampleTopic[] = [
  {
    name: 'astronomy',
    nouns: [
      'star',
      'galaxy',
      'telescope',
      'orbit',
      'planet',
      'nebula',
      'comet',
      'observatory',
      'eclipse',
      'spectrum',
      'asteroid',
      'moon',
      'supernova',
      'constellation',
      'astronomer',
    ],
    verbs: ['observes', 'orbits', 'illuminates', 'eclipses', 'measures', 'photographs', 'charts', 'collapses'],
    adjectives: ['distant', 'bright', 'faint', 'celestial', 'gravitational', 'luminous', 'interstellar', 'elliptical'],
  },
  {
    name: 'cooking',
    nouns: [
      'recipe',
      'oven',
      'flour',
      'butter',
      'garlic',
      'sauce',
      'kitchen',
      'knife',
      'saucepan',
      'dough',
      'spice',
      'onion',
      'broth',
      'vinegar',
      'chef',
    ],
    verbs: ['simmers', 'roasts', 'seasons', 'whisks', 'bakes', 'chops', 'braises', 'tastes'],
    adjectives: ['crispy', 'savory', 'tender', 'golden', 'aromatic', 'caramelized', 'fresh', 'buttery'],
  },
  {
    name: 'gardening',
    nouns: [
      'soil',
      'compost',
      'seed',
      'tomato',
      'mulch',
      'greenhouse',
      'blossom',
      'root',
      'shovel',
      'hedge',
      'fertilizer',
      'seedling',
      'orchard',
      'gardener',
      'trellis',
    ],
    verbs: ['prunes', 'waters', 'plants', 'sprouts', 'harvests', 'weeds', 'transplants', 'blooms'],
    adjectives: ['fertile', 'leafy', 'perennial', 'organic', 'shaded', 'flowering', 'sturdy', 'seasonal'],
  },
  {
    name: 'finance',
    nouns: [
      'bond',
      'equity',
      'dividend',
      'interest',
      'portfolio',
      'inflation',
      'loan',
      'mortgage',
      'budget',
      'asset',
      'yield',
      'market',
      'investor',
      'pension',
      'currency',
    ],
    verbs: ['invests', 'borrows', 'diversifies', 'compounds', 'hedges', 'allocates', 'refinances', 'audits'],
    adjectives: ['volatile', 'fiscal', 'liquid', 'taxable', 'quarterly', 'diversified', 'monetary', 'profitable'],
  },
  {
    name: 'medicine',
    nouns: [
      'patient',
      'dose',
      'symptom',
      'vaccine',
      'clinic',
      'diagnosis',
      'surgeon',
      'infection',
      'therapy',
      'nurse',
      'fever',
      'antibiotic',
      'prescription',
      'recovery',
      'physician',
    ],
    verbs: ['diagnoses', 'prescribes', 'treats', 'vaccinates', 'examines', 'monitors', 'heals', 'operates'],
    adjectives: ['clinical', 'chronic', 'acute', 'sterile', 'immune', 'surgical', 'preventive', 'contagious'],
  },
  {
    name: 'sailing',
    nouns: [
      'hull',
      'mast',
      'wind',
      'harbor',
      'anchor',
      'tide',
      'keel',
      'rudder',
      'sail',
      'crew',
      'compass',
      'buoy',
      'voyage',
      'deck',
      'sailor',
    ],
    verbs: ['navigates', 'anchors', 'tacks', 'moors', 'steers', 'hoists', 'drifts', 'capsizes'],
    adjectives: ['nautical', 'windward', 'coastal', 'salty', 'choppy', 'seaworthy', 'tidal', 'offshore'],
  },
];

const AUTHORS = [
  'Ada Byron',
  'Alan Turing',
  'Grace Hopper',
  'Edsger Dijkstra',
  'Barbara Liskov',
  'Donald Knuth',
  'Frances Allen',
  'John McCarthy',
];
const PREPOSITIONS = ['near', 'beside', 'after', 'before', 'under', 'around', 'beyond', 'within'];
const ADVERBS = ['slowly', 'carefully', 'quietly', 'often', 'rarely', 'steadily', 'again', 'together'];

export interface SampleCorpusOptions {
  /** Default 12 (two per topic). */
  readonly documents?: number;
  /** Default 3. */
  readonly pagesPerDocument?: number;
  /** Default 3. */
  readonly paragraphsPerPage?: number;
  /** Default 1; the same seed writes the same texts. */
  readonly seed?: number;
  /** Default 'helvetica'. */
  readonly font?: TextPdfFont;
}

export interface SampleDocument {
  readonly path: string;
  readonly topic: string;
  readonly title: string;
  readonly author: string;
  readonly pages: readonly DrawnPage[];
}

/** Writes `doc-000.pdf`, `doc-001.pdf`, … into `dir` (created if missing); document i is on topic i mod 6. */
export async function writeSampleCorpus(dir: string, options: SampleCorpusOptions = {}): Promise<SampleDocument[]> {
  const documents = count('documents', options.documents ?? 12);
  const pagesPerDocument = count('pagesPerDocument', options.pagesPerDocument ?? 3);
  const paragraphsPerPage = count('paragraphsPerPage', options.paragraphsPerPage ?? 3);
  const random = seededRandom(options.seed ?? 1);
  await mkdir(dir, { recursive: true });
  const written: SampleDocument[] = [];
  for (let d = 0; d < documents; d++) {
    const topic = SAMPLE_TOPICS[d % SAMPLE_TOPICS.length];
    const author = pick(random, AUTHORS);
    const title = `${capitalize(topic.name)} notes ${d + 1}`;
    const pages = Array.from({ length: pagesPerDocument }, () => ({
      paragraphs: Array.from({ length: paragraphsPerPage }, () => paragraph(random, topic)),
    }));
    const file = path.join(dir, `doc-${String(d).padStart(3, '0')}.pdf`);
    const pdf = await writeTextPdf(file, pages, {
      title,
      author,
      subject: topic.name,
      keywords: topic.nouns.slice(0, 4),
      font: options.font ?? 'helvetica',
    });
    written.push({ path: file, topic: topic.name, title, author, pages: pdf.pages });
  }
  return written;
}

/** Four to six sentences from the topic's words. */
function paragraph(random: () => number, topic: SampleTopic): string {
  const sentences: string[] = [];
  const n = 4 + Math.floor(random() * 3);
  for (let i = 0; i < n; i++) sentences.push(sentence(random, topic));
  return sentences.join(' ');
}

function sentence(random: () => number, topic: SampleTopic): string {
  const noun = (): string => pick(random, topic.nouns);
  const verb = (): string => pick(random, topic.verbs);
  const adjective = (): string => pick(random, topic.adjectives);
  switch (Math.floor(random() * 5)) {
    case 0:
      return `The ${adjective()} ${noun()} ${verb()} the ${noun()} ${pick(random, PREPOSITIONS)} the ${adjective()} ${noun()}.`;
    case 1:
      return `Every ${noun()} needs a ${adjective()} ${noun()} before the ${noun()} ${verb()} ${pick(random, ADVERBS)}.`;
    case 2:
      return `In the ${adjective()} season, the ${noun()} ${verb()} ${pick(random, PREPOSITIONS)} the ${noun()}.`;
    case 3:
      return `A ${noun()} ${verb()} the ${adjective()} ${noun()}, and the ${noun()} ${verb()} the ${noun()}.`;
    default:
      return `${capitalize(adjective())} ${noun()} and ${adjective()} ${noun()} are what the ${noun()} ${verb()} ${pick(random, ADVERBS)}.`;
  }
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)];
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function count(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new Error(`writeSampleCorpus: ${name} must be a positive integer, got ${value}`);
  return value;
}
