// The WebAssembly instance behind every call, and what a trap does to it.
//
// Each start makes a *generation*: a fresh copy of the wasm-bindgen glue (the
// build turns the glue module into a factory, `createGlue`) over a fresh
// instance of the compiled module. Every export the glue calls goes through a
// guard. A trap (`WebAssembly.RuntimeError`: memory ran out, or a bug) leaves
// an instance's stack and heap in an unknown state, so it ends the generation:
//
// - the calls it had in flight are rejected with a ResourcesError
//   (`INTERNAL_ERROR`, retryable), and a synchronous call that trapped throws one;
// - from then on nothing runs in it: its exports return zeros, so the timers
//   and promise callbacks it left behind wake nothing; once the glue code on
//   the stack has returned, its requests are aborted, its channel closed, its
//   listeners removed, its timers cleared and its memory let go (the glue is
//   handed its own AbortController, BroadcastChannel, addEventListener and
//   setTimeout to make that possible);
// - the next call starts a new generation from the same compiled module.
//   Clients made before carry on: each makes its wasm side again (start.js).
import { createGlue } from 'resources-client:glue';
import { ResourcesError } from './errors.js';

/** What a dead instance's exports return: zeros, whatever the glue reads of it. */
const NOTHING = Object.freeze([0, 0, 0, 0]);

/** The error of a call that met a trap, or was in flight when one happened. */
export function trapError(cause) {
  const what = cause && typeof cause === 'object' && 'message' in cause ? String(cause.message) : String(cause);
  return new ResourcesError(
    `the WebAssembly module stopped (${what}): memory ran out or a bug was hit; `
      + 'it starts afresh on the next call, which may be tried again', { code: 'INTERNAL_ERROR', retryable: true, cause },
  );
}

/** One instance of the module with its own glue. */
export class Generation {
  /**
   * Instantiates `module` (a WebAssembly.Module) and runs `setup(glue)`; throws
   * what instantiation throws.
   */
  constructor(module, setup) {
    /** Whether a trap ended it. */
    this.dead = false;
    /** The trap. */
    this.cause = null;
    /** Rejecters of the calls in flight. */
    this.pending = new Set();
    /** Each client's side in this instance (start.js), dropped when it dies. */
    this.sides = new WeakMap();
    /** What ends the requests, channel and listeners the instance made, set while it is made. */
    this.cutOff = null;
    /** What lets the instance and its memory go, set while it is made. */
    this.release = null;
    const real = globalThis.WebAssembly;
    const generation = this;
    // The glue instantiates through `WebAssembly.Instance`: this one hands it
    // the guarded exports instead of the instance's own.
    function Instance(compiled, imports) {
      return { exports: generation.#guard(new real.Instance(compiled, imports).exports, real) };
    }
    const platform = this.#platform();
    this.glue = createGlue({ ...platform, WebAssembly: Object.create(real, { Instance: { value: Instance } }) });
    this.glue.initSync({ module });
    if (this.dead) throw this.cause;
    setup(this.glue);
    if (this.dead) throw this.cause;
  }

  /** The exports with every function behind the trap check. */
  #guard(exports, real) {
    const functions = [];
    const guarded = {};
    for (const name of Object.keys(exports)) {
      const value = exports[name];
      if (typeof value !== 'function') {
        guarded[name] = value;
        continue;
      }
      const i = functions.push(value) - 1;
      guarded[name] = (...args) => {
        if (this.dead) return NOTHING;
        try {
          return functions[i](...args);
        } catch (e) {
          if (!(e instanceof real.RuntimeError)) throw e;
          this.#trap(e);
          return NOTHING;
        }
      };
    }
    // Lets the instance and its memory go, whatever the glue left holding
    // this object (a listener, a timer): the exports, the memory (its buffer
    // detached, so the views the glue keeps hold nothing), the reference table
    // and the globals (each refers to its instance) are replaced or dropped.
    this.release = () => {
      functions.length = 0;
      for (const name of Object.keys(guarded)) {
        const value = guarded[name];
        if (typeof value === 'function') continue;
        guarded[name] = undefined;
        try {
          if (value instanceof real.Memory) {
            value.grow(0);
            guarded[name] = new real.Memory({ initial: 1 });
          } else if (value instanceof real.Table) {
            guarded[name] = new real.Table({ element: 'externref', initial: 1 });
          }
        } catch {
          // An engine without these: the glue finds nothing there, and a dead
          // instance's glue only ever reads zeros.
        }
      }
    };
    return guarded;
  }

