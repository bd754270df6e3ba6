// `check(url, options)` against the testkit fixture server: verdicts, timeouts, concurrency,
// cancellation, and coded errors for the caller's mistakes.
import assert from 'node:assert/strict'
import { createPrivateKey, sign } from 'node:crypto'
import { getEventListeners } from 'node:events'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, before, describe, test } from 'node:test'
import { setTimeout as delay } from 'node:timers/promises'

import { probe, rejection, startFixture } from './helpers.mjs'

const { check } = probe
let fixture

before(async () => {
  fixture = await startFixture()
})

after(async () => {
  await fixture?.stop()
})

const ADD = { tool: 'add', arguments: { a: 2, b: 3 } }

// The client credentials the fixture's `auth_client_credentials` mode grants a token to; the
// secret is read from this variable, set around the tests that need it.
const SECRET_ENV = 'MCP_PROBE_NODE_TEST_CLIENT_SECRET'
const OAUTH = { oauthClientId: 'fixture-client', oauthClientSecretEnv: SECRET_ENV }

describe('verdicts', () => {
  test('a healthy server passes every step', async () => {
    const report = await check(fixture.url('json'), { ...ADD, expectText: '5' })
    assert.equal(report.ok, true)
    assert.equal(report.schemaVersion, 1)
    assert.equal(report.transport, 'streamable-http')
    assert.equal(report.era, 'handshake')
    assert.equal(report.server.name, 'mcp-probe-fixture')
    assert.deepEqual(
      report.steps.map((s) => [s.name, s.status]),
      [
        ['handshake', 'pass'],
        ['tools/list', 'pass'],
        ['tools/call', 'pass'],
      ],
    )
    const call = report.steps[2]
    assert.equal(call.tool, 'add')
    assert.deepEqual(call.result, { isError: false, text: '5', contentTypes: ['text'], structured: false })
    assert.deepEqual(report.session, { issued: true, reinitialized: 0, closed: 'deleted' })
    assert.deepEqual(report.warnings, [])
  })

  test('fields the engine leaves out of its JSON are absent, not undefined or null', async () => {
    const report = await check(fixture.url('json'))
    assert.equal('failure' in report, false)
    for (const step of report.steps) {
      for (const key of ['failure', 'warnings', 'serverMessages', 'result', 'tool']) {
        assert.equal(key in step, false, `${step.name} has ${key}`)
      }
    }
    assert.equal('title' in report.server, false)
  })

  test('a tool that reports isError resolves with a tool_error report', async () => {
    const report = await check(fixture.url('tool_is_error'), ADD)
    assert.equal(report.ok, false)
    assert.equal(report.failure.code, 'tool_error')
    assert.equal(report.failure.family, 'tool')
    assert.equal(report.failure.step, 'tools/call')
    assert.equal(report.steps[2].status, 'fail')
    assert.equal(report.steps[2].result.isError, true)
    assert.deepEqual(report.steps[2].failure, report.failure)
  })

  test('allowToolError accepts an isError result', async () => {
    const report = await check(fixture.url('tool_is_error'), { ...ADD, allowToolError: true })
    assert.equal(report.ok, true)
  })

  test('an unmet expectation fails the call step', async () => {
    const report = await check(fixture.url('json'), { ...ADD, expectText: '6' })
    assert.equal(report.ok, false)
    assert.equal(report.failure.code, 'expectation_failed')
  })

  test('a server that never answers times out with the phase in the details', async () => {
    const started = Date.now()
    const report = await check(fixture.url('hang'), { timeoutMs: 300 })
    assert.ok(Date.now() - started < 5_000)
    assert.equal(report.ok, false)
    assert.equal(report.failure.code, 'timeout')
    assert.equal(report.failure.family, 'timeout')
    assert.equal(report.failure.details.phase, 'headers')
    assert.deepEqual(
      report.steps.map((s) => s.status),
      ['fail', 'skip'],
    )
  })

  test('a 502 is an http_status failure with the status in the details', async () => {
    const report = await check(fixture.url('bad_gateway'))
    assert.equal(report.ok, false)
    assert.equal(report.failure.code, 'http_status')
    assert.equal(report.steps[0].httpStatus, 502)
  })

  test('waitUntilReadyMs repeats the probe until the wait is over', async () => {
    const started = Date.now()
    const report = await check(fixture.url('bad_gateway'), { waitUntilReadyMs: 300, timeoutMs: 2_000 })
    assert.ok(Date.now() - started < 5_000)
    assert.equal(report.ok, false)
    assert.equal(report.failure.code, 'http_status')
    assert.ok(report.attempts >= 2, `attempts ${report.attempts}`)
  })

  test('matrix runs every era, version and transport', async () => {
    const report = await check(fixture.url('json'), { matrix: true })
    assert.equal(report.ok, true)
    assert.deepEqual(
      report.matrix.map((e) => [e.transport, e.era, e.requestedVersion, e.ok]),
      [
        ['streamable-http', 'modern', '2026-07-28', false],
        ['streamable-http', 'handshake', '2025-11-25', true],
        ['streamable-http', 'handshake', '2025-06-18', true],
        ['streamable-http', 'handshake', '2025-03-26', true],
        ['sse', 'handshake', '2024-11-05', false],
      ],
    )
    assert.equal(report.matrix[4].failure.code, 'http_status')
    await assert.rejects(check(fixture.url('json'), { matrix: true, protocolVersion: '2025-06-18' }), /leave out protocolVersion/)
  })

  test('nothing listening is a connect_refused report, not an error', async () => {
    const report = await check('http://127.0.0.1:9/mcp', { timeoutMs: 2_000 })
    assert.equal(report.ok, false)
    assert.equal(report.failure.family, 'unreachable')
  })
})

