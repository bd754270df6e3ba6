// The report from Node is the CLI's `--format json` report for the same target, field for field
// (wall-clock values aside): same keys, same enum strings, same absent fields.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'

import { TIMING_FIELDS, cliReport, probe, startFixture, withoutTimings } from './helpers.mjs'

const { check } = probe
let fixture

// The client secret of the fixture's `auth_client_credentials` mode, read by both sides from
// this variable (the CLI inherits this process's environment).
const SECRET_ENV = 'MCP_PROBE_NODE_TEST_OAUTH_SECRET'

before(async () => {
  fixture = await startFixture()
  process.env[SECRET_ENV] = 'fixture-secret'
})

after(async () => {
  delete process.env[SECRET_ENV]
  await fixture?.stop()
})

const ADD = { tool: 'add', arguments: { a: 2, b: 3 } }

// Modes chosen to cover every optional part of the report: tool results, failures with details,
// server messages, warnings, skipped steps, pagination, timings, authorization findings, OAuth
// facts.
const cases = [
  ['json', { ...ADD, expectText: '5' }],
  ['json', {}],
  ['tool_is_error', ADD],
  ['notifications', ADD],
  ['session_expire_once', ADD],
  ['paginated', {}],
  ['bad_gateway', {}],
  ['wrong_id', {}],
  ['oversized', {}],
  ['hang', { timeoutMs: 400 }],
  ['unauthorized', { checkAuth: true }],
  ['auth_ok', { checkAuth: true }],
  ['auth_no_s256', { checkAuth: true }],
  ['auth_client_credentials', { ...ADD, oauthClientId: 'fixture-client', oauthClientSecretEnv: SECRET_ENV }],
  [
    'auth_client_credentials',
    { oauthClientId: 'fixture-client', oauthClientSecretEnv: SECRET_ENV, oauthMethod: 'post', oauthScope: 'mcp:read' },
  ],
  ['auth_client_credentials', { oauthClientId: 'wrong-client', oauthClientSecretEnv: SECRET_ENV }],
  ['json', { insecure: true, certWarnDays: 30, followRedirects: 'same-origin' }],
]

/** The CLI flags for the same options. */
function flags(options) {
  const out = []
  if (options.tool) out.push('--tool', options.tool)
  if (options.arguments) out.push('--args', JSON.stringify(options.arguments))
  if (options.expectText) out.push('--expect-text', options.expectText)
  if (options.timeoutMs) out.push('--timeout', `${options.timeoutMs}ms`)
  if (options.checkAuth) out.push('--check-auth')
  if (options.oauthClientId) out.push('--oauth-client-id', options.oauthClientId)
  if (options.oauthClientSecretEnv) out.push('--oauth-client-secret-env', options.oauthClientSecretEnv)
  if (options.oauthMethod) out.push('--oauth-method', options.oauthMethod)
  if (options.oauthScope) out.push('--oauth-scope', options.oauthScope)
  if (options.insecure) out.push('--insecure')
  if (options.certWarnDays !== undefined) out.push('--cert-warn-days', String(options.certWarnDays))
  if (options.followRedirects) out.push('--follow-redirects', options.followRedirects)
  return out
}

/** Probes `mode` from Node and with the CLI, on a URL this process has not probed yet. */
async function bothReports(mode, options, index) {
  // The engine remembers each URL's protocol era for later probes in the same process, and the
  // CLI is always a fresh process.
  const url = `${fixture.url(mode)}?case=${index}`
  return Promise.all([check(url, options), cliReport(['check', url, ...flags(options)])])
}

for (const [index, [mode, options]] of cases.entries()) {
  test(`${mode} ${JSON.stringify(options)}: the report equals the CLI's JSON`, async () => {
    const [fromNode, fromCli] = await bothReports(mode, options, index)
    assert.deepEqual(withoutTimings(fromNode), withoutTimings(fromCli))
    // Wall-clock fields exist on both sides with the same types.
    assert.equal(typeof fromNode.startedAt, typeof fromCli.startedAt)
    assert.equal(typeof fromNode.durationMs, 'number')
    for (const step of fromNode.steps) assert.equal(typeof step.durationMs, 'number')
  })
}

test('timings over plain HTTP: the same keys as the CLI, values not compared', async () => {
  const [fromNode, fromCli] = await bothReports('sse', ADD, cases.length)
  assert.equal(fromNode.ok, true, fromNode.failure?.message)
  // No TLS on either side: no certificate facts, no TLS phase.
  assert.equal('tls' in fromNode, false)
  assert.equal('tls' in fromCli, false)
  assert.deepEqual(
    fromNode.steps.map((s) => s.name),
    fromCli.steps.map((s) => s.name),
  )
  for (const [i, step] of fromNode.steps.entries()) {
    const cliStep = fromCli.steps[i]
    assert.ok(step.timings, `${step.name} has no timings`)
    assert.deepEqual(Object.keys(step.timings).sort(), Object.keys(cliStep.timings).sort(), step.name)
    assert.equal('tlsMs' in step.timings, false, step.name)
    assert.ok(step.exchanges?.length > 0, `${step.name} has no exchanges`)
    assert.deepEqual(
      step.exchanges.map((e) => [e.request, Object.keys(e).sort()]),
      cliStep.exchanges.map((e) => [e.request, Object.keys(e).sort()]),
      step.name,
    )
    for (const timings of [step.timings, ...step.exchanges]) {
      for (const key of TIMING_FIELDS.filter((k) => k in timings)) {
        const type = key === 'reusedConnection' ? 'boolean' : 'number'
        assert.equal(typeof timings[key], type, `${step.name} ${key}`)
      }
      if (timings !== step.timings) assert.equal(typeof timings.request, 'string')
    }
  }
  // Every probe opens its own connection: its first exchange shows the connect phases.
  const first = fromNode.steps[0].exchanges[0]
  assert.equal(first.reusedConnection, false)
  assert.equal(typeof first.dnsMs, 'number')
  assert.equal(typeof first.connectMs, 'number')
})