  /**
   * The globals through which an instance reaches out beyond a call, each
   * keeping what it made, and `cutOff()`, which ends all of it.
   */
  #platform() {
    const global = globalThis;
    // The controllers of the last requests, in a ring: the ones in flight at a
    // trap are among them (a WeakRef per request cost a third of a small
    // fetchResources in Node); the rest end on their own, waking nothing.
    const controllers = new Array(32);
    let next = 0;
    const channels = new Set();
    const listeners = new Map(); // handler -> event type
    let AbortController = global.AbortController;
    if (typeof AbortController === 'function') {
      AbortController = class extends global.AbortController {
        constructor() {
          super();
          controllers[next] = this;
          next = (next + 1) % controllers.length;
        }
      };
    }
    let BroadcastChannel = global.BroadcastChannel;
    if (typeof BroadcastChannel === 'function') {
      BroadcastChannel = class extends global.BroadcastChannel {
        constructor(name) {
          super(name);
          channels.add(this);
        }
      };
    }
    const listening = typeof global.addEventListener === 'function' && typeof global.removeEventListener === 'function';
    // Pending timers (a request's time limit, a retry's wait): their callbacks
    // hold the instance until they fire, so a trapped one clears them.
    const timers = new Set();
    this.cutOff = () => {
      for (const id of timers) global.clearTimeout(id);
      timers.clear();
      for (const controller of controllers) controller?.abort();
      controllers.fill(undefined);
      for (const channel of channels) channel.close();
      channels.clear();
      for (const [handler, type] of listeners) global.removeEventListener(type, handler);
      listeners.clear();
    };
    return {
      AbortController,
      BroadcastChannel,
      addEventListener: listening ? (type, handler) => {
        global.addEventListener(type, handler);
        listeners.set(handler, type);
      } : undefined,
      removeEventListener: listening ? (type, handler) => {
        global.removeEventListener(type, handler);
        listeners.delete(handler);
      } : undefined,
      setTimeout: (handler, ms) => {
        const id = global.setTimeout(() => {
          timers.delete(id);
          handler();
        }, ms);
        timers.add(id);
        return id;
      },
      clearTimeout: (id) => {
        timers.delete(id);
        global.clearTimeout(id);
      },
    };
  }

  #trap(cause) {
    if (this.dead) return;
    this.dead = true;
    this.cause = cause;
    for (const reject of this.pending) reject(trapError(cause));
    this.pending.clear();
    setTimeout(() => {
      this.sides = new WeakMap();
      try {
        this.cutOff();
      } finally {
        this.release?.();
      }
    }, 0);
  }

  /**
   * Runs `use(glue)`, a synchronous call into this generation; a trap during
   * it becomes a ResourcesError.
   */
  call(use) {
    let out;
    try {
      out = use(this.glue);
    } catch (e) {
      throw this.dead ? trapError(this.cause) : e;
    }
    if (this.dead) throw trapError(this.cause);
    return out;
  }

  /**
   * `promise` (a call in flight in this generation), rejected with a
   * ResourcesError if a trap ends the generation before it settles.
   */
  track(promise) {
    if (this.dead) return Promise.reject(trapError(this.cause));
    return new Promise((resolve, reject) => {
      this.pending.add(reject);
      promise.then(
        (value) => {
          this.pending.delete(reject);
          resolve(value);
        },
        (error) => {
          this.pending.delete(reject);
          reject(this.dead ? trapError(this.cause) : error);
        },
      );
    });
  }
}

let compiled = null;
let setupGlue = null;
let current = null;

/**
 * Starts the module: `module` is a WebAssembly.Module or its bytes; `setup`
 * runs on every generation's glue. Throws on failure.
 */
export function start(module, setup) {
  const real = globalThis.WebAssembly;
  const ready = module instanceof real.Module ? module : new real.Module(module);
  current = new Generation(ready, setup);
  compiled = ready;
  setupGlue = setup;
}

/** Whether the module was started. */
export function started() {
  return current !== null;
}

/** The live generation: a new one if the last trapped (throws if it cannot start). */
export function live() {
  if (current.dead) {
    try {
      current = new Generation(compiled, setupGlue);
    } catch (e) {
      throw new ResourcesError(`the WebAssembly module could not be started again after a trap: ${e?.message ?? e}`,
        { code: 'INIT_FAILED', cause: e });
    }
  }
  return current;
}
