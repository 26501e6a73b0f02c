/**
 * The LP/MIP solver: HiGHS compiled to WebAssembly (package `highs`). Loading
 * compiles the Wasm module once per process; solves are synchronous after.
 */
import type { Highs } from "highs";
import * as highsModule from "highs";

export type { Highs };

// The package ships CommonJS typings for an ESM build whose default export is the loader.
const highsLoader = (highsModule as unknown as { default: () => Promise<Highs> }).default;

let loading: Promise<Highs> | undefined;

export function loadSolver(): Promise<Highs> {
  if (!loading) loading = highsLoader();
  return loading;
}
