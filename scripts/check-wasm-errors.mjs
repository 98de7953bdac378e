// Runs an optimized contract in Node's WebAssembly engine on messages every contract must
// refuse with an error (an unknown message, a float where a struct is expected, truncated
// JSON) and fails if any of them traps instead. The host functions are stubs that fail the
// check if called: these inputs are refused while the entry point deserializes them, before
// any storage, query or API call. It guards what `scripts/build-wasm.sh` replaces with
// `unreachable` (see there): code that the error messages for such inputs reach must stay.
//
//   node scripts/check-wasm-errors.mjs <contract.wasm>...
import { readFileSync } from "node:fs";

const ENV = JSON.stringify({
  block: { height: 1, time: "1700000000000000000", chain_id: "check" },
  transaction: null,
  contract: { address: "cosmwasm1check" },
});
const INFO = JSON.stringify({ sender: "cosmwasm1sender", funds: [] });
// [entry point, message, a text the error must contain]
const CASES = [
  ["instantiate", "1.5", "invalid type: floating point `1.5`"],
  ["instantiate", "-2.5e-300", "invalid type: floating point `-2.5e-300`"],
  ["execute", '{"no_such_message":{}}', "unknown variant `no_such_message`"],
  ["execute", "{", "EOF while parsing"],
  ["query", '{"no_such_query":{}}', "unknown variant `no_such_query`"],
];

let failed = false;
for (const file of process.argv.slice(2)) {
  const mod = new WebAssembly.Module(readFileSync(file));
  for (const [entry, msg, expected] of CASES) {
    let ex;
    const imports = {};
    for (const imp of WebAssembly.Module.imports(mod)) {
      imports[imp.module] ??= {};
      imports[imp.module][imp.name] = () => {
        throw new Error(`host function ${imp.name} called`);
      };
    }
    // A fresh instance per case: a trap leaves an instance unusable.
    ex = new WebAssembly.Instance(mod, imports).exports;
    const write = (text) => {
      const bytes = Buffer.from(text);
      const region = ex.allocate(bytes.length);
      const view = new DataView(ex.memory.buffer);
      const offset = view.getUint32(region, true);
      new Uint8Array(ex.memory.buffer, offset, bytes.length).set(bytes);
      view.setUint32(region + 8, bytes.length, true);
      return region;
    };
    const read = (region) => {
      const view = new DataView(ex.memory.buffer);
      const offset = view.getUint32(region, true);
      const length = view.getUint32(region + 8, true);
      return Buffer.from(new Uint8Array(ex.memory.buffer, offset, length)).toString();
    };
    let out;
    try {
      const args = entry === "query" ? [write(ENV), write(msg)] : [write(ENV), write(INFO), write(msg)];
      out = read(ex[entry](...args));
    } catch (e) {
      out = `trap: ${e.message}`;
    }
    let error;
    try {
      error = JSON.parse(out).error;
    } catch {
      error = undefined;
    }
    if (typeof error !== "string" || !error.includes(expected)) {
      console.error(`check-wasm-errors: ${file}: ${entry}(${msg}) gave ${out}, expected an error with "${expected}"`);
      failed = true;
    }
  }
}
if (failed) process.exit(1);
console.log(`${process.argv.length - 2} contract(s) answer bad input with errors, not traps`);
