// Renders docs pages to HTML with the docs' own renderer (@diplodoc/transform), the
// way the docs website does: YFM tables, notes, tabs, cuts and {% include %} resolved
// against the docs tree. Reads page paths (one a line) on stdin, writes one JSON object
// per page on stdout: {"path": ..., "html": ...} or {"path": ..., "error": ...}.
//
//   node render.cjs ROOT < paths.txt > pages.jsonl
//
// ROOT is the language folder (the one holding _includes/ and api-reference/).
'use strict';
const fs = require('fs');
const path = require('path');
const readline = require('readline');
const transform = require('@diplodoc/transform');
const includes = require('@diplodoc/transform/lib/plugins/includes');
const defaults = require('@diplodoc/transform/lib/plugins');

const root = path.resolve(process.argv[2] || '.');
const plugins = [...defaults, includes];
const quiet = {error() {}, warn() {}, info() {}};

function render(file) {
  const full = path.resolve(root, file);
  const text = fs.readFileSync(full, 'utf8');
  const {result} = transform(text, {
    path: full,
    root,
    plugins,
    needToSanitizeHtml: true,
    disableLiquid: false,
    log: quiet,
  });
  return result.html;
}

const rl = readline.createInterface({input: process.stdin, crlfDelay: Infinity});
rl.on('line', (line) => {
  const file = line.trim();
  if (!file) return;
  let out;
  try {
    out = {path: file, html: render(file)};
  } catch (e) {
    out = {path: file, error: String(e && e.message ? e.message : e)};
  }
  process.stdout.write(JSON.stringify(out) + '\n');
});
