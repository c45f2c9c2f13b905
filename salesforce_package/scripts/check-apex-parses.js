#!/usr/bin/env node
// Syntax check for every Apex class (.cls) and trigger (.trigger) under force-app: each is parsed by
// prettier-plugin-apex (its native parser, no Java needed). Exit 1 naming each file that does not
// parse. Syntax only: types, fields and method names are checked by the org's compiler, not here.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const SOURCE_DIR = path.join(ROOT, 'force-app');
const EXTENSIONS = ['.cls', '.trigger'];
const PARALLEL = 8;

/** Every .cls and .trigger file under a directory (node_modules skipped), sorted. */
function apexFiles(directory) {
  if (!fs.existsSync(directory)) return [];
  const found = [];
  for (const entry of fs.readdirSync(directory, { withFileTypes: true })) {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules') found.push(...apexFiles(full));
    else if (entry.isFile() && EXTENSIONS.includes(path.extname(entry.name))) found.push(full);
  }
  return found.sort();
}

/** null when the file parses, else the parser's message. */
async function parseError(prettier, plugin, file) {
  try {
    await prettier.format(fs.readFileSync(file, 'utf8'), { filepath: file, parser: 'apex', plugins: [plugin] });
    return null;
  } catch (error) {
    return String(error && error.message ? error.message : error).split('\n')[0];
  }
}

async function main() {
  const prettier = await import('prettier');
  const plugin = await import('prettier-plugin-apex');
  const files = apexFiles(SOURCE_DIR);
  const started = Date.now();
  const failures = [];
  for (let start = 0; start < files.length; start += PARALLEL) {
    const slice = files.slice(start, start + PARALLEL);
    const errors = await Promise.all(slice.map((file) => parseError(prettier, plugin, file)));
    errors.forEach((error, index) => {
      if (error !== null) failures.push(`${path.relative(ROOT, slice[index])}: ${error}`);
    });
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (failures.length > 0) {
    for (const failure of failures) console.error(failure);
    console.error(`${failures.length} of ${files.length} Apex files do not parse (${seconds} s)`);
    return 1;
  }
  console.log(`${files.length} Apex files parse (.cls, .trigger under force-app; ${seconds} s)`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(`apex parse check failed to run: ${error && error.stack ? error.stack : error}`);
    process.exitCode = 1;
  },
);
