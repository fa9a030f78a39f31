/**
 * An actor class for ONNX inference: each actor opens one InferenceSession (CUDA on its GPU
 * when it has one and CUDA is installed, else CPU), maps batch columns to the model's inputs
 * and its outputs back to columns. Batches may have any number of rows: models are written
 * with a dynamic batch axis.
 */
import type { Table } from 'apache-arrow';
import * as ort from 'onnxruntime-node';
import { getActorContext, InvalidOptionError, type Columns } from 'sluice';
import { OnnxModelError } from './errors.js';
import { openSession, type SessionSpec } from './open-session.js';
import { columnToTensor, tensorToColumn, withColumns, type Batch, type InputSpec, type OutputColumn } from './tensors.js';

export interface OnnxSessionOptions extends SessionSpec {
  /**
   * Input columns kept beside the new ones: all (true, the default), none (false), or those
   * named. Dropping a large input (raw feature vectors) halves what goes back to the main thread.
   */
  readonly keepColumns?: boolean | readonly string[];
}

export interface OnnxPredictorOptions extends OnnxSessionOptions {
  /** Model input → batch column. Default: each input reads the column of its own name. */
  readonly inputs?: Readonly<Record<string, string>>;
  /** Model output → column added to the batch. Default: every output, under its own name. */
  readonly outputs?: Readonly<Record<string, string>>;
}

export class OnnxPredictor {
  /** Where this instance runs, for messages: the actor's operator and index, when in an actor. */
  protected readonly where: string;
  private readonly opening: Promise<ort.InferenceSession>;

  constructor(protected readonly options: OnnxPredictorOptions) {
    checkSessionOptions(options);
    const context = getActorContext();
    this.where = context ? `${context.operator} actor ${context.actorIndex}` : new.target.name;
    this.opening = openSession(options, context?.gpuIds ?? [], this.where);
    // A constructor cannot wait; the first call() rethrows an opening failure.
    this.opening.catch(() => undefined);
  }

  /** The batch with the model's outputs added as columns: an Arrow Table for an Arrow batch. */
  async call(batch: Columns): Promise<Columns>;
  async call(batch: Table): Promise<Table>;
  async call(batch: Batch): Promise<Table | Columns> {
    const session = await this.session();
    const results = await session.run(this.feeds(batch, session));
    return withColumns(batch, this.columns(results, batch), this.options.keepColumns);
  }

  async close(): Promise<void> {
    await (await this.opening.catch(() => null))?.release();
  }

  protected session(): Promise<ort.InferenceSession> {
    return this.opening;
  }

  /** The model's inputs from the batch; subclasses compute their own (a tokenizer's ids). */
  protected feeds(batch: Batch, session: ort.InferenceSession): Record<string, ort.Tensor> {
    const mapping = this.options.inputs ?? {};
    for (const name of Object.keys(mapping)) {
      if (!session.inputNames.includes(name))
        throw new OnnxModelError(
          `${this.where}: option inputs names '${name}', which is not an input of ${this.options.modelPath} (inputs: ${session.inputNames.join(', ')})`,
        );
    }
    const feeds: Record<string, ort.Tensor> = {};
    for (const input of inputSpecs(session)) feeds[input.name] = columnToTensor(batch, mapping[input.name] ?? input.name, input);
    return feeds;
  }

  /** The columns to add from the model's outputs (`batch` is there for subclasses that need it). */
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- `batch` is part of the signature subclasses override and call
  protected columns(results: ort.InferenceSession.OnnxValueMapType, batch: Batch): Record<string, OutputColumn> {
    const mapping = this.options.outputs ?? Object.fromEntries(Object.keys(results).map((name) => [name, name]));
    return Object.fromEntries(
      Object.entries(mapping).map(([output, column]) => {
        const tensor = results[output];
        if (!tensor)
          throw new OnnxModelError(
            `${this.where}: option outputs names '${output}', which is not an output of ${this.options.modelPath} ` +
              `(outputs: ${Object.keys(results).join(', ')})`,
          );
        return [column, tensorToColumn(tensor, output)];
      }),
    );
  }
}

/** The session's inputs, read once per session: a call's CPU is the model's. */
const specsBySession = new WeakMap<ort.InferenceSession, InputSpec[]>();

export function inputSpecs(session: ort.InferenceSession): InputSpec[] {
  let specs = specsBySession.get(session);
  if (specs === undefined) {
    specs = session.inputMetadata.map((meta) => {
      if (!meta.isTensor) throw new OnnxModelError(`model input '${meta.name}' is not a tensor; OnnxPredictor feeds tensors only`);
      return { name: meta.name, type: meta.type, shape: meta.shape };
    });
    specsBySession.set(session, specs);
  }
  return specs;
}

function checkSessionOptions(options: OnnxSessionOptions): void {
  if (typeof options?.modelPath !== 'string' || options.modelPath === '') {
    throw new InvalidOptionError(
      'modelPath',
      options?.modelPath,
      'the path of a local .onnx file (write one with writeHashedNgramModel, or export your model)',
    );
  }
  const threads = options.intraOpNumThreads;
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1))
    throw new InvalidOptionError('intraOpNumThreads', threads, 'a whole number >= 1');
  const keep = options.keepColumns;
  if (keep !== undefined && typeof keep !== 'boolean' && !(Array.isArray(keep) && keep.every((c) => typeof c === 'string'))) {
    throw new InvalidOptionError('keepColumns', keep, 'true, false or an array of column names');
  }
  const provider = options.executionProvider;
  if (provider !== undefined && !['auto', 'cpu', 'cuda'].includes(provider))
    throw new InvalidOptionError('executionProvider', provider, "'auto', 'cpu' or 'cuda'");
}
