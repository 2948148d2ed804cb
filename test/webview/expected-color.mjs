// Independent re-implementation of the heatmap's colour (viridis, log scale) for the pixel check.
const VIRIDIS = [[0x44, 0x01, 0x54], [0x47, 0x2c, 0x7a], [0x3b, 0x51, 0x8b], [0x2c, 0x71, 0x8e], [0x21, 0x90, 0x8d],
  [0x27, 0xad, 0x81], [0x5c, 0xc8, 0x63], [0xaa, 0xdc, 0x32], [0xfd, 0xe7, 0x25]];
export function expectedColor(v, lo, hi) {
  const t = (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo));
  const x = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const k = Math.min(VIRIDIS.length - 2, Math.floor(x)), f = x - k;
  return VIRIDIS[k].map((c, n) => c + (VIRIDIS[k + 1][n] - c) * f);
}
