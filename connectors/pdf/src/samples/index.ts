export {
  liberationSansPath,
  writeTextPdf,
  type DrawnPage,
  type DrawnParagraph,
  type TextPdfFont,
  type TextPdfPage,
  type WriteTextPdfOptions,
  type WrittenTextPdf,
} from './write-text-pdf.js';
export { SAMPLE_TOPICS, writeSampleCorpus, type SampleCorpusOptions, type SampleDocument, type SampleTopic } from './sample-corpus.js';
