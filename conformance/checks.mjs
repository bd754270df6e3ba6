// Helpers for run.sh, run with the Node 22 binary from node_modules.
//
//   node checks.mjs baseline <expected-failures.yml> <out-dir> <run>...
//       Validates the expected failures (every entry needs a written reason; `runs`, when
//       present, names the runs the entry applies to) and writes, for each run named, the
//       suite's baseline format (`client: [name, ...]`) to <out-dir>/baseline-<run>.yml.
//   node checks.mjs tally <suite-stdout> [<requirements.yaml>]
//       Counts the scenarios in the suite's printed summary: one line
//       "<n> scenarios: <p> passed, <f> failed (<e> expected failures in the baseline)" (an
//       expected failure is a scenario or one check of it), then the scenarios that emitted no
//       graded check; with a requirement set, only its scored scenarios count, the rest apart.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

function fail(message) {
  console.error(`checks.mjs: ${message}`);
  process.exit(2);
}

function baseline(file, outDir, runs) {
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
  const perRun = new Map(runs.map((run) => [run, []]));
  const seen = new Set();
  for (const [i, entry] of entries.entries()) {
    const scenario = entry?.scenario;
    const reason = entry?.reason;
    if (typeof scenario !== 'string' || scenario.trim() === '') {
      fail(`${file}: client[${i}] needs a 'scenario' name`);
    }
    if (typeof reason !== 'string' || reason.trim().length < 10) {
      fail(`${file}: client[${i}] (${scenario}) needs a written 'reason'`);
    }
    const extra = Object.keys(entry).filter((k) => !['scenario', 'reason', 'runs'].includes(k));
    if (extra.length > 0) fail(`${file}: client[${i}] (${scenario}): unknown key(s) ${extra.join(', ')}`);
    const only = entry.runs ?? runs;
    if (!Array.isArray(only) || only.some((run) => !perRun.has(String(run)))) {
      fail(`${file}: client[${i}] (${scenario}): 'runs' must list some of ${runs.join(', ')}`);
    }
    for (const run of only.map(String)) {
      const key = `${run}\t${scenario}`;
      if (seen.has(key)) fail(`${file}: ${scenario} is listed twice for the run ${run}`);
      seen.add(key);
      perRun.get(run).push(scenario);
    }
  }
  for (const [run, names] of perRun) {
    writeFileSync(
      join(outDir, `baseline-${run}.yml`),
      names.length === 0
        ? 'client: []\n'
        : `client:\n${names.map((n) => `  - ${JSON.stringify(n)}\n`).join('')}`,
    );
  }
}

// The suite prints one line per scenario ("✓ name: 3 passed, 0 failed" or "✗ ...") and, with
// --expected-failures, the baseline's scenarios that failed as listed ("  ~ name").
function tally(file, requirementsFile) {
  let scored = null;
  if (requirementsFile) {
    const set = parse(readFileSync(requirementsFile, 'utf8')) ?? {};
    scored = new Set(set.client ?? []);
  }
  let notScored = 0;
  let ungraded = 0;
  let notScoredFailed = 0;
  // eslint-disable-next-line no-control-regex
  const lines = readFileSync(file, 'utf8').replace(/\x1b\[[0-9;]*m/g, '').split('\n');
  let passed = 0;
  let failed = 0;
  let expected = 0;
  let unexpected = 0;
  let stale = 0;
  let section = null;
  for (const line of lines) {
    const m = /^([✓✗]) (\S+): (\d+) passed, (\d+) failed(.*)$/.exec(line);
    if (m && m[1] === '✓' && m[3] === '0' && m[4] === '0' && (!scored || scored.has(m[2]))) {
      // No graded check at all: nothing was tested, so it is no pass.
      ungraded++;
    } else if (m && scored && !scored.has(m[2])) {
      notScored++;
      if (m[1] === '✗') notScoredFailed++;
    } else if (m) {
      if (m[1] === '✓') passed++;
      else failed++;
    }
    if (line.startsWith('Expected failures (in baseline)')) section = 'expected';
    else if (line.startsWith('Stale baseline entries')) section = 'stale';
    else if (line.startsWith('Unexpected failures (not in baseline)')) section = 'unexpected';
    else if (section === 'expected' && /^ {2}~ /.test(line)) expected++;
    else if (section === 'stale' && /^ {2}✓ /.test(line)) stale++;
    else if (section === 'unexpected' && /^ {2}✗ /.test(line)) unexpected++;
    else if (line.trim() !== '') section = null;
  }
  let extra = ungraded > 0 ? `; ${ungraded} with no graded check` : '';
  if (scored) extra += `; ${notScored} not scored (${notScoredFailed} failed)`;
  if (unexpected > 0) extra += `; ${unexpected} UNEXPECTED failure(s)`;
  if (stale > 0) extra += `; ${stale} STALE baseline entr${stale === 1 ? 'y' : 'ies'} (passing now)`;
  console.log(
    `${passed + failed + ungraded} ${scored ? 'scored ' : ''}scenarios: ${passed} passed, ` +
      `${failed} failed (${expected} expected failures in the baseline)${extra}`,
  );
}

const [command, ...args] = process.argv.slice(2);
if (command === 'baseline' && args.length >= 3) {
  baseline(args[0], args[1], args.slice(2));
} else if (command === 'tally' && (args.length === 1 || args.length === 2)) {
  tally(args[0], args[1]);
} else {
  fail('usage: checks.mjs baseline <expected.yml> <out-dir> <run>... | tally <suite-stdout> [<requirements.yaml>]');
}
