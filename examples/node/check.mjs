// Using the mcp-probe npm package: a deploy gate with a tool call, then a fleet of probes.
//
//   npm install mcp-probe
//   node check.mjs http://127.0.0.1:8000/mcp [MORE_URLS...]
//
// (From a clone of the repository: MCP_PROBE_PACKAGE=../../bindings-node node check.mjs URL…)
// Exits 1 when any probe failed, 2 on a usage error (a rejected promise with error.code).
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const { check } = require(process.env.MCP_PROBE_PACKAGE ?? 'mcp-probe')

/** One line about a report: OK/FAIL, the target and the verdict. */
function describe(report) {
  if (report.ok) {
    return `OK    ${report.target}  protocol ${report.protocolVersion}, ${report.durationMs.toFixed(1)} ms`
  }
  const { step, code, message } = report.failure
  return `FAIL  ${report.target}  at ${step} (${code}): ${message}`
}

const urls = process.argv.slice(2)
if (urls.length === 0) {
  console.error('usage: node check.mjs URL [URL...]')
  process.exit(2)
}

try {
  // 1. The gate: wait (at most 30 s) until healthy, then call `add` and check its answer. The
  //    AbortSignal bounds the whole wait from the outside as well.
  const gate = await check(urls[0], {
    tool: 'add',
    arguments: { a: 2, b: 3 },
    expectText: '5',
    timeoutMs: 10_000,
    waitUntilReadyMs: 30_000,
    signal: AbortSignal.timeout(45_000),
  })
  console.log(`gate: ${describe(gate)}`)
  for (const step of gate.steps) {
    console.log(`  ${step.name.padEnd(12)} ${step.status.padEnd(4)} ${step.durationMs.toFixed(1).padStart(8)} ms`)
  }

  // 2. The fleet: every URL at once; a failing server resolves (report.ok false), never rejects.
  const reports = await Promise.all(urls.map((url) => check(url, { timeoutMs: 10_000 })))
  for (const report of reports) console.log(`fleet: ${describe(report)}`)

  process.exitCode = gate.ok && reports.every((r) => r.ok) ? 0 : 1
} catch (err) {
  // Only the caller's mistakes reject: a bad URL, an invalid option.
  console.error(`check.mjs: ${err.message} (${err.code})`)
  process.exitCode = 2
}
