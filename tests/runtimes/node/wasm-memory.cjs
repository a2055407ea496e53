// The package's wasm memory, read from outside: every WebAssembly.Instance
// made after this is required (the package's, when this comes first) is
// watched, and `size()` gives the latest one's memory's byte length. Used by
// memory.test.mjs, trap.test.mjs and bench/body-memory.mjs; no export of the
// package is needed for it.
let memory = null;
const made = []; // a WeakRef to each instance's memory, in order
const Instance = WebAssembly.Instance;
WebAssembly.Instance = function (module, imports) {
  const instance = new Instance(module, imports);
  // Found by kind: the package's build gives the module's exports short names.
  memory = Object.values(instance.exports).find((e) => e instanceof WebAssembly.Memory);
  made.push(new WeakRef(memory));
  return instance;
};

/** The watched module's memory, in bytes. */
exports.size = () => memory.buffer.byteLength;

/** How many instances were made. */
exports.instances = () => made.length;

/** Whether the memory of the `i`-th instance made (from 0) still exists. */
exports.alive = (i) => made[i].deref() !== undefined;

/**
 * Grows the latest instance's memory to its limit, as a module that used up
 * its address space would find it: the module's allocator can no longer grow
 * it, and an allocation larger than what it has free fails. The pages are
 * reserved, not touched.
 */
exports.exhaust = () => {
  for (let step = 16384; step >= 1;) {
    try {
      memory.grow(step);
    } catch {
      step >>= 1;
    }
  }
  return memory.buffer.byteLength;
};

/** A JSON object whose one member is a string of about `mib` MiB: read whole, judged and refused (no "status"). */
exports.largeBody = (mib) => {
  const body = new Uint8Array(mib * 1024 * 1024).fill(0x61);
  body.set(new TextEncoder().encode('{"x":"'), 0);
  body.set(new TextEncoder().encode('"}'), body.length - 2);
  return body;
};
