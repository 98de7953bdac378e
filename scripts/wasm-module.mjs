// Reads a wasm module with the binaryen.js that scripts/tools.sh installs, with the features
// rustc enables by default for wasm32-unknown-unknown (1.82 and later). Shared by
// scripts/wasm-snip.mjs and scripts/check-float-arm.mjs.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { join } from "node:path";

export async function readModule(dir, input) {
  const binaryen = (await import(pathToFileURL(join(dir, "node_modules/binaryen/index.js")).href))
    .default;
  const F = binaryen.Features;
  const features =
    F.MutableGlobals | F.NontrappingFPToInt | F.BulkMemory | F.BulkMemoryOpt | F.SignExt |
    F.ReferenceTypes | F.Multivalue | F.CallIndirectOverlong;
  return { binaryen, mod: binaryen.readBinary(readFileSync(input), features) };
}
