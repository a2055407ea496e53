// The package's wasm memory, read from outside: the next WebAssembly.Instance
// made (the package's, when this is required before it) is watched, and
// `size()` gives its memory's byte length. Used by memory.test.mjs and
// bench/body-memory.mjs; no export of the package is needed for it.
let memory = null;
const Instance = WebAssembly.Instance;
WebAssembly.Instance = function (module, imports) {
  const instance = new Instance(module, imports);
  // Found by kind: the package's build gives the module's exports short names.
  memory = Object.values(instance.exports).find((e) => e instanceof WebAssembly.Memory);
  return instance;
};

/** The watched module's memory, in bytes. */
exports.size = () => memory.buffer.byteLength;

/** A JSON object whose one member is a string of about `mib` MiB: read whole, judged and refused (no "status"). */
exports.largeBody = (mib) => {
  const body = new Uint8Array(mib * 1024 * 1024).fill(0x61);
  body.set(new TextEncoder().encode('{"x":"'), 0);
  body.set(new TextEncoder().encode('"}'), body.length - 2);
  return body;
};
