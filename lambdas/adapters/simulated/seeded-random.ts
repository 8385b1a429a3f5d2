/** mulberry32: a tiny, fast PRNG; the same seed gives the same sequence on every machine. */
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

/** FNV-1a over 32-bit words, to derive one seed per (seed, position, …). */
export function hashInts(...values: number[]): number {
  let hash = 0x811c9dc5;
  for (const value of values) {
    let v = value | 0;
    for (let i = 0; i < 4; i++) {
      hash = Math.imul(hash ^ (v & 0xff), 0x01000193);
      v >>>= 8;
    }
  }
  return hash >>> 0;
}
