// Parse JavaScript sources as ES5 scripts (what the oldest storefront browsers run) with acorn.
// Input on stdin: a JSON list of {"name": ..., "source": ...}. Output on stdout: a JSON list with,
// for each source in order, null when it parses, or {"name", "line", "column", "message"} for the
// first syntax error (line and column count from 1). Exits 2 when the input itself is unusable.
"use strict";

const acorn = require("acorn");

function check(name, source) {
  try {
    acorn.parse(source, { ecmaVersion: 5, sourceType: "script", locations: true });
    return null;
  } catch (err) {
    if (!(err instanceof SyntaxError) || !err.loc) throw err;
    const { line, column } = err.loc;
    const reason = err.message.replace(/ \(\d+:\d+\)$/, "");
    const text = source.split(/\r\n?|\n|\u2028|\u2029/)[line - 1] || "";
    const message = `${name}:${line}:${column + 1}: ${reason}\n    ${text.trim().slice(0, 160)}`;
    return { name, line, column: column + 1, message };
  }
}

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  let sources;
  try {
    sources = JSON.parse(input);
    if (!Array.isArray(sources)) throw new TypeError("expected a JSON list");
  } catch (err) {
    process.stderr.write(`es5check: bad input: ${err.message}\n`);
    process.exit(2);
  }
  const results = sources.map((item) => check(String(item.name), String(item.source)));
  process.stdout.write(JSON.stringify(results) + "\n");
});
