/**
 * The one place where the installed pdfjs-dist's data folders are located, and the getDocument
 * options that use them. Without its own `standard_fonts/`, `cmaps/` and `wasm/` folders pdfjs
 * warns ("Ensure that the `standardFontDataUrl` API parameter is provided") and extracts
 * non-embedded standard fonts and predefined-CMap (CJK) text worse or not at all.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type { DocumentInitParameters } from 'pdfjs-dist/types/src/display/api.js';

/** Folders of the installed pdfjs-dist, each ending in '/'. */
export interface PdfjsAssetDirs {
  readonly root: string;
  readonly standardFonts: string;
  readonly cmaps: string;
  readonly wasm: string;
  readonly iccs: string;
}

const root = path.dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));

// In Node pdfjs reads these with fs.readFile(base + fileName) and insists on a trailing '/':
// so plain paths ending in '/' (a 'file://' URL string fails: fs reads it as a relative path).
const folder = (name: string): string => `${path.join(root, name)}/`;

export const pdfjsAssetDirs: PdfjsAssetDirs = Object.freeze({
  root: `${root}/`,
  standardFonts: folder('standard_fonts'),
  cmaps: folder('cmaps'),
  wasm: folder('wasm'),
  iccs: folder('iccs'),
});

/**
 * getDocument options for `data`, with the package's fonts, packed CMaps, wasm decoders and ICC
 * profiles. pdfjs transfers `data`'s buffer to its worker, which detaches it: pass a copy when the
 * bytes are still needed. No eval (font programs are interpreted, not compiled) and no system
 * fonts, so that the output does not depend on the machine.
 */
export function pdfjsDocumentOptions(data: Uint8Array, password?: string): DocumentInitParameters {
  const options: DocumentInitParameters = {
    data,
    standardFontDataUrl: pdfjsAssetDirs.standardFonts,
    cMapUrl: pdfjsAssetDirs.cmaps,
    cMapPacked: true,
    wasmUrl: pdfjsAssetDirs.wasm,
    iccUrl: pdfjsAssetDirs.iccs,
    isEvalSupported: false,
    useSystemFonts: false,
  };
  if (password !== undefined) options.password = password;
  return options;
}
