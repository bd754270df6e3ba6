// Against the TypeScript reference server `@modelcontextprotocol/server-everything`, installed into
// interop/node by `interop/setup.sh`.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { after, before, test } from 'node:test'
import { promisify } from 'node:util'

import { cliReport, packageDir, probe, referenceInstalled, startReferenceServer, withoutTimings } from './helpers.mjs'

const { check } = probe
// Without the server, CI fails; a developer without it gets a skip that says what to run.
const skip = !referenceInstalled && !process.env.CI && 'run interop/setup.sh to install the reference server'
let server

before(async () => {
  if (skip) return
  assert.ok(referenceInstalled, 'the reference server is not installed: run interop/setup.sh')
  server = await startReferenceServer()
})

after(async () => {
  await server?.stop()
})

const ECHO = { tool: 'echo', arguments: { message: 'hi' }, expectText: 'Echo: hi' }

test('a healthy check of the reference server passes', { skip }, async () => {
  const report = await check(server.url, ECHO)
  assert.equal(report.ok, true, report.failure?.message)
  assert.equal(report.steps[2].result.text, 'Echo: hi')
  assert.ok(report.server.capabilities.includes('tools'))
})

test('the README one-liner prints true', { skip }, async () => {
  const script =
    `require('mcp-probe').check(${JSON.stringify(server.url)}, ` +
    `{ tool: 'echo', arguments: { message: 'hi' } }).then((r) => console.log(r.ok))`
  // Inside the package, `require('mcp-probe')` resolves to it (package self-reference), as it
  // would to an installed copy anywhere else.
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], {
    cwd: packageDir,
    timeout: 30_000,
  })
  assert.equal(stdout, 'true\n')
})

test('a tool error of the reference server is a tool_error report', { skip }, async () => {
  // get-sum validates its input: a string for a number makes it answer with isError: true.
  const report = await check(server.url, { tool: 'get-sum', arguments: { a: 'x', b: 1 } })
  assert.equal(report.ok, false)
  assert.equal(report.failure.code, 'tool_error')
})

test('the report equals the CLI JSON for the reference server', { skip }, async () => {
  // A URL this process has not probed yet (the engine remembers each URL's protocol era).
  const url = `${server.url}?fresh=1`
  const [fromNode, fromCli] = await Promise.all([
    check(url, ECHO),
    cliReport(['check', url, '--tool', 'echo', '--args', '{"message":"hi"}', '--expect-text', 'Echo: hi']),
  ])
  // Whether this server's connections are reused depends on when it closes each SSE answer.
  const relaxed = { connectionPhases: false }
  assert.deepEqual(withoutTimings(fromNode, relaxed), withoutTimings(fromCli, relaxed))
})

test('50 concurrent checks of the reference server pass', { skip }, async () => {
  const reports = await Promise.all(Array.from({ length: 50 }, () => check(server.url, ECHO)))
  for (const report of reports) assert.equal(report.ok, true, report.failure?.message)
})
