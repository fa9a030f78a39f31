/** pdf-parse 1.1.4 (installed as pdf-parse-v1) ships no types; PDFLoader's v1 path takes its bundled pdf.js build. */
declare module 'pdf-parse-v1/lib/pdf.js/v1.10.100/build/pdf.js' {
  const pdfjs: { getDocument: (...args: never[]) => unknown; version: string };
  export default pdfjs;
}
