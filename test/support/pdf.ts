// Reading a certificate PDF back as a reader would: its text through PDF.js (pdfjs-dist's legacy build,
// which runs in Node), and its QR code decoded with jsQR from a raster of what the page actually draws:
// every filled rectangle of the page's operator list (the QR modules are vector rectangles), painted
// black on white at 8 pixels per point. Nothing of the generator's own data is used.
import * as pdfjs from 'pdfjs-dist/legacy/build/pdf.mjs';
import jsQRModule from 'jsqr';

// a CommonJS module: its default import is the function at run time, the namespace in NodeNext's types
const jsQR = ((jsQRModule as unknown as { default?: unknown }).default ?? jsQRModule) as unknown as (typeof jsQRModule)['default'];

export interface ReadPdf {
  pages: number;
  /** The text items of page 1 joined by newlines. */
  text: string;
  /** The QR code's text (undefined when none decodes). */
  qr: string | undefined;
  /** The document's information dictionary (Title, Author…). */
  info: Record<string, unknown>;
}

type Rect = [number, number, number, number];

/** The filled rectangles of a page (constructPath of `re` operators followed by a fill). */
function filledRectangles(ops: { fnArray: number[]; argsArray: any[] }): Rect[] {
  const rects: Rect[] = [];
  for (let i = 0; i < ops.fnArray.length; i++) {
    if (ops.fnArray[i] !== pdfjs.OPS.constructPath) continue;
    const next = ops.fnArray[i + 1];
    if (next !== pdfjs.OPS.fill && next !== pdfjs.OPS.eoFill) continue;
    const [pathOps, coords] = ops.argsArray[i] as [number[], number[]];
    let k = 0;
    for (const op of pathOps) {
      if (op === pdfjs.OPS.rectangle) {
        rects.push([coords[k], coords[k + 1], coords[k + 2], coords[k + 3]]);
        k += 4;
      } else if (op === pdfjs.OPS.moveTo || op === pdfjs.OPS.lineTo) k += 2;
      else if (op === pdfjs.OPS.curveTo) k += 6;
      else if (op === pdfjs.OPS.curveTo2 || op === pdfjs.OPS.curveTo3) k += 4;
    }
  }
  return rects;
}

/** Paints the rectangles (with a white margin) and decodes a QR code from the raster. */
export function decodeQrFromRectangles(rects: readonly Rect[], scale = 8): string | undefined {
  if (!rects.length) return undefined;
  const minX = Math.min(...rects.map((r) => r[0]));
  const minY = Math.min(...rects.map((r) => r[1]));
  const maxX = Math.max(...rects.map((r) => r[0] + r[2]));
  const maxY = Math.max(...rects.map((r) => r[1] + r[3]));
  const margin = 20 * scale;
  const w = Math.ceil((maxX - minX) * scale) + 2 * margin;
  const h = Math.ceil((maxY - minY) * scale) + 2 * margin;
  const data = new Uint8ClampedArray(w * h * 4).fill(255);
  for (const [x, y, rw, rh] of rects) {
    const x0 = Math.round((x - minX) * scale) + margin;
    const x1 = Math.round((x + rw - minX) * scale) + margin;
    // PDF y grows upwards, raster rows downwards
    const y0 = h - (Math.round((y + rh - minY) * scale) + margin);
    const y1 = h - (Math.round((y - minY) * scale) + margin);
    for (let py = Math.max(0, y0); py < Math.min(h, y1); py++) {
      for (let px = Math.max(0, x0); px < Math.min(w, x1); px++) {
        const o = (py * w + px) * 4;
        data[o] = data[o + 1] = data[o + 2] = 0;
      }
    }
  }
  return jsQR(data, w, h)?.data;
}

export async function readPdf(bytes: Uint8Array): Promise<ReadPdf> {
  const doc = await pdfjs.getDocument({ data: new Uint8Array(bytes), isEvalSupported: false, useSystemFonts: false, disableFontFace: true, verbosity: 0 }).promise;
  try {
    const page = await doc.getPage(1);
    const content = await page.getTextContent();
    const text = content.items.map((i) => ('str' in i ? i.str : '')).join('\n');
    const qr = decodeQrFromRectangles(filledRectangles(await page.getOperatorList()));
    const meta = await doc.getMetadata();
    return { pages: doc.numPages, text, qr, info: meta.info as Record<string, unknown> };
  } finally {
    await doc.destroy();
  }
}
