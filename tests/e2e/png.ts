// Pixel comparison of two screenshots (8-bit RGB/RGBA PNGs, as Chromium writes them).
// PNG bytes differ with the encoder's filter choices even when pixels are equal, so the
// rows are unfiltered before comparing.
import { inflateSync } from 'node:zlib';

export type Pixels = { width: number; height: number; channels: number; data: Uint8Array };

export function decodePng(png: Buffer): Pixels {
  let at = 8, width = 0, height = 0, channels = 0;
  const idat: Buffer[] = [];
  while (at < png.length) {
    const len = png.readUInt32BE(at);
    const type = png.toString('ascii', at + 4, at + 8);
    if (type === 'IHDR') {
      width = png.readUInt32BE(at + 8);
      height = png.readUInt32BE(at + 12);
      const [depth, colour] = [png[at + 16], png[at + 17]];
      if (depth !== 8 || (colour !== 2 && colour !== 6)) throw new Error(`unsupported PNG (depth ${depth}, colour ${colour})`);
      channels = colour === 6 ? 4 : 3;
    }
    if (type === 'IDAT') idat.push(png.subarray(at + 8, at + 8 + len));
    at += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const data = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? data[y * stride + x - channels] : 0;
      const b = y > 0 ? data[(y - 1) * stride + x] : 0;
      const c = x >= channels && y > 0 ? data[(y - 1) * stride + x - channels] : 0;
      const p = a + b - c;
      const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
      const predictor = [0, a, b, (a + b) >> 1, pa <= pb && pa <= pc ? a : pb <= pc ? b : c][filter];
      data[y * stride + x] = (src[x] + predictor) & 0xff;
    }
  }
  return { width, height, channels, data };
}

/** How many pixels differ between two screenshots of the same size (null if sizes differ).
 *  `corner` px squares at the four corners are skipped: a rounded element shows the page
 *  behind it there. */
export function differingPixels(a: Buffer, b: Buffer, corner = 0): number | null {
  const [pa, pb] = [decodePng(a), decodePng(b)];
  if (pa.width !== pb.width || pa.height !== pb.height || pa.channels !== pb.channels) return null;
  const { width, height } = pa;
  let n = 0;
  for (let i = 0; i < pa.data.length; i += pa.channels) {
    const [x, y] = [(i / pa.channels) % width, Math.floor(i / pa.channels / width)];
    if ((x < corner || x >= width - corner) && (y < corner || y >= height - corner)) continue;
    for (let k = 0; k < pa.channels; k++) {
      if (pa.data[i + k] !== pb.data[i + k]) { n++; break; }
    }
  }
  return n;
}
