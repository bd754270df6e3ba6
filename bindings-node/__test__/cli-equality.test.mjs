// The report from Node is the CLI's `--format json` report for the same target, field for field
// (wall-clock values aside): same keys, same enum strings, same absent fields.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'

import { cliReport, probe, startFixture, withoutTimings } from './helpers.mjs'

const { check } = probe
let fixture

before(async () => {
  fixture = await startFixture()
})

after(async () => {
  await fixture?.stop()
})

// Modes chosen to cover every optional part of the report: tool results, failures with details,
// server messages, warnings, skipped steps, pagination.
const cases = [
  ['json', { tool: 'add', arguments: { a: 2, b: 3 }, expectText: '5' }],
  ['json', {}],
  ['tool_is_error', { tool: 'add', arguments: { a: 2, b: 3 } }],
  ['notifications', { tool: 'add', arguments: { a: 2, b: 3 } }],
  ['session_expire_once', { tool: 'add', arguments: { a: 2, b: 3 } }],
  ['paginated', {}],
  ['bad_gateway', {}],
  ['wrong_id', {}],
  ['oversized', {}],
  ['hang', { timeoutMs: 400 }],
  ['unauthorized', { checkAuth: true }],
]

/** The CLI flags for the same options. */
function flags(options) {
  const out = []
  if (options.tool) out.push('--tool', options.tool)
  if (options.arguments) out.push('--args', JSON.stringify(options.arguments))
  if (options.expectText) out.push('--expect-text', options.expectText)
  if (options.timeoutMs) out.push('--timeout', `${options.timeoutMs}ms`)
  if (options.checkAuth) out.push('--check-auth')
  return out
}

for (const [index, [mode, options]] of cases.entries()) {
  test(`${mode} ${JSON.stringify(options)}: the report equals the CLI's JSON`, async () => {
    // A URL this process has not probed yet: the engine remembers each URL's protocol era for
    // later probes in the same process, and the CLI is always a fresh process.
    const url = `${fixture.url(mode)}?case=${index}`
    const [fromNode, fromCli] = await Promise.all([check(url, options), cliReport(['check', url, ...flags(options)])])
    assert.deepEqual(withoutTimings(fromNode), withoutTimings(fromCli))
    // Wall-clock fields exist on both sides with the same types.
    assert.equal(typeof fromNode.startedAt, typeof fromCli.startedAt)
    assert.equal(typeof fromNode.durationMs, 'number')
    for (const step of fromNode.steps) assert.equal(typeof step.durationMs, 'number')
  })
}
