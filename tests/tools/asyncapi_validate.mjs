// Validate AsyncAPI documents with the official parser and print its diagnostics as JSON.
// usage: node asyncapi_validate.mjs NODE_MODULES_DIR FILE...
// Prints {"FILE": [{"code", "message", "severity", "path"}...], ...}; severity 0 is an error.
// The parser is loaded from NODE_MODULES_DIR (the test tools' cache) so this script can live
// in the repository without a node_modules of its own.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";

const [nodeModules, ...files] = process.argv.slice(2);
if (!nodeModules || files.length === 0) {
  console.error("usage: node asyncapi_validate.mjs NODE_MODULES_DIR FILE...");
  process.exit(2);
}
const require = createRequire(join(resolve(nodeModules), "..", "resolver.js"));
const { Parser } = require("@asyncapi/parser");
const parser = new Parser();
const results = {};
for (const file of files) {
  const diagnostics = await parser.validate(readFileSync(file, "utf8"));
  results[file] = diagnostics.map((d) => ({
    code: String(d.code),
    message: d.message,
    severity: d.severity,
    path: d.path,
  }));
}
process.stdout.write(JSON.stringify(results, null, 1) + "\n");
