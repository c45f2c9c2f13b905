#!/usr/bin/env node
// PMD 7 over the Apex in force-app (the .cls and .trigger files only) with the Apex security,
// bestpractices and errorprone categories, minus the rules in scripts/pmd-disabled-rules.json (each
// with the reason it is off). Prints "file:line rule message" per finding; exit 1 on any finding or
// error. The jars come from @salesforce/code-analyzer-pmd-engine; scripts/RunPmd.java drives them
// through Java's single-file source launcher because the package ships no pmd-cli.
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const SOURCE_DIR = 'force-app';
const CATEGORIES = ['security', 'bestpractices', 'errorprone'];
const JAVA_LIB = path.join('node_modules', '@salesforce', 'code-analyzer-pmd-engine', 'dist', 'java-lib');
const DISABLED_FILE = path.join(__dirname, 'pmd-disabled-rules.json');

/** The disabled rules, checked: [{rule, category, reason}] with a known category and a reason. */
function disabledRules() {
  const entries = JSON.parse(fs.readFileSync(DISABLED_FILE, 'utf8'));
  if (!Array.isArray(entries)) throw new Error(`${DISABLED_FILE} must hold a JSON list`);
  for (const entry of entries) {
    const where = `${path.basename(DISABLED_FILE)}: ${JSON.stringify(entry)}`;
    if (!entry || typeof entry.rule !== 'string' || !CATEGORIES.includes(entry.category)) {
      throw new Error(`${where} needs "rule" and "category" (one of ${CATEGORIES.join(', ')})`);
    }
    if (typeof entry.reason !== 'string' || entry.reason.trim().length < 10) {
      throw new Error(`${where} needs a "reason" saying why the rule is off`);
    }
  }
  return entries;
}

/** Ruleset arguments for RunPmd: the category files, or one generated ruleset excluding the disabled rules. */
function rulesetArguments(disabled) {
  if (disabled.length === 0) return CATEGORIES.map((category) => `category/apex/${category}.xml`);
  const references = CATEGORIES.map((category) => {
    const excludes = disabled
      .filter((entry) => entry.category === category)
      .map((entry) => `    <exclude name="${entry.rule}"/>`);
    return `  <rule ref="category/apex/${category}.xml">\n${excludes.join('\n')}\n  </rule>`;
  });
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
<ruleset name="escalation-sidecar" xmlns="http://pmd.sourceforge.net/ruleset/2.0.0"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xsi:schemaLocation="http://pmd.sourceforge.net/ruleset/2.0.0 https://pmd.sourceforge.io/ruleset_2_0_0.xsd">
  <description>Apex security, bestpractices and errorprone minus scripts/pmd-disabled-rules.json</description>
${references.join('\n')}
</ruleset>
`;
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pmd-')), 'ruleset.xml');
  fs.writeFileSync(file, xml);
  return [file];
}

function main() {
  if (!fs.existsSync(path.join(ROOT, JAVA_LIB))) {
    console.error(`PMD jars not found in ${JAVA_LIB}: run npm install (the PMD engine is a devDependency)`);
    return 1;
  }
  let disabled;
  try {
    disabled = disabledRules();
  } catch (error) {
    console.error(error.message);
    return 1;
  }
  for (const entry of disabled) console.log(`PMD rule off: ${entry.rule} (${entry.reason})`);
  const started = Date.now();
  const rulesets = rulesetArguments(disabled);
  const run = spawnSync(
    'java',
    ['-cp', `${JAVA_LIB}${path.sep}*`, path.join('scripts', 'RunPmd.java'), ...rulesets, SOURCE_DIR],
    { cwd: ROOT, encoding: 'utf8' },
  );
  for (const ruleset of rulesets) {
    if (path.isAbsolute(ruleset)) fs.rmSync(path.dirname(ruleset), { recursive: true, force: true });
  }
  if (run.error) {
    console.error(`could not start java (Java 17 or later is needed): ${run.error.message}`);
    return 1;
  }
  process.stdout.write(run.stdout);
  process.stderr.write(run.stderr);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (run.status !== 0) {
    console.error(`PMD found problems (exit ${run.status}, ${seconds} s)`);
    return 1;
  }
  console.log(`PMD: no findings in ${SOURCE_DIR} (${CATEGORIES.join(', ')}; ${seconds} s)`);
  return 0;
}

process.exitCode = main();