describe('concurrency', () => {
  test('50 concurrent checks all pass', async () => {
    const reports = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        check(fixture.url('json'), { tool: 'add', arguments: { a: i, b: 1 }, expectText: String(i + 1) }),
      ),
    )
    assert.equal(reports.length, 50)
    for (const report of reports) assert.equal(report.ok, true, report.failure?.message)
  })

  test('probes run in parallel and leave the event loop free', async () => {
    // 50 probes that each wait for their 1 s timeout: run one after another they would take
    // 50 s; the event loop must keep serving timers meanwhile.
    const started = Date.now()
    const order = []
    const probes = Promise.all(
      Array.from({ length: 50 }, () => check(fixture.url('hang'), { timeoutMs: 1_000 })),
    ).then((reports) => {
      order.push('probes')
      return reports
    })
    const timer = delay(20).then(() => order.push('timer'))
    const [reports] = await Promise.all([probes, timer])
    assert.deepEqual(order, ['timer', 'probes'])
    assert.ok(Date.now() - started < 15_000, `took ${Date.now() - started} ms`)
    for (const report of reports) assert.equal(report.failure.code, 'timeout')
  })
})

describe('cancellation', () => {
  test('aborting rejects with an AbortError long before the timeout', async () => {
    const controller = new AbortController()
    const started = Date.now()
    const pending = check(fixture.url('hang'), { timeoutMs: 30_000, signal: controller.signal })
    setTimeout(() => controller.abort(), 50)
    const error = await rejection(pending)
    assert.ok(error instanceof Error)
    assert.equal(error.name, 'AbortError')
    assert.equal(error.code, 'aborted')
    assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`)
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0)
  })

  test('an already aborted signal rejects at once', async () => {
    const error = await rejection(check(fixture.url('json'), { signal: AbortSignal.abort() }))
    assert.equal(error.name, 'AbortError')
    assert.equal(error.code, 'aborted')
  })

  test('a check that finishes first resolves and removes its listener', async () => {
    const controller = new AbortController()
    const report = await check(fixture.url('json'), { signal: controller.signal })
    assert.equal(report.ok, true)
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0)
    controller.abort()
  })

  test('aborting one of several checks leaves the others alone', async () => {
    const controller = new AbortController()
    const aborted = check(fixture.url('hang'), { timeoutMs: 30_000, signal: controller.signal })
    const others = Array.from({ length: 5 }, () => check(fixture.url('json'), ADD))
    controller.abort()
    assert.equal((await rejection(aborted)).code, 'aborted')
    for (const report of await Promise.all(others)) assert.equal(report.ok, true)
  })
})

describe("caller's mistakes", () => {
  const cases = [
    ['a URL that does not parse', () => check('not a url'), 'invalid_url'],
    ['a URL that is not http(s)', () => check('ftp://127.0.0.1/mcp'), 'invalid_url'],
    ['an empty URL', () => check(''), 'invalid_url'],
    ['a URL that is not a string', () => check(42), 'invalid_url'],
    ['options that are not an object', () => check(fixture.url('json'), 'fast'), 'invalid_option'],
    ['an unknown option', () => check(fixture.url('json'), { timeout: 5 }), 'invalid_option'],
    ['a timeout of zero', () => check(fixture.url('json'), { timeoutMs: 0 }), 'invalid_option'],
    ['a negative timeout', () => check(fixture.url('json'), { connectTimeoutMs: -1 }), 'invalid_option'],
    ['a timeout that is not a number', () => check(fixture.url('json'), { timeoutMs: '5s' }), 'invalid_option'],
    ['a size limit that is not whole', () => check(fixture.url('json'), { maxBodyBytes: 1.5 }), 'invalid_option'],
    ['arguments without a tool', () => check(fixture.url('json'), { arguments: { a: 1 } }), 'invalid_option'],
    ['expectText without a tool', () => check(fixture.url('json'), { expectText: '5' }), 'invalid_option'],
    ['arguments that are not an object', () => check(fixture.url('json'), { tool: 'add', arguments: [1, 2] }), 'invalid_option'],
    [
      'expectText together with expectContains',
      () => check(fixture.url('json'), { ...ADD, expectText: '5', expectContains: '5' }),
      'invalid_option',
    ],
    ['checkAuth that is not a boolean', () => check(fixture.url('json'), { checkAuth: 'yes' }), 'invalid_option'],
    ['an unknown protocol era', () => check(fixture.url('json'), { protocol: 'newest' }), 'invalid_option'],
    [
      'a protocol version of another era',
      () => check(fixture.url('json'), { protocol: 'modern', protocolVersion: '2025-06-18' }),
      'invalid_scenario',
    ],
    ['a signal that is not an AbortSignal', () => check(fixture.url('json'), { signal: {} }), 'invalid_option'],
    ['an invalid header name', () => check(fixture.url('json'), { headers: { 'bad name': 'x' } }), 'invalid_header'],
    ['a header value that is not a string', () => check(fixture.url('json'), { headers: { 'X-A': 1 } }), 'invalid_option'],
    ['an unset bearer variable', () => check(fixture.url('json'), { bearerEnv: 'MCP_PROBE_NODE_TEST_UNSET' }), 'credential'],
    ['an unreadable bearer file', () => check(fixture.url('json'), { bearerFile: '/nonexistent/token' }), 'credential'],
    ['an empty tool name', () => check(fixture.url('json'), { tool: ' ' }), 'invalid_scenario'],
    ['clientCert without clientKey', () => check(fixture.url('json'), { clientCert: 'c.pem' }), 'invalid_option'],
    ['clientKey without clientCert', () => check(fixture.url('json'), { clientKey: 'k.pem' }), 'invalid_option'],
    ['insecure that is not a boolean', () => check(fixture.url('json'), { insecure: 'yes' }), 'invalid_option'],
    ['a fractional certWarnDays', () => check(fixture.url('json'), { certWarnDays: 1.5 }), 'invalid_option'],
    ['a negative certFailDays', () => check(fixture.url('json'), { certFailDays: -1 }), 'invalid_option'],
    ['certFailDays that is not a number', () => check(fixture.url('json'), { certFailDays: '7' }), 'invalid_option'],
    ['an unknown followRedirects', () => check(fixture.url('json'), { followRedirects: 'all' }), 'invalid_option'],
    ['oauthScope without oauthClientId', () => check(fixture.url('json'), { oauthScope: 'mcp:read' }), 'invalid_option'],
    [
      'oauthClientSecretEnv without oauthClientId',
      () => check(fixture.url('json'), { oauthClientSecretEnv: 'SECRET' }),
      'invalid_option',
    ],
    ['oauthClientId without a secret', () => check(fixture.url('json'), { oauthClientId: 'c' }), 'invalid_option'],
    [
      'both OAuth secret sources',
      () => check(fixture.url('json'), { ...OAUTH, oauthClientSecretFile: '/nonexistent/secret' }),
      'invalid_option',
    ],
    ['OAuth with bearerEnv', () => check(fixture.url('json'), { ...OAUTH, bearerEnv: 'TOKEN' }), 'invalid_option'],
    ['OAuth with bearerFile', () => check(fixture.url('json'), { ...OAUTH, bearerFile: 'token' }), 'invalid_option'],
    [
      'OAuth with an Authorization header',
      () => check(fixture.url('json'), { ...OAUTH, headers: { Authorization: 'Bearer x' } }),
      'invalid_option',
    ],
    ['an unknown oauthMethod', () => check(fixture.url('json'), { ...OAUTH, oauthMethod: 'jwt' }), 'invalid_option'],
    [
      'an oauthTokenUrl that does not parse',
      () => check(fixture.url('json'), { ...OAUTH, oauthTokenUrl: 'not a url' }),
      'invalid_url',
    ],
    [
      'an unset client secret variable',
      () => check(fixture.url('json'), { oauthClientId: 'c', oauthClientSecretEnv: 'MCP_PROBE_NODE_TEST_UNSET' }),
      'credential',
    ],
  ]

  for (const [what, call, code] of cases) {
    test(`${what} rejects with code ${code}`, async () => {
      const pending = call()
      assert.ok(pending instanceof Promise, 'mistakes reject the promise instead of throwing')
      const error = await rejection(pending)
      assert.ok(error instanceof Error, `not an Error: ${error}`)
      assert.equal(error.code, code, error.message)
      assert.ok(error.message.length > 0)
    })
  }

  test('error messages never contain header values', async () => {
    const error = await rejection(check(fixture.url('json'), { headers: { 'X-Token': 'sec\nret-value' } }))
    assert.equal(error.code, 'invalid_header')
    assert.ok(!error.message.includes('ret-value'), error.message)
  })

  test('null and undefined options mean no options', async () => {
    assert.equal((await check(fixture.url('json'), null)).ok, true)
    assert.equal((await check(fixture.url('json'), { tool: undefined, timeoutMs: null })).ok, true)
  })
})

describe('options', () => {
  test('headers and bearer tokens are sent', async () => {
    process.env.MCP_PROBE_NODE_TEST_TOKEN = 'token-value'
    try {
      const report = await check(fixture.url('json'), {
        headers: { 'X-Extra': 'yes' },
        bearerEnv: 'MCP_PROBE_NODE_TEST_TOKEN',
      })
      assert.equal(report.ok, true)
      assert.ok(!JSON.stringify(report).includes('token-value'))
    } finally {
      delete process.env.MCP_PROBE_NODE_TEST_TOKEN
    }
  })

  test('protocolVersion asks for and accepts only that version', async () => {
    const report = await check(fixture.url('json'), { protocolVersion: '2025-06-18' })
    assert.equal(report.ok, true)
    assert.equal(report.protocolVersion, '2025-06-18')
  })

  test('transport pins the transport', async () => {
    const report = await check(fixture.url('json'), { transport: 'streamable-http' })
    assert.equal(report.ok, true)
    assert.equal(report.transport, 'streamable-http')
  })

  test('checkAuth without credentials runs only the authorization check', async () => {
    const report = await check(fixture.url('unauthorized'), { checkAuth: true })
    assert.deepEqual(
      report.steps.map((s) => s.name),
      ['auth'],
    )
    assert.ok(Array.isArray(report.steps[0].authFindings))
    assert.ok(report.steps[0].authFindings.length > 0)
    for (const finding of report.steps[0].authFindings) {
      assert.ok(['pass', 'warn', 'fail'].includes(finding.status))
    }
  })

  test('expectSurface fails with surface_changed on a breaking change', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcp-probe-surface-'))
    try {
      const file = join(dir, 'surface.json')
      writeFileSync(file, JSON.stringify({ snapshotVersion: 1, tools: [{ name: 'refund' }] }))
      const report = await check(fixture.url('json'), { expectSurface: file })
      assert.equal(report.ok, false)
      assert.equal(report.failure?.code, 'surface_changed')
      assert.equal(
        report.failure?.message,
        'the surface changed in a breaking way: tools.refund: tool "refund" was removed (1 breaking change, 4 in all)',
      )
      assert.match(report.surfaceHash ?? '', /^sha256:[0-9a-f]{64}$/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('protocol pins the era', async () => {
    const report = await check(fixture.url('json'), { protocol: 'handshake' })
    assert.equal(report.ok, true)
    assert.equal(report.era, 'handshake')
    assert.equal(report.negotiation?.mode, 'pinned')
  })

  test('followRedirects accepts none and same-origin', async () => {
    for (const followRedirects of ['none', 'same-origin']) {
      const report = await check(fixture.url('json'), { followRedirects })
      assert.equal(report.ok, true, report.failure?.message)
    }
  })

  test('insecure on plain HTTP only adds the insecure_tls warning; there are no TLS facts', async () => {
    const report = await check(fixture.url('json'), { insecure: true })
    assert.equal(report.ok, true)
    assert.deepEqual(
      report.warnings.map((w) => w.code),
      ['insecure_tls'],
    )
    assert.equal('tls' in report, false)
  })

  test('plain HTTP steps carry timings and exchanges, without a TLS phase', async () => {
    const report = await check(fixture.url('json'), ADD)
    for (const step of report.steps) {
      assert.equal(typeof step.timings.totalMs, 'number', step.name)
      assert.equal('tlsMs' in step.timings, false, step.name)
      assert.ok(step.exchanges.length > 0, step.name)
      for (const exchange of step.exchanges) assert.equal(typeof exchange.request, 'string')
    }
    assert.deepEqual(
      report.steps[2].exchanges.map((e) => e.request),
      ['tools/call'],
    )
  })

  test('expectContains checks part of the text', async () => {
    const report = await check(fixture.url('json'), { ...ADD, expectContains: '5' })
    assert.equal(report.ok, true)
  })
})

describe('OAuth client credentials', () => {
  const url = (n) => `${fixture.url('auth_client_credentials')}?oauth=${n}`

  before(() => {
    process.env[SECRET_ENV] = 'fixture-secret'
  })

  after(() => {
    delete process.env[SECRET_ENV]
  })

  test('a token is had, sent, and reused by the next probe in this process', async () => {
    const first = await check(url(1), { ...OAUTH, ...ADD, expectText: '5' })
    assert.equal(first.ok, true, first.failure?.message)
    assert.equal(first.auth.method, 'client_credentials')
    assert.match(first.auth.tokenEndpoint, /\/as\/auth_client_credentials\/token$/)
    assert.equal(first.auth.cached, false)
    assert.ok(first.auth.requests > 0)
    assert.equal(typeof first.auth.durationMs, 'number')
    assert.ok(!JSON.stringify(first).includes('fixture-secret'))

    const second = await check(url(1), OAUTH)
    assert.equal(second.ok, true, second.failure?.message)
    assert.equal(second.auth.cached, true)
    assert.equal(second.auth.requests, 0)
  })

  test('client_secret_post with a given token endpoint', async () => {
    const tokenUrl = fixture.url('as/auth_client_credentials/token').replace(/\/mcp$/, '')
    const report = await check(url(2), { ...OAUTH, oauthMethod: 'post', oauthScope: 'mcp:read', oauthTokenUrl: tokenUrl })
    assert.equal(report.ok, true, report.failure?.message)
    assert.equal(report.auth.tokenEndpoint, tokenUrl)
    assert.equal(report.auth.requests, 1)
  })

  test('private-key-jwt signs a client assertion with the key the secret options name', async () => {
    // The fixture's authorization server trusts this test key (mcp-probe-testkit).
    const key = fileURLToPath(new URL('../../mcp-probe-testkit/src/fixture-client-key.pem', import.meta.url))
    const options = { oauthClientId: 'fixture-client', oauthClientSecretFile: key, oauthMethod: 'private-key-jwt' }
    const report = await check(url(4), { ...options, ...ADD, expectText: '5' })
    assert.equal(report.ok, true, report.failure?.message)
    assert.equal(report.auth.method, 'client_credentials')
    assert.ok(!JSON.stringify(report).includes('PRIVATE KEY'))
  })

  test('jwt-bearer sends the workload token the secret options name', async () => {
    // A workload token signed with the key the fixture's authorization server trusts, for its
    // issuer, as a platform (a Kubernetes service account) would issue it.
    const key = readFileSync(new URL('../../mcp-probe-testkit/src/fixture-client-key.pem', import.meta.url))
    const issuer = `${new URL(fixture.url('json')).origin}/as/auth_client_credentials`
    const b64 = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url')
    const now = Math.floor(Date.now() / 1000)
    const input = `${b64({ alg: 'ES256', typ: 'JWT' })}.${b64({ iss: 'https://idp.test', sub: 'w', aud: issuer, iat: now, exp: now + 600 })}`
    const signature = sign('sha256', Buffer.from(input), { key: createPrivateKey(key), dsaEncoding: 'ieee-p1363' })
    const dir = mkdtempSync(join(tmpdir(), 'mcp-probe-jwt-'))
    const file = join(dir, 'token')
    writeFileSync(file, `${input}.${signature.toString('base64url')}\n`)
    try {
      const options = { oauthFlow: 'jwt-bearer', oauthClientId: 'fixture-client', oauthClientSecretFile: file }
      const report = await check(url(5), { ...options, ...ADD, expectText: '5' })
      assert.equal(report.ok, true, report.failure?.message)
      assert.equal(report.auth.method, 'jwt_bearer')
      assert.ok(!JSON.stringify(report).includes(signature.toString('base64url')))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('refused client credentials are an auth_token failure, not an error', async () => {
    const report = await check(url(3), { ...OAUTH, oauthClientId: 'someone-else' })
    assert.equal(report.ok, false)
    assert.equal(report.failure.code, 'auth_token')
    assert.equal(report.failure.family, 'auth')
    assert.equal(report.failure.details.oauthError, 'invalid_client')
    assert.equal(report.auth.cached, false)
  })
})
