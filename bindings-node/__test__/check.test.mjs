// `check(url, options)` against the testkit fixture server: verdicts, timeouts, concurrency,
// cancellation, and coded errors for the caller's mistakes.
import assert from 'node:assert/strict'
import { getEventListeners } from 'node:events'
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

  test('protocol pins the era', async () => {
    const report = await check(fixture.url('json'), { protocol: 'handshake' })
    assert.equal(report.ok, true)
    assert.equal(report.era, 'handshake')
    assert.equal(report.negotiation?.mode, 'pinned')
  })

  test('expectContains checks part of the text', async () => {
    const report = await check(fixture.url('json'), { ...ADD, expectContains: '5' })
    assert.equal(report.ok, true)
  })
})
