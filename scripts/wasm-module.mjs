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

// Function bodies of binaryen's text of a module (with names), by name.
export function functionBodies(text) {
  const bodies = new Map();
  for (const chunk of text.split(/\n \(func \$/).slice(1)) {
    bodies.set(chunk.slice(0, chunk.search(/[\s)]/)), chunk);
  }
  return bodies;
}

// The one function whose name matches `re`; `fail` (which does not return) unless exactly one.
export function onlyFunction(bodies, re, what, fail) {
  const hits = [...bodies.keys()].filter((n) => re.test(n));
  if (hits.length !== 1) fail(`expected one function for ${what}, found ${hits.length}`);
  return hits[0];
}

// Table slots by function name: `(elem ... (i32.const OFFSET) $f0 $f1 ...)`.
export function tableSlots(text) {
  const slots = new Map();
  for (const m of text.matchAll(/\(elem [^\n]*?\(i32\.const (\d+)\)([^\n]*)\)/g)) {
    const offset = Number(m[1]);
    [...m[2].matchAll(/\$([^\s)]+)/g)].forEach((f, i) => slots.set(f[1], offset + i));
  }
  return slots;
}

// Operators whose operand is a number, never a function's table index: an address offset, a
// mask, a bound.
const ARITHMETIC = /^\(i32\.(add|sub|mul|and|or|xor|shl|shr_u|shr_s|div_u|rem_u|lt_u|le_u|gt_u|ge_u|lt_s|le_s|gt_s|ge_s)$/;

// The functions that reference `target`: call it directly, or use its table index as a value
// (how a `fmt::Arguments` holds a formatter); the same number as an operand of arithmetic is
// not a reference, anything else is.
export function referrers(bodies, slots, target) {
  const out = new Set();
  const slot = slots.get(target);
  for (const [name, body] of bodies) {
    if (name === target) continue;
    if (body.includes(`(call $${target})`) || body.includes(`(call $${target}\n`)) out.add(name);
    if (slot === undefined) continue;
    const lines = body.split("\n");
    lines.forEach((line, i) => {
      if (line.trim() !== `(i32.const ${slot})`) return;
      // The enclosing expression: the nearest line above that is indented less.
      const indent = line.search(/\S/);
      let j = i - 1;
      while (j >= 0 && lines[j].search(/\S/) >= indent) j--;
      const parent = j >= 0 ? lines[j].trim() : "";
      if (!ARITHMETIC.test(parent)) out.add(name);
    });
  }
  return out;
}
