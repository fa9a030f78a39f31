/**
 * The ONNX text embedder of @sluice/onnx as a LangChain.js `Embeddings`, for the LangChain side of
 * bench/milvus (c): the same model and tokenizer in this thread's own session, called in batches.
 */
import { Embeddings } from '@langchain/core/embeddings';
import { OnnxTextEmbedder, type OnnxTextEmbedderOptions } from '@sluice/onnx';

export class OnnxEmbeddings extends Embeddings {
  private readonly embedder: OnnxTextEmbedder;

  constructor(
    options: OnnxTextEmbedderOptions,
    private readonly batchSize: number,
  ) {
    super({});
    this.embedder = new OnnxTextEmbedder({ ...options, outputColumn: 'vector' });
  }

  async embedDocuments(texts: string[]): Promise<number[][]> {
    const vectors: number[][] = [];
    for (let i = 0; i < texts.length; i += this.batchSize) {
      const out = await this.embedder.call({ text: texts.slice(i, i + this.batchSize) });
      // LangChain's vector stores take number[] vectors: converting is part of its side of the job.
      for (const vector of out.vector as Float32Array[]) vectors.push(Array.from(vector));
    }
    return vectors;
  }

  async embedQuery(text: string): Promise<number[]> {
    return (await this.embedDocuments([text]))[0];
  }

  close(): Promise<void> {
    return this.embedder.close();
  }
}
