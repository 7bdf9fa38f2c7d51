/**
 * A small seeded PRNG (mulberry32) returning floats in [0, 1). The bootstrap draws from it, so
 * that the same samples always give the same interval and the same verdict.
 */
export function createGateRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
