// `check({ command, args, env, cwd }, options)`: a local server started as a child process and
// probed over stdio (the testkit's stdio fixture), like `mcp-probe check --stdio -- COMMAND`.
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { before, test } from 'node:test'

import { cliReport, probe, rejection, stdioFixtureBin, withoutTimings } from './helpers.mjs'

const { check } = probe
const ADD = { tool: 'add', arguments: { a: 2, b: 3 }, expectText: '5' }
const server = (mode, extra = {}) => ({ command: stdioFixtureBin, args: [mode], ...extra })

before(() => {
  assert.ok(
    existsSync(stdioFixtureBin),
    `stdio fixture not found at ${stdioFixtureBin}: run \`cargo build -p mcp-probe-testkit\``,
  )
})

test('a healthy stdio server passes every step', async () => {
  const report = await check(server('healthy'), ADD)
  assert.equal(report.ok, true, report.failure?.message)
  assert.equal(report.transport, 'stdio')
  assert.equal(report.steps[2].result.text, '5')
})

test('env and cwd reach the server', async () => {
  const dir = tmpdir()
  const report = await check(server('healthy', { env: { MCP_PROBE_FIXTURE_TITLE: 'from node' }, cwd: dir }))
  assert.equal(report.ok, true, report.failure?.message)
  // The fixture takes its title from the variable: it arrived, and as an --env value it is
  // a secret, blanked out of the report.
  assert.equal(report.server.title, '<redacted>')
  assert.ok(!JSON.stringify(report).includes('from node'))
})

test('a server that exits early fails with its stderr in the report', async () => {
  const report = await check(server('exit_early'), { timeoutMs: 5_000 })
  assert.equal(report.ok, false)
  assert.equal(typeof report.stderr, 'string')
  assert.ok(report.stderr.length > 0)
})

test('the report equals the CLI JSON for the same command', async () => {
  const [fromNode, fromCli] = await Promise.all([
    check(server('healthy'), ADD),
    cliReport(['check', '--tool', 'add', '--args', '{"a":2,"b":3}', '--expect-text', '5', '--stdio', '--', stdioFixtureBin, 'healthy']),
  ])
  assert.deepEqual(withoutTimings(fromNode), withoutTimings(fromCli))
})

test('a stdio probe can be aborted', async () => {
  const controller = new AbortController()
  const pending = check(server('hang'), { timeoutMs: 30_000, signal: controller.signal })
  setTimeout(() => controller.abort(), 50)
  const error = await rejection(pending)
  assert.equal(error.code, 'aborted')
})

const mistakes = [
  ['a command without a program', () => check({ command: '' }), 'invalid_option'],
  ['a command object without `command`', () => check({ args: ['x'] }), 'invalid_option'],
  ['an unknown key in the command', () => check({ command: stdioFixtureBin, argv: [] }), 'invalid_option'],
  ['args that are not strings', () => check({ command: stdioFixtureBin, args: [1] }), 'invalid_option'],
  ['headers with a command', () => check(server('healthy'), { headers: { 'X-A': 'b' } }), 'invalid_option'],
  ['a bearer token with a command', () => check(server('healthy'), { bearerEnv: 'HOME' }), 'invalid_option'],
  [
    'OAuth client credentials with a command',
    () => check(server('healthy'), { oauthClientId: 'c', oauthClientSecretEnv: 'HOME' }),
    'invalid_option',
  ],
  ['insecure with a command', () => check(server('healthy'), { insecure: true }), 'invalid_option'],
  ['caCert with a command', () => check(server('healthy'), { caCert: 'ca.pem' }), 'invalid_option'],
  ['certFailDays with a command', () => check(server('healthy'), { certFailDays: 7 }), 'invalid_option'],
  ['followRedirects with a command', () => check(server('healthy'), { followRedirects: 'none' }), 'invalid_option'],
  ['an unknown transport', () => check(server('healthy'), { transport: 'carrier-pigeon' }), 'invalid_option'],
  ['an array as the target', () => check(['x']), 'invalid_url'],
]

for (const [what, call, code] of mistakes) {
  test(`${what} rejects with code ${code}`, async () => {
    const error = await rejection(call())
    assert.ok(error instanceof Error)
    assert.equal(error.code, code, error.message)
  })
}
