// `open(target, options)`: one MCP session opened once, its steps run again and again over it
// with `Session.runSteps()`, ended with `Session.close()`.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'

import { probe, rejection, startFixture, stdioFixtureBin } from './helpers.mjs'

const { open } = probe
const ADD = { tool: 'add', arguments: { a: 2, b: 3 }, expectText: '5' }

let fixture
before(async () => {
  fixture = await startFixture()
})
after(async () => {
  await fixture?.stop()
})

test('steps run again and again over the session the handshake opened', async () => {
  const session = await open(fixture.url('json'), ADD)
  assert.equal(session.opening.ok, true, session.opening.failure?.message)
  assert.deepEqual(
    session.opening.steps.map((s) => s.name),
    ['handshake'],
  )
  assert.equal(session.usable, true)
  for (let run = 0; run < 3; run++) {
    const report = await session.runSteps()
    assert.equal(report.ok, true, report.failure?.message)
    // Only the steps after the handshake, over the connection the handshake opened.
    assert.deepEqual(
      report.steps.map((s) => [s.name, s.status]),
      [
        ['tools/list', 'pass'],
        ['tools/call', 'pass'],
      ],
    )
    assert.equal(report.steps[1].result.text, '5')
    assert.equal(report.steps[0].timings.reusedConnection, true)
    assert.deepEqual(report.session, { issued: true, reinitialized: 0 })
  }
  assert.equal(await session.close(), 'deleted')
  assert.equal(session.usable, false)
  // Closed: runs are refused, a second close has nothing to end.
  const refused = await rejection(session.runSteps())
  assert.equal(refused.code, 'session_closed')
  assert.equal(
    refused.message,
    'the session is closed, or never opened (see its `opening` report): open another',
  )
  assert.equal(await session.close(), null)
})

test('a session that cannot open is a report, and runs nothing', async () => {
  const session = await open(fixture.url('bad_gateway'), ADD)
  assert.equal(session.opening.ok, false)
  assert.equal(session.opening.failure.code, 'http_status')
  assert.equal(session.opening.failure.step, 'handshake')
  assert.equal(session.usable, false)
  assert.equal((await rejection(session.runSteps())).code, 'session_closed')
  assert.equal(await session.close(), null)
})

test('a tool error leaves the session usable; a forgotten session does not', async () => {
  const failing = await open(fixture.url('tool_is_error'), { tool: 'add', arguments: { a: 1, b: 1 } })
  const report = await failing.runSteps()
  assert.equal(report.failure.code, 'tool_error')
  assert.equal(failing.usable, true)
  await failing.close()

  const forgetful = await open(fixture.url('session_expire_once'), ADD)
  assert.equal(forgetful.opening.ok, true, forgetful.opening.failure?.message)
  const gone = await forgetful.runSteps()
  assert.equal(gone.failure.code, 'session_expired')
  assert.equal(forgetful.usable, false)
  await forgetful.close()
})

test('a stdio server lives from open to close', async () => {
  const session = await open({ command: stdioFixtureBin, args: ['healthy'] }, ADD)
  assert.equal(session.opening.ok, true, session.opening.failure?.message)
  assert.equal(session.opening.transport, 'stdio')
  for (let run = 0; run < 2; run++) {
    const report = await session.runSteps()
    assert.equal(report.ok, true, report.failure?.message)
    assert.equal(report.steps[1].result.text, '5')
  }
  // The fixture exits when its stdin closes: the first thing closing tries.
  assert.equal(await session.close(), 'exited (code 0)')
})

test('the caller\'s mistakes reject, as with check', async () => {
  assert.equal((await rejection(open('ftp://example.com/mcp'))).code, 'invalid_url')
  assert.equal((await rejection(open(fixture.url('json'), { expectText: '5' }))).code, 'invalid_option')
  const aborted = new AbortController()
  aborted.abort()
  const error = await rejection(open(fixture.url('hang'), { signal: aborted.signal }))
  assert.equal(error.code, 'aborted')
  assert.equal(error.name, 'AbortError')
})
