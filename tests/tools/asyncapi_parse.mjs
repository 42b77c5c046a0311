// Parse AsyncAPI documents with the official parser, schema parsers for Protobuf registered,
// and print the diagnostics and each message's parsed payload as JSON.
// usage: node asyncapi_parse.mjs NODE_MODULES_DIR FILE...
// Prints {"FILE": {"diagnostics": [{"code", "message", "severity", "path"}...],
//                  "payloads": {"MESSAGE": {"title", "properties"}}}}; severity 0 is an error.
// Unlike validate(), parse() runs each payload's schema parser, so a .proto payload that the
// Protobuf parser rejects is an error.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";

const [nodeModules, ...files] = process.argv.slice(2);
if (!nodeModules || files.length === 0) {
  console.error("usage: node asyncapi_parse.mjs NODE_MODULES_DIR FILE...");
  process.exit(2);
}
const require = createRequire(join(resolve(nodeModules), "..", "resolver.js"));
const { Parser } = require("@asyncapi/parser");
const { ProtoBuffSchemaParser } = require("@asyncapi/protobuf-schema-parser");
const parser = new Parser();
parser.registerSchemaParser(ProtoBuffSchemaParser());
const results = {};
for (const file of files) {
  const { document, diagnostics } = await parser.parse(readFileSync(file, "utf8"));
  const payloads = {};
  if (document) {
    for (const message of document.components().messages().all()) {
      const payload = message.payload();
      const schema = payload ? payload.json() : null;
      const parsed = schema && schema.schema ? schema.schema : schema;
      payloads[message.id()] = {
        title: parsed ? parsed.title ?? null : null,
        properties: parsed && parsed.properties ? Object.keys(parsed.properties) : [],
      };
    }
  }
  results[file] = {
    diagnostics: diagnostics.map((d) => ({
      code: String(d.code),
      message: d.message.split("\n")[0],
      severity: d.severity,
      path: d.path,
    })),
    payloads,
  };
}
process.stdout.write(JSON.stringify(results, null, 1) + "\n");
