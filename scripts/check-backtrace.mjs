// Checks, on a contract's release build (before wasm-opt, with its name section) and on the
// sources of the crates it links, that `<std::backtrace::Backtrace as Display>::fmt` is never
// called. When this holds, `scripts/build-wasm.sh` replaces it with `unreachable` (about
// 1.9 KB per contract with the frame printer only it calls) without changing what any input
// can reach. Exits non-zero, naming what changed, when it does not hold.
//
//   node scripts/check-backtrace.mjs <binaryen dir> <in.wasm> <cargo package>
//
// The argument, in two parts:
//
// A. On the wasm: the function is called by no function and its table index is used as a
//    value by no function (the same notion of "used" as scripts/check-float-arm.mjs) and is
//    stored in the data exactly twice: in `Backtrace`'s `dyn Display` vtable
//    ([drop_in_place<Backtrace>, size, align, Display::fmt]) and in the vtable of a trait
//    with supertraits `Debug + Display` ([drop_in_place<Backtrace>, size, align, Debug::fmt,
//    Display::fmt, &dyn Display vtable]). The `dyn Display` vtable's address is stored only
//    in the latter's upcast slot and appears in no code; no code reads the latter's Display
//    or upcast slot at a constant address. So the function runs only when code calls the
//    Display method of a `dyn (Debug + Display)` holding a `Backtrace`, or upcasts one to
//    `dyn Display`.
// B. In the sources: that trait is cosmwasm-std's private `Printable`
//    (`errors/backtrace.rs`, pinned below by its SHA-256: `BT(Box<dyn Printable>)`, built on
//    wasm32 from `Backtrace::disabled()`), whose Display method only `<BT as Display>::fmt`
//    calls and which nothing upcasts. A `BT` can only be reached through a field or accessor
//    named `backtrace` (`BT` itself is `pub(crate)`). Every line of code (not comments) that
//    names `backtrace` or `BT` in the sources of the crates the contract links (cargo
//    metadata's resolve, normal dependencies, wasm32; proc-macro crates excluded: what they
//    generate is driven by the tokens of the crates that use them, which are scanned) is in
//    the reviewed list below, and none of them formats a `BT` with Display. A new line, or a
//    changed `backtrace.rs`, fails the check until it is reviewed.
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { functionBodies, onlyFunction, readModule, referrers, tableSlots } from "./wasm-module.mjs";

const [dir, input, pkg] = process.argv.slice(2);
if (!dir || !input || !pkg) {
  console.error("usage: check-backtrace.mjs <binaryen dir> <in.wasm> <cargo package>");
  process.exit(2);
}
const fail = (msg) => {
  console.error(`check-backtrace: ${input}: ${msg}`);
  process.exit(1);
};

// ---- B. The sources. ----

// cosmwasm-std's errors/backtrace.rs as reviewed (3.0.11).
const BACKTRACE_RS_SHA256 = "356532f034a7b59b60d0595a9156843800d9ff98f41d3778ca85fcda82b5be22";
// Every code line naming `backtrace` or `BT` in a linked crate (but `backtrace.rs`, pinned whole), as "<crate>/<path>: <line>".
// None formats a `BT` with Display: fields, constructors, a `Debug`-only derive, an accessor
// nobody calls, and thiserror's re-export of `Backtrace` for its derive's `provide` (nightly).
const REVIEWED = new Set([
  "thiserror/src/private.rs: pub use std::backtrace::Backtrace;",
  // Displays a `Backtrace` itself (not a `BT`), under `cfg(procmacro2_backtrace)`: part A
  // would see that (a direct use of `<Backtrace as Display>::fmt`).
  "proc-macro2/src/wrapper.rs: let backtrace = std::backtrace::Backtrace::force_capture();",
  'proc-macro2/src/wrapper.rs: panic!("compiler/fallback mismatch L{}\\n\\n{}", line, backtrace)',
  "cosmwasm-std/src/errors/verification_error.rs: use super::BT;",
  "cosmwasm-std/src/errors/verification_error.rs: UnknownErr { error_code: u32, backtrace: BT },",
  "cosmwasm-std/src/errors/verification_error.rs: backtrace: BT::capture(),",
  "cosmwasm-std/src/errors/recover_pubkey_error.rs: use super::BT;",
  "cosmwasm-std/src/errors/recover_pubkey_error.rs: UnknownErr { error_code: u32, backtrace: BT },",
  "cosmwasm-std/src/errors/recover_pubkey_error.rs: backtrace: BT::capture(),",
  "cosmwasm-std/src/errors/mod.rs: mod backtrace;",
  "cosmwasm-std/src/errors/mod.rs: pub(crate) use backtrace::BT;",
  "cosmwasm-std/src/errors/std_error.rs: use super::BT;",
  "cosmwasm-std/src/errors/std_error.rs: backtrace: BT,",
  "cosmwasm-std/src/errors/std_error.rs: backtrace: BT::capture(),",
  "cosmwasm-std/src/errors/std_error.rs: pub fn backtrace(&self) -> &BT {",
  "cosmwasm-std/src/errors/std_error.rs: &self.0.backtrace",
]);

