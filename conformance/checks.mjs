// Helpers for run.sh, run with the Node 22 binary from node_modules.
//
//   node checks.mjs baseline <expected-failures.yml> <out.yml>
//       Validates the expected failures (every entry needs a written reason), writes the suite's
//       baseline format (`client: [name, ...]`) to <out.yml> and prints one line per entry:
//       "<scenario>\t<reason>".
//   node checks.mjs summarize <results-dir> <suite-exit-code> <expected|unexpected>
//       Prints the checks of one scenario run (from the suite's checks.json under <results-dir>)
//       and a last line "verdict: pass|fail|xfail|stale". Exits 0 unless the files are unreadable.

import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

function fail(message) {
  console.error(`checks.mjs: ${message}`);
  process.exit(2);
}

function baseline(file, out) {
  let doc;
  try {
    doc = parse(readFileSync(file, 'utf8')) ?? {};
  } catch (e) {
    fail(`${file}: ${e.message}`);
  }
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    fail(`${file}: expected a mapping with a 'client' list`);
  }
  const unknown = Object.keys(doc).filter((k) => k !== 'client');
  if (unknown.length > 0) fail(`${file}: unknown key(s) ${unknown.join(', ')}`);
  const entries = doc.client ?? [];
  if (!Array.isArray(entries)) fail(`${file}: 'client' must be a list`);
  const names = [];
  for (const [i, entry] of entries.entries()) {
    const scenario = entry?.scenario;
    const reason = entry?.reason;
    if (typeof scenario !== 'string' || scenario.trim() === '') {
      fail(`${file}: client[${i}] needs a 'scenario' name`);
    }
    if (typeof reason !== 'string' || reason.trim().length < 10) {
      fail(`${file}: client[${i}] (${scenario}) needs a written 'reason'`);
    }
    names.push(scenario);
    console.log(`${scenario}\t${reason.trim().replace(/\s+/g, ' ')}`);
  }
  writeFileSync(out, `client:\n${names.map((n) => `  - ${JSON.stringify(n)}\n`).join('')}`);
}

// The suite writes <results-dir>/<scenario>-<timestamp>/checks.json (a scenario name may hold
// a slash, so search a few levels down).
function findChecks(dir, depth = 0) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'checks.json') return path;
    if (depth < 3 && statSync(path).isDirectory()) {
      const found = findChecks(path, depth + 1);
      if (found) return found;
    }
  }
  return null;
}

function summarize(dir, suiteExit, listed) {
  const expected = listed === 'expected';
  const file = findChecks(dir);
  const checks = file ? JSON.parse(readFileSync(file, 'utf8')) : [];
  if (!file) console.log('    (the suite wrote no checks.json)');
  const info = checks.filter((c) => c.status === 'INFO').length;
  for (const c of checks.filter((c) => c.status !== 'INFO')) {
    console.log(`    ${c.status.padEnd(7)} ${c.id} (${c.name}): ${c.description}`);
    const why = c.errorMessage ?? c.details?.message;
    if (why) console.log(`            ${why}`);
  }
  if (info > 0) console.log(`    (${info} INFO checks: the suite's log of the exchange)`);
  const graded = checks.filter((c) => c.status !== 'INFO');
  const allSuccess = graded.length > 0 && graded.every((c) => c.status === 'SUCCESS');
  let verdict;
  if (expected) {
    // With --expected-failures the suite exits 0 when the scenario failed as listed and 1
    // when it now passes (a stale entry) or the run broke.
    verdict = allSuccess ? 'stale' : suiteExit === 0 ? 'xfail' : 'fail';
  } else {
    verdict = suiteExit === 0 && allSuccess ? 'pass' : 'fail';
  }
  console.log(`verdict: ${verdict}`);
}

const [command, ...args] = process.argv.slice(2);
if (command === 'baseline' && args.length === 2) {
  baseline(args[0], args[1]);
} else if (command === 'summarize' && args.length === 3) {
  summarize(args[0], Number(args[1]), args[2]);
} else {
  fail('usage: checks.mjs baseline <expected.yml> <out.yml> | summarize <dir> <exit> <expected|unexpected>');
}
