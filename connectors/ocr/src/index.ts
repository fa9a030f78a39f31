export { ocrImages, textDetector, textRecognizer, type OcrColumns, type OcrOptions } from './ocr-images.js';
export { TextDetector, type TextDetectorOptions } from './actors/text-detector.js';
export { TextRecognizer, type TextRecognizerOptions } from './actors/text-recognizer.js';
export { OcrImageError } from './errors.js';
export { PADDLE_OCR_MODELS } from './paddle-models.js';
export type { OcrLine } from './reading-order.js';
export type { ImageInput } from './image/rgb-image.js';
export { characterErrorRate, wordOverlap } from './text-accuracy.js';
