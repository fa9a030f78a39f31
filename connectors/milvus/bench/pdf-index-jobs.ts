/**
 * The two contenders of bench/milvus (c), the same PDF index job written twice: read every page's
 * text, cut it into chunks of CHUNK characters, embed them with the same ONNX model, and write
 * them into a Milvus collection that the job creates. Each resolves to the pages read and the
 * chunks written.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { PDFLoader } from '@langchain/community/document_loaders/fs/pdf';
import { Milvus } from '@langchain/community/vectorstores/milvus';
import { RecursiveCharacterTextSplitter } from '@langchain/textsplitters';
import { textEmbedder, type OnnxTextEmbedderOptions } from '@sluice/onnx';
import { readPdfs } from '@sluice/pdf';
import { chunkText } from 'sluice';
import { milvusSink, type MilvusCollectionSpec } from '../dist/src/index.js';
import { OnnxEmbeddings } from './onnx-embeddings.js';

/** examples/index-pdfs.ts's chunking and embedding batch. */
export const CHUNK = { size: 600, overlap: 80 } as const;
export const EMBED_BATCH = 128;
const DIM = 384;

export interface IndexJob {
  readonly corpus: string;
  readonly uri: string;
  readonly collection: string;
  readonly modelPath: string;
  /** Cores the job may use (sluice counts its actors' CPU slots on top, see ACTOR_CPUS). */
  readonly cpus: number;
  /** Pages of the corpus. */
  readonly pages: number;
}

export interface IndexResult {
  /** Pages whose text the job read; LangChain's PDFLoader leaves out pages without text. */
  readonly pages: number;
  readonly chunks: number;
}

/**
 * Embedding actors of half a CPU, one per CPU, as in examples/index-pdfs.ts. Actors hold their
 * CPU slots for their lives and PDF tasks one slot each, so the job counts the actors' CPUs on top
 * of the machine's: one PDF task per core still runs (parsing is nearly all of the work here, the
 * embedder is light); with `cpus` the machine's 2, the actors would leave the PDF tasks one slot.
 */
const ACTOR_CPUS = 0.5;

/** examples/index-pdfs.ts written to Milvus: pdfjs on the task pool, chunkText, embedding actors, milvusSink. */
export async function sluiceIndex(job: IndexJob): Promise<IndexResult> {
  const embedding: OnnxTextEmbedderOptions = { modelPath: job.modelPath, outputColumn: 'vector' };
  const spec: MilvusCollectionSpec = {
    fields: [
      { name: 'id', type: 'VarChar', primaryKey: true, maxLength: 64 },
      { name: 'path', type: 'VarChar', maxLength: 1024 },
      { name: 'page', type: 'Int32' },
      { name: 'chunkIndex', type: 'Int32' },
      { name: 'text', type: 'VarChar', maxLength: 8192 },
      { name: 'vector', type: 'FloatVector', dim: DIM },
    ],
    indexes: [{ field: 'vector', metricType: 'IP' }],
  };
  const written = await readPdfs(job.corpus)
    .flatMap(chunkText({ ...CHUNK, pathRoot: job.corpus }))
    .mapBatches(textEmbedder, {
      name: 'Embed',
      batchFormat: 'arrow',
      batchSize: EMBED_BATCH,
      concurrency: job.cpus,
      numCpus: ACTOR_CPUS,
      constructorArgs: [embedding],
    })
    .selectColumns(['id', 'path', 'page', 'chunkIndex', 'text', 'vector'])
    .write(milvusSink({ uri: job.uri, collection: job.collection, createCollection: spec }), {
      cpus: job.cpus * (1 + ACTOR_CPUS),
      progress: 'off',
    });
  // Every page is a row of readPdfs, text or none; chunkText gives an empty one no chunks.
  return { pages: job.pages, chunks: written.rows };
}

/**
 * The same job as a LangChain.js user writes it: PDFLoader file by file (pdf-parse 2, which it
 * loads when installed, or pdf-parse 1 and the pdf.js 1.10 it bundles), the
 * recursive character splitter, the embedder as an Embeddings, and Milvus.addDocuments, which
 * embeds, inserts and flushes; called on slices of STORE_BATCH chunks so that each insert stays
 * far below Milvus's 64 MiB message limit while the per-call flush (and its 100 ms poll) comes
 * only a few times.
 */
export async function langchainIndex(job: IndexJob, storeBatch: number, pdfParse: 1 | 2): Promise<IndexResult> {
  const embeddings = new OnnxEmbeddings({ modelPath: job.modelPath, intraOpNumThreads: job.cpus }, EMBED_BATCH);
  const splitter = new RecursiveCharacterTextSplitter({ chunkSize: CHUNK.size, chunkOverlap: CHUNK.overlap });
  const store = new Milvus(embeddings, {
    collectionName: job.collection,
    clientConfig: { address: job.uri },
    textFieldMaxLength: 8192,
    indexCreateOptions: { index_type: 'HNSW', metric_type: 'IP', params: { M: 8, efConstruction: 64 } },
  });
  try {
    let pages = 0;
    const chunks = [];
    for (const file of await pdfFiles(job.corpus)) {
      const docs = await new PDFLoader(file, pdfParse === 1 ? { pdfjs: pdfParseV1 } : {}).load();
      pages += docs.length;
      // The row's columns as sluice writes them: the file and the page (PDFLoader adds the PDF's info besides).
      for (const doc of docs) {
        const { source, loc } = doc.metadata as { source: string; loc: { pageNumber: number } };
        doc.metadata = { source, page: loc.pageNumber };
      }
      chunks.push(...(await splitter.splitDocuments(docs)));
    }
    for (let i = 0; i < chunks.length; i += storeBatch) await store.addDocuments(chunks.slice(i, i + storeBatch));
    return { pages, chunks: chunks.length };
  } finally {
    await embeddings.close();
    await store.client.closeConnection();
  }
}

/** What PDFLoader loads when pdf-parse 1 is the one installed (here under another name, beside pdf-parse 2). */
async function pdfParseV1() {
  const { default: pdfjs } = await import('pdf-parse-v1/lib/pdf.js/v1.10.100/build/pdf.js');
  return { isV2: false as const, getDocument: pdfjs.getDocument, version: pdfjs.version };
}

/** The PDFs under a folder, as readPdfs finds them (recursively, sorted). */
async function pdfFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.toLowerCase().endsWith('.pdf'))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}
