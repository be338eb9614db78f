// A certificate as a PDF in Chinese: pdf-lib with fontkit embedding Noto Sans SC (SIL OFL 1.1, from
// @expo-google-fonts/noto-sans-sc) subset to the characters printed (a certificate is ~10 KB, not the
// font's 10 MB), and a QR code of the verification URL drawn as vector rectangles (qrcode-generator's
// module matrix, one rectangle per run of dark modules in a row).
//
// The font is read once per process: beside the module first (in the Lambda bundle the topology's
// `files` copy it beside index.mjs), else from the package in the source tree (node_modules). The
// fontkit font parsed from it is reused by every PDF of the process.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { PDFDocument, PDFFont, PDFPage, rgb, pushGraphicsState, popGraphicsState, setFillingRgbColor, rectangle, fill, type PDFOperator } from 'pdf-lib';
import fontkit from '@pdf-lib/fontkit';
import qrcode from 'qrcode-generator';
import { centerCode } from '../../../shared/config.ts';
import { instantOf } from '../../../shared/clock.ts';
import { certificateLayout, shanghaiTime, type CertificateKind, type Statement } from '../domain/certificate.ts';

export const FONT_FILE = 'NotoSansSC_400Regular.ttf';
export const FONT_PACKAGE_PATH = `@expo-google-fonts/noto-sans-sc/400Regular/${FONT_FILE}`;

/** Where the font is: beside this module (the bundle), else the package (the source tree). */
export function fontPath(): string {
  const beside = fileURLToPath(new URL(`./${FONT_FILE}`, import.meta.url));
  if (existsSync(beside)) return beside;
  try {
    return createRequire(import.meta.url).resolve(FONT_PACKAGE_PATH);
  } catch {
    throw new Error(`the certificate font ${FONT_FILE} is neither beside the bundle nor resolvable as ${FONT_PACKAGE_PATH}`);
  }
}

let fontBytes: Uint8Array | undefined;
let parsed: unknown;
/** fontkit, parsing the one font once (pdf-lib asks it to parse the bytes for every document). */
const cachingFontkit = {
  create: (bytes: Uint8Array, name?: string) => (parsed ??= fontkit.create(bytes, name)),
} as unknown as typeof fontkit;

const loadFont = () => (fontBytes ??= new Uint8Array(readFileSync(fontPath())));

/** The center's name printed on certificates (env HPF_CENTER_NAME). */
export const centerName = () => process.env.HPF_CENTER_NAME || `住房公积金管理中心（${centerCode()}）`;

export interface CertificatePdfInput {
  kind: CertificateKind;
  certificateNo: string;
  verificationCode: string;
  verificationUrl: string;
  issuedAt: string;
  statement: Statement;
}

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 56;
const INK = rgb(0.1, 0.1, 0.1);
const GREY = rgb(0.45, 0.45, 0.45);
const LINE = rgb(0.75, 0.75, 0.75);

interface Metrics {
  unitsPerEm: number;
  glyphForCodePoint(cp: number): { advanceWidth: number };
}

/**
 * The width of `text` at `size` from the glyphs' advance widths (the font's cmap only: a CJK text has
 * no kerning to shape, and pdf-lib's widthOfTextAtSize would run the whole layout engine per call).
 */
function widthOf(text: string, size: number): number {
  const f = parsed as Metrics;
  let units = 0;
  for (const ch of text) units += f.glyphForCodePoint(ch.codePointAt(0)!).advanceWidth;
  return (units * size) / f.unitsPerEm;
}

/** Lines of `text` no wider than `width` at `size` (Chinese wraps between any two characters). */
function wrap(text: string, _font: PDFFont, size: number, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  let w = 0;
  for (const ch of Array.from(text)) {
    const cw = widthOf(ch, size);
    if (line && w + cw > width) {
      lines.push(line);
      line = '';
      w = 0;
    }
    line += ch;
    w += cw;
  }
  if (line) lines.push(line);
  return lines;
}

function centred(page: PDFPage, text: string, font: PDFFont, size: number, y: number) {
  const w = widthOf(text, size);
  page.drawText(text, { x: (A4[0] - w) / 2, y, size, font, color: INK });
}