const meta = JSON.parse(
  execFileSync(
    "cargo",
    ["metadata", "--locked", "--format-version", "1", "--filter-platform", "wasm32-unknown-unknown"],
    { encoding: "utf8", maxBuffer: 1 << 28, stdio: ["ignore", "pipe", "ignore"] },
  ),
);
const packages = new Map(meta.packages.map((p) => [p.id, p]));
const nodes = new Map(meta.resolve.nodes.map((n) => [n.id, n]));
const root = meta.packages.find((p) => p.name === pkg && meta.workspace_members.includes(p.id));
if (!root) fail(`no workspace package ${pkg}`);
const linked = new Set();
for (const stack = [root.id]; stack.length; ) {
  const id = stack.pop();
  if (linked.has(id)) continue;
  linked.add(id);
  for (const d of nodes.get(id).deps) {
    if (d.dep_kinds.some((k) => k.kind === null)) stack.push(d.pkg);
  }
}
const rsFiles = (d) =>
  readdirSync(d).flatMap((n) => {
    const p = join(d, n);
    return statSync(p).isDirectory() ? rsFiles(p) : p.endsWith(".rs") ? [p] : [];
  });
let sawBacktraceRs = false;
for (const id of linked) {
  const p = packages.get(id);
  if (p.targets.some((t) => t.kind.includes("proc-macro"))) continue;
  const base = dirname(p.manifest_path);
  for (const file of rsFiles(base)) {
    const rel = relative(base, file);
    if (rel.startsWith("tests/") || rel.startsWith("benches/") || rel.startsWith("examples/")) continue;
    const text = readFileSync(file, "utf8");
    if (p.name === "cosmwasm-std" && rel === "src/errors/backtrace.rs") {
      sawBacktraceRs = true;
      const sha = createHash("sha256").update(text).digest("hex");
      if (sha !== BACKTRACE_RS_SHA256) fail(`cosmwasm-std ${p.version}'s ${rel} changed (sha256 ${sha}): review it`);
      continue; // reviewed as a whole
    }
    for (const raw of text.split("\n")) {
      const line = raw.trim();
      if (line.startsWith("//") || !/\b(backtrace|BT)\b/i.test(line)) continue;
      const key = `${p.name}/${rel}: ${line}`;
      if (!REVIEWED.has(key)) fail(`unreviewed use of a backtrace in ${p.name} ${p.version}: ${rel}: ${line}`);
    }
  }
}
if (!sawBacktraceRs) fail("cosmwasm-std's src/errors/backtrace.rs not found among the linked crates");

// ---- A. The wasm. ----

const { binaryen, mod } = await readModule(dir, input);
binaryen.setDebugInfo(true);
const text = mod.emitText();

