/**
 * A seeded PRNG returning floats in [0, 1): reproducible runs.
 * sfc32 (Chris Doty-Humphrey's small fast chaotic generator), its state filled by splitmix32 so that
 * neighbouring seeds give unrelated streams. Any finite number is a valid seed.
 */
export function createSeededRandom(seed: number): () => number {
  let mix = (Math.trunc(seed) ^ Math.trunc(seed / 0x1_0000_0000)) >>> 0;
  const splitmix32 = (): number => {
    mix = (mix + 0x9e3779b9) | 0;
    let z = mix;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix32();
  let b = splitmix32();
  let c = splitmix32();
  let d = splitmix32();
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 0x1_0000_0000;
  };
  // The first outputs of a freshly seeded sfc32 are still correlated with the seed.
  for (let i = 0; i < 12; i++) next();
  return next;
}

/** An index in [0, n) from a generator of floats in [0, 1). */
export function randomIndex(random: () => number, n: number): number {
  const index = Math.floor(random() * n);
  // A generator that returns exactly 1 (outside its contract) must not index past the end.
  return index < n ? index : n - 1;
}