/** The QR code of `text` at (x, y) (its lower left), `size` points wide, quiet zone included in `size`. */
function drawQr(page: PDFPage, text: string, x: number, y: number, size: number) {
  const qr = qrcode(0, 'M');
  qr.addData(text, 'Byte');
  qr.make();
  const n = qr.getModuleCount();
  const quiet = 4;
  const m = size / (n + 2 * quiet);
  const ops: PDFOperator[] = [pushGraphicsState(), setFillingRgbColor(0, 0, 0)];
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; ) {
      if (!qr.isDark(r, c)) {
        c++;
        continue;
      }
      let end = c;
      while (end < n && qr.isDark(r, end)) end++;
      ops.push(rectangle(x + (quiet + c) * m, y + (quiet + n - 1 - r) * m, (end - c) * m, m));
      c = end;
    }
  }
  ops.push(fill(), popGraphicsState());
  page.pushOperators(...ops);
}

/** The certificate's PDF (one A4 page). */
export async function renderCertificatePdf(input: CertificatePdfInput): Promise<Uint8Array> {
  const layout = certificateLayout(input.kind, input.statement, input.issuedAt);
  const issued = instantOf(input.issuedAt);
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.setTitle(`${layout.title} ${input.certificateNo}`);
  doc.setAuthor(centerName());
  doc.setSubject(`验证码 ${input.verificationCode}`);
  doc.setCreator('HPF Cloud');
  doc.setProducer('HPF Cloud (pdf-lib)');
  doc.setCreationDate(issued);
  doc.setModificationDate(issued);
  doc.registerFontkit(cachingFontkit);
  const font = await doc.embedFont(loadFont(), { subset: true });
  const page = doc.addPage(A4);
  const [W, H] = A4;
  const inner = W - 2 * MARGIN;

  page.drawRectangle({ x: MARGIN - 16, y: MARGIN - 16, width: W - 2 * (MARGIN - 16), height: H - 2 * (MARGIN - 16), borderColor: LINE, borderWidth: 1 });
  centred(page, centerName(), font, 12, H - 96);
  centred(page, layout.title, font, 22, H - 132);
  const no = `证明编号：${input.certificateNo}`;
  page.drawText(no, { x: W - MARGIN - widthOf(no, 10), y: H - 164, size: 10, font, color: GREY });

  let y = H - 200;
  for (const line of wrap(layout.lead, font, 11.5, inner)) {
    page.drawText(line, { x: MARGIN, y, size: 11.5, font, color: INK });
    y -= 20;
  }
  y -= 6;
  const rowH = 24;
  page.drawLine({ start: { x: MARGIN, y: y + rowH - 7 }, end: { x: W - MARGIN, y: y + rowH - 7 }, thickness: 0.6, color: LINE });
  for (const [label, value] of layout.rows) {
    page.drawText(label, { x: MARGIN + 8, y, size: 11, font, color: GREY });
    const lines = wrap(value, font, 11, inner - 140);
    lines.forEach((l, i) => page.drawText(l, { x: MARGIN + 130, y: y - i * 16, size: 11, font, color: INK }));
    y -= rowH + (lines.length - 1) * 16;
    page.drawLine({ start: { x: MARGIN, y: y + rowH - 7 }, end: { x: W - MARGIN, y: y + rowH - 7 }, thickness: 0.6, color: LINE });
  }
  y -= 8;
  for (const note of layout.notes) {
    for (const line of wrap(note, font, 9, inner)) {
      page.drawText(line, { x: MARGIN, y, size: 9, font, color: GREY });
      y -= 14;
    }
  }

  // the issuer, the time, the code and the URL beside the QR code
  const qrSize = 118;
  const qrX = W - MARGIN - qrSize + 8;
  const qrY = MARGIN + 4;
  drawQr(page, input.verificationUrl, qrX, qrY, qrSize);
  const textWidth = qrX - MARGIN - 12;
  let by = MARGIN + 104;
  const left = (text: string, size: number, color = INK) => {
    for (const line of wrap(text, font, size, textWidth)) {
      page.drawText(line, { x: MARGIN, y: by, size, font, color });
      by -= size + 6;
    }
  };
  left(`出具机构：${centerName()}`, 10.5);
  left(`出具时间：${shanghaiTime(input.issuedAt)}（北京时间）`, 10.5);
  left(`验证码：${input.verificationCode}`, 12);
  left(`验证网址：${input.verificationUrl}`, 8.5, GREY);
  left('本证明为电子证明，扫描右侧二维码或访问验证网址即可核验真伪。', 8.5, GREY);

  return doc.save();
}
