import { documentInfo } from '../document-info.js';
import { openPdf } from '../open-pdf.js';
import { pageText } from '../page-text.js';
import type { EngineDocument, OpenEngineDocument } from './pdf-engine.js';

// @napi-rs/canvas is loaded when a page is rendered: jobs without images never load it.
const loadRenderPage = async () => (await import('../render-page.js')).renderPage;

/** The pdfjs-dist engine: pdfjs's text items laid out by pageText, pages drawn on an @napi-rs/canvas. */
export const openPdfjsDocument: OpenEngineDocument = async (path, password, storage, signal) => {
  const doc = await openPdf(path, password, storage, signal);
  const engineDoc: EngineDocument = {
    numPages: doc.numPages,
    info: () => documentInfo(doc),
    async readPage(page, renderScale) {
      const proxy = await doc.getPage(page);
      try {
        const text = pageText(await proxy.getTextContent());
        const image = renderScale === null ? undefined : await (await loadRenderPage())(proxy, renderScale);
        return { text, image };
      } finally {
        proxy.cleanup();
      }
    },
    destroy: () => doc.destroy(),
  };
  return engineDoc;
};
