// hash-wasm's creators of the algorithms it computes for us, in a module of their own that
// wasm.ts imports when it first needs one: a thread that only lists, or hashes with another
// engine, never evaluates hash-wasm.
export { createAdler32, createBLAKE3, createXXHash128 } from 'hash-wasm';
