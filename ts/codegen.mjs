// Generates the TypeScript clients of the four Breakwater contracts from their JSON schemas
// with @cosmwasm/ts-codegen: `node codegen.mjs <schema dir> <out dir>` (scripts/ts-client.sh
// runs it with the pinned tools). Types and a query client plus a signing client per contract.
import codegen from "@cosmwasm/ts-codegen";

const [schemaRoot, outPath] = process.argv.slice(2);
if (!schemaRoot || !outPath) {
  console.error("usage: node codegen.mjs <schema dir> <out dir>");
  process.exit(2);
}
const contracts = [
  ["BreakwaterOracle", "oracle"],
  ["BreakwaterMarket", "market"],
  ["BreakwaterLiquidator", "liquidator"],
  ["BreakwaterBackstop", "backstop"],
].map(([name, dir]) => ({ name, dir: `${schemaRoot}/${dir}` }));

await codegen.default({
  contracts,
  outPath,
  options: {
    bundle: { enabled: true, bundleFile: "index.ts" },
    types: { enabled: true },
    client: { enabled: true },
    reactQuery: { enabled: false },
    recoil: { enabled: false },
    messageComposer: { enabled: false },
    messageBuilder: { enabled: false },
    useContractsHook: { enabled: false },
  },
});