const DISPLAY = /^_RNvXs[0-9a-z]*_NtCs[0-9A-Za-z_]+_3std9backtraceNtB[0-9a-z]+_9BacktraceNtNtCs[0-9A-Za-z_]+_4core3fmt7Display3fmt$/;
const DEBUG = /^_RNvX(s[0-9a-z]*_)?NtCs[0-9A-Za-z_]+_3std9backtraceNtB[0-9a-z]+_9BacktraceNtNtCs[0-9A-Za-z_]+_4core3fmt5Debug3fmt$/;
const DROP = /^_ZN4core3ptr\d+drop_in_place\$LT\$std\.\.backtrace\.\.Backtrace\$GT\$17h[0-9a-f]{16}E$/;

const bodies = functionBodies(text);
const named = (re, what) => onlyFunction(bodies, re, what, fail);
const display = named(DISPLAY, "<Backtrace as Display>::fmt");
const debug = named(DEBUG, "<Backtrace as Debug>::fmt");
const drop = named(DROP, "drop_in_place<Backtrace>");

const slots = tableSlots(text);
const slot = slots.get(display);
const uses = [...referrers(bodies, slots, display)];
if (uses.length) fail(`<Backtrace as Display>::fmt is called or its table index used by ${uses.join(", ")}`);
if (slot === undefined) {
  console.log("backtrace display dead: <Backtrace as Display>::fmt is called by nothing and not in the table");
  process.exit(0);
}

// The data segments, by address.
const segments = [...text.matchAll(/\(data \$\S+ \(i32\.const (\d+)\) "((?:[^"\\]|\\.)*)"\)/g)].map((m) => ({
  addr: Number(m[1]),
  bytes: Buffer.from(
    m[2].replace(/\\([0-9a-f]{2})|\\(.)/g, (_, hex, c) =>
      hex ? String.fromCharCode(parseInt(hex, 16)) : { n: "\n", t: "\t", r: "\r" }[c] ?? c),
    "latin1",
  ),
}));
if (text.includes("(data ") && segments.length === 0) fail("could not read the data segments");
const wordsEqual = (value) => {
  const at = [];
  for (const { addr, bytes } of segments) {
    for (let i = (4 - (addr % 4)) % 4; i + 4 <= bytes.length; i += 4) if (bytes.readUInt32LE(i) === value) at.push(addr + i);
  }
  return at;
};
const word = (address) => {
  const s = segments.find(({ addr, bytes }) => address >= addr && address + 4 <= addr + bytes.length);
  return s ? s.bytes.readUInt32LE(address - s.addr) : undefined;
};
const stored = wordsEqual(slot);
if (stored.length !== 2) fail(`the table index of <Backtrace as Display>::fmt is stored ${stored.length} times in the data, expected 2`);
// Which is which: the `Debug + Display` vtable has Debug::fmt right before Display::fmt.
const [inPrintable, inDisplay] =
  word(stored[0] - 4) === slots.get(debug) ? stored : word(stored[1] - 4) === slots.get(debug) ? [stored[1], stored[0]] : [];
if (inPrintable === undefined) fail("no `Debug + Display` vtable of Backtrace holds <Backtrace as Display>::fmt");
const vPrintable = inPrintable - 16;
const vDisplay = inDisplay - 12;
if (word(vPrintable) !== slots.get(drop) || word(vDisplay) !== slots.get(drop)) fail("the vtables do not start with drop_in_place<Backtrace>");
if (word(vPrintable + 20) !== vDisplay) fail("the `Debug + Display` vtable's upcast slot is not the `dyn Display` vtable");
const displayRefs = wordsEqual(vDisplay);
if (displayRefs.length !== 1) fail(`the dyn Display vtable of Backtrace is referenced ${displayRefs.length} times in the data, expected 1`);
// No code names the `dyn Display` vtable, or the Display and upcast slots of the other one.
const constants = [...text.matchAll(/\(i32\.const (-?\d+)\)|offset=(\d+)/g)].map((m) => Number(m[1] ?? m[2]) >>> 0);
for (const c of constants) {
  if ((c >= vDisplay && c < vDisplay + 16) || (c >= vPrintable + 16 && c < vPrintable + 24)) {
    fail(`a constant ${c} in the code points into the vtables of Backtrace`);
  }
}
console.log("backtrace display dead: <Backtrace as Display>::fmt only behind cosmwasm-std's private Printable, never displayed");
