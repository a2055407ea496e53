// Measuring, shared by bench/suite.mjs and bench/main-path.mjs (Node and Chromium).
import { measure } from 'mitata';

const gcOption = () => (typeof globalThis.gc === 'function' ? () => globalThis.gc() : false);

/**
 * Median nanoseconds of `fn` (awaited when it returns a promise). Operations
 * under 1 ms run 128 times per sample: browsers round timers to 0.1 ms.
 */
export async function median(fn, minCpuMs, minSamples = 12) {
  const stats = await measure(fn, {
    min_cpu_time: minCpuMs * 1e6,
    min_samples: minSamples,
    batch_threshold: 1e6,
    warmup_threshold: 5e6, // (batching is decided during warm-up)
    batch_samples: 128,
    gc: gcOption(),
  });
  return stats.p50;
}

/** The middle value of a list of numbers. */
export const middle = (xs) => [...xs].sort((p, q) => p - q)[Math.floor((xs.length - 1) / 2)];

/** A StorageLike over a Map of JS strings (the same in Node and browsers; Node 20 has no localStorage). */
export function mapStorage() {
  const map = new Map();
  return {
    map,
    getItem: (k) => (map.has(k) ? map.get(k) : null),
    setItem: (k, v) => void map.set(k, String(v)),
    removeItem: (k) => void map.delete(k),
    keys: () => [...map.keys()],
  };
}
