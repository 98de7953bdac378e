// Checks, on a contract's release build (before wasm-opt, with its name section), that core's
// f64 formatting is reachable only through the arm of serde's `Unexpected` Display for
// `Unexpected::Float`, and that this arm is dead: serde_json (the only JSON library the
// contracts link) formats every `Unexpected` through its own `JsonUnexpected`, which prints a
// float with zmij itself and hands `Unexpected::fmt` every other kind. When this holds,
// `scripts/build-wasm.sh` replaces `WithDecimalPoint::fmt` and `<f64 as Display>::fmt` with
// `unreachable` (about 18 KB of flt2dec per contract) without changing what any input can
// reach. Exits 1, naming what changed, when it does not hold; exits 3 when the build links no
// f64 formatting at all (nothing to replace).
//
//   node scripts/check-float-arm.mjs <binaryen dir> <in.wasm>
//
// A function is "referenced" by another when the other calls it directly or uses its table
// index as a value (how a `fmt::Arguments` holds a formatter); the same number as an operand
// of arithmetic (an address offset, a mask, a bound) is not a reference. Anything else counts
// as a reference, so an unexpected shape fails the build rather than passing it.
import { functionBodies, onlyFunction, readModule, referrers, tableSlots } from "./wasm-module.mjs";

const [dir, input] = process.argv.slice(2);
if (!dir || !input) {
  console.error("usage: check-float-arm.mjs <binaryen dir> <in.wasm>");
  process.exit(2);
}
const { binaryen, mod } = await readModule(dir, input);
binaryen.setDebugInfo(true);
const text = mod.emitText();

const fail = (msg) => {
  console.error(`check-float-arm: ${input}: ${msg}`);
  process.exit(1);
};

// The functions involved, by symbol.
const F64_DISPLAY = /^_RNvXs[0-9a-z]*_NtNtCs[0-9A-Za-z_]+_4core3fmt5floatdNtB[0-9a-z]+_7Display3fmt$/;
const WITH_DECIMAL_POINT = /^_ZN\d+_\$LT\$serde_core\.\.de\.\.WithDecimalPoint\$u20\$as\$u20\$core\.\.fmt\.\.Display\$GT\$3fmt17h[0-9a-f]{16}E$/;
const UNEXPECTED = /^_ZN\d+_\$LT\$serde_core\.\.de\.\.Unexpected\$u20\$as\$u20\$core\.\.fmt\.\.Display\$GT\$3fmt17h[0-9a-f]{16}E$/;
const JSON_UNEXPECTED = /^_ZN\d+_\$LT\$serde_json\.\.error\.\.JsonUnexpected\$u20\$as\$u20\$core\.\.fmt\.\.Display\$GT\$3fmt17h[0-9a-f]{16}E$/;

const bodies = functionBodies(text);
// With link-time optimization LLVM itself drops the dead Float arm, and with it every f64
// formatter: then there is nothing to replace (exit 3, told apart from a failed proof).
if (![...bodies.keys()].some((n) => F64_DISPLAY.test(n))) {
  // Not linked only if no part of core's float formatter is (it could be inlined elsewhere).
  const flt2dec = [...bodies.keys()].filter((n) => n.includes("flt2dec"));
  if (flt2dec.length) fail(`no <f64 as Display>::fmt, but flt2dec is linked: ${flt2dec[0]}`);
  console.log("f64 formatting not linked");
  process.exit(3);
}
const named = (re, what) => onlyFunction(bodies, re, what, fail);
const f64Display = named(F64_DISPLAY, "<f64 as Display>::fmt");
const withDecimalPoint = named(WITH_DECIMAL_POINT, "<WithDecimalPoint as Display>::fmt");
const jsonUnexpected = named(JSON_UNEXPECTED, "<JsonUnexpected as Display>::fmt");
const unexpected = [...bodies.keys()].find((n) => UNEXPECTED.test(n)); // may be inlined

const slots = tableSlots(text);
const referrersOf = (target) => referrers(bodies, slots, target);

// A table slot stored as data (a vtable) would be a reference no function shows.
const data = Buffer.concat(
  [...text.matchAll(/\(data \$\S+ \(i32\.const \d+\) "((?:[^"\\]|\\.)*)"\)/g)].map((m) =>
    Buffer.from(
      m[1].replace(/\\([0-9a-f]{2})|\\(.)/g, (_, hex, c) =>
        hex ? String.fromCharCode(parseInt(hex, 16)) : { n: "\n", t: "\t", r: "\r" }[c] ?? c),
      "latin1",
    )),
);
function inData(target) {
  const slot = slots.get(target);
  if (slot === undefined) return false;
  for (let i = 0; i + 4 <= data.length; i += 4) if (data.readUInt32LE(i) === slot) return true;
  return false;
}
const only = (target, allowed, what) => {
  const extra = [...referrersOf(target)].filter((n) => !allowed.includes(n));
  if (extra.length) fail(`${what} is referenced by ${extra.join(", ")}`);
  if (inData(target)) fail(`the table slot of ${what} appears in the data segment`);
};

// 1. f64 formatting only inside `WithDecimalPoint::fmt`.
only(f64Display, [withDecimalPoint], "<f64 as Display>::fmt");
// 2. `WithDecimalPoint::fmt` only from the Float arm of `Unexpected::fmt` (or of its copy
//    inlined into `JsonUnexpected::fmt`).
only(withDecimalPoint, [unexpected, jsonUnexpected].filter(Boolean), "WithDecimalPoint::fmt");
// 3. `Unexpected::fmt` only called by `JsonUnexpected::fmt`, which never passes it a float
//    (serde_json's error.rs: `de::Unexpected::Float(value) => write!(.., zmij::Buffer ..)`).
if (unexpected) {
  if (slots.has(unexpected)) fail("<Unexpected as Display>::fmt is in the function table");
  only(unexpected, [jsonUnexpected], "<Unexpected as Display>::fmt");
}
console.log("float arm dead: f64 formatting only behind serde's Unexpected::Float arm");
