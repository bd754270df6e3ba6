// Per-check wall time from Node against the fixture's `json` mode: handshake, tools/list and
// tools/call `add`, run one after another. Compare with the same loop over the Rust API to see
// what the binding adds (promise, thread hop, report conversion).
//
//   node bench/overhead.mjs [N]      (default N = 300, after 30 warm-up checks)
import { performance } from 'node:perf_hooks'

import { probe, startFixture } from '../__test__/helpers.mjs'

const n = Number(process.argv[2] ?? 300)
const warmUp = 30
const options = { tool: 'add', arguments: { a: 2, b: 3 }, expectText: '5' }

const fixture = await startFixture()
try {
  const url = fixture.url('json')
  for (let i = 0; i < warmUp; i++) {
    const report = await probe.check(url, options)
    if (!report.ok) throw new Error(`warm-up check failed: ${report.failure?.message}`)
  }
  const micros = []
  const engineMicros = []
  for (let i = 0; i < n; i++) {
    const started = performance.now()
    const report = await probe.check(url, options)
    micros.push((performance.now() - started) * 1000)
    engineMicros.push(report.durationMs * 1000)
    if (!report.ok) throw new Error(`check failed: ${report.failure?.message}`)
  }
  const stats = (values) => {
    const sorted = [...values].sort((a, b) => a - b)
    const mean = values.reduce((a, b) => a + b, 0) / values.length
    const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]
    return { mean, median: at(0.5), p90: at(0.9) }
  }
  const node = stats(micros)
  const engine = stats(engineMicros)
  const row = (name, s) =>
    `${name.padEnd(34)} mean ${s.mean.toFixed(0).padStart(6)} µs   median ${s.median
      .toFixed(0)
      .padStart(6)} µs   p90 ${s.p90.toFixed(0).padStart(6)} µs`
  console.log(`${n} sequential checks (handshake, tools/list, tools/call) after ${warmUp} warm-up`)
  console.log(row('Node check() wall time', node))
  console.log(row("engine's own report.durationMs", engine))
  console.log(`binding overhead per check (mean): ${(node.mean - engine.mean).toFixed(0)} µs`)
} finally {
  await fixture.stop()
}
