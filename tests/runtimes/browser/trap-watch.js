// Loaded by trap.html before the package: keeps the memory of every
// WebAssembly instance the page makes (the package's exports have short
// names, so the memory is found by kind), for trap-page.js to exhaust.
window.__memories = [];
const Instance = WebAssembly.Instance;
WebAssembly.Instance = function (module, imports) {
  const instance = new Instance(module, imports);
  window.__memories.push(Object.values(instance.exports).find((e) => e instanceof WebAssembly.Memory));
  return instance;
};
