import type * as ort from 'onnxruntime-node';
import { openSession, type SessionSpec } from '@sluice/onnx';
import { getActorContext } from 'sluice';

/**
 * An OCR stage's ONNX Runtime session, opened as @sluice/onnx opens them (CUDA on the actor's
 * GPU, else CPU), on the first call that needs it rather than when the actor starts: a job that
 * fails early then ends actors that are not loading a model (onnxruntime-node aborts the process
 * when a thread is ended inside its native work), and an actor that gets no work loads none.
 */
export class LazySession {
  /** Where this runs, for messages: the actor's operator and index, or the class. */
  readonly where: string;
  private opening: Promise<ort.InferenceSession> | null = null;
  private readonly gpuIds: readonly number[];

  constructor(
    private readonly spec: SessionSpec,
    className: string,
  ) {
    const context = getActorContext();
    this.where = context ? `${context.operator} actor ${context.actorIndex}` : className;
    this.gpuIds = context?.gpuIds ?? [];
  }

  get(): Promise<ort.InferenceSession> {
    return (this.opening ??= openSession(this.spec, this.gpuIds, this.where));
  }

  async release(): Promise<void> {
    await (await this.opening?.catch(() => null))?.release();
  }
}
