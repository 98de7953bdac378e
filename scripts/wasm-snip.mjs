// Replaces the body of every function of a wasm module whose symbol matches a pattern with
// `unreachable`, so that wasm-opt then drops everything only those bodies called (the idea of
// rustwasm's wasm-snip, done with the binaryen.js that scripts/tools.sh already installs).
//
//   node scripts/wasm-snip.mjs <binaryen dir> <in.wasm> <out.wasm> <regexp>...
//
// Needs the name section (the release build before wasm-opt has it). Prints how many functions
// were snipped; fails if a pattern matches nothing, so a toolchain change that renames the
// symbols is noticed instead of silently keeping the code.
import { writeFileSync } from "node:fs";
import { readModule } from "./wasm-module.mjs";

const [dir, input, output, ...patterns] = process.argv.slice(2);
if (!dir || !input || !output || patterns.length === 0) {
  console.error("usage: wasm-snip.mjs <binaryen dir> <in.wasm> <out.wasm> <regexp>...");
  process.exit(2);
}
const { binaryen, mod } = await readModule(dir, input);
const res = patterns.map((p) => ({ re: new RegExp(p), hits: 0 }));
for (let i = 0; i < mod.getNumFunctions(); i++) {
  const f = mod.getFunctionByIndex(i);
  const info = binaryen.getFunctionInfo(f);
  if (info.module) continue; // an import has no body
  const r = res.find(({ re }) => re.test(info.name));
  if (!r) continue;
  binaryen.Function.setBody(f, mod.unreachable());
  r.hits++;
}
for (const { re, hits } of res) {
  if (hits === 0) {
    console.error(`wasm-snip: no function of ${input} matches ${re}`);
    process.exit(1);
  }
}
writeFileSync(output, mod.emitBinary());
console.log(res.map(({ re, hits }) => `${hits} x ${re.source}`).join(", "));
