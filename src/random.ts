/**
 * mulberry32: a tiny, fast 32-bit PRNG returning floats in [0, 1). Not cryptographic, but well
 * distributed enough for resampling and data generation, and — unlike Math.random — seedable, so a
 * reported interval or a generated benchmark can be reproduced exactly.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
