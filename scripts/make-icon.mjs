// Draws the extension icon (media/icon.png): a gold padlock with a lens cut into its body,
// on a rounded dark-blue square. 128x128 RGBA, anti-aliased by 4x4 supersampling.
// Only node:zlib is used; the PNG chunks (IHDR, IDAT, IEND) and their CRCs are written here.
//   node scripts/make-icon.mjs [out.png]
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const SIZE = 128;
const SS = 4; // samples per axis per pixel

const BLUE = [0x15, 0x3a, 0x63]; // background
const GOLD = [0xf4, 0xb9, 0x3e]; // padlock

// --- signed distance functions (negative inside), in pixel units ---------------------------

function roundedBox(x, y, cx, cy, hw, hh, r) {
  const qx = Math.abs(x - cx) - hw + r;
  const qy = Math.abs(y - cy) - hh + r;
  const ox = Math.max(qx, 0), oy = Math.max(qy, 0);
  return Math.hypot(ox, oy) + Math.min(Math.max(qx, qy), 0) - r;
}

function segment(x, y, ax, ay, bx, by) {
  const px = x - ax, py = y - ay, dx = bx - ax, dy = by - ay;
  const t = Math.max(0, Math.min(1, (px * dx + py * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - t * dx, py - t * dy);
}

// Padlock geometry.
const SHACKLE = { cx: 64, cy: 46, r: 19, half: 5.5, legBottom: 64 };
const BODY = { cx: 64, cy: 80, hw: 36, hh: 27, r: 9 };
const LENS = { cx: 59, cy: 77, r: 11, half: 3 };
const HANDLE = { ax: 67.5, ay: 85.5, bx: 79, by: 97, half: 3.5 };

function shackle(x, y) {
  const { cx, cy, r, half, legBottom } = SHACKLE;
  const d = y <= cy
    ? Math.abs(Math.hypot(x - cx, y - cy) - r) // upper half circle
    : Math.min(segment(x, y, cx - r, cy, cx - r, legBottom), segment(x, y, cx + r, cy, cx + r, legBottom));
  return d - half;
}

function lens(x, y) {
  const ring = Math.abs(Math.hypot(x - LENS.cx, y - LENS.cy) - LENS.r) - LENS.half;
  const handle = segment(x, y, HANDLE.ax, HANDLE.ay, HANDLE.bx, HANDLE.by) - HANDLE.half;
  return Math.min(ring, handle);
}

// Colour of one sample: [r, g, b, a] with a in 0..1.
function sample(x, y) {
  if (roundedBox(x, y, 64, 64, 60, 60, 26) > 0) return [0, 0, 0, 0];
  const body = roundedBox(x, y, BODY.cx, BODY.cy, BODY.hw, BODY.hh, BODY.r);
  if (body <= 0) return lens(x, y) <= 0 ? [...BLUE, 1] : [...GOLD, 1];
  if (shackle(x, y) <= 0) return [...GOLD, 1];
  return [...BLUE, 1];
}

function render() {
  const rgba = Buffer.alloc(SIZE * SIZE * 4);
  for (let py = 0; py < SIZE; py++) {
    for (let px = 0; px < SIZE; px++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < SS; sy++) {
        for (let sx = 0; sx < SS; sx++) {
          const [cr, cg, cb, ca] = sample(px + (sx + 0.5) / SS, py + (sy + 0.5) / SS);
          r += cr * ca; g += cg * ca; b += cb * ca; a += ca; // premultiplied accumulation
        }
      }
      const o = (py * SIZE + px) * 4;
      if (a > 0) {
        rgba[o] = Math.round(r / a);
        rgba[o + 1] = Math.round(g / a);
        rgba[o + 2] = Math.round(b / a);
      }
      rgba[o + 3] = Math.round((255 * a) / (SS * SS));
    }
  }
  return rgba;
}

// --- PNG encoding ---------------------------------------------------------------------------

const CRC_TABLE = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

function encodePng(rgba, width, height) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type: truecolour with alpha
  ihdr[10] = 0; // compression: deflate
  ihdr[11] = 0; // filter method 0
  ihdr[12] = 0; // no interlace
  // Each scanline is prefixed with its filter type; 0 (None) keeps this simple.
  const stride = width * 4;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) rgba.copy(raw, y * (stride + 1) + 1, y * stride, (y + 1) * stride);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const out = process.argv[2] ?? fileURLToPath(new URL('../media/icon.png', import.meta.url));
fs.mkdirSync(path.dirname(out), { recursive: true });
const png = encodePng(render(), SIZE, SIZE);
fs.writeFileSync(out, png);
console.log(`wrote ${out} (${png.length} bytes)`);
