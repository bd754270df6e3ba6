// `checkScenario(document | path, options)`: the scenario document the CLI's `--scenario` reads.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'

import { probe, rejection, startFixture } from './helpers.mjs'

const { checkScenario } = probe
let fixture
let dir

before(async () => {
  fixture = await startFixture()
  dir = mkdtempSync(join(tmpdir(), 'mcp-probe-node-'))
})

after(async () => {
  await fixture?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

const callAdd = (expected) => ({
  step: 'callTool',
  name: 'add',
  arguments: { a: 2, b: 3 },
  expect: { textEquals: expected },
})

test('a document object runs its steps', async () => {
  const report = await checkScenario({
    target: { url: fixture.url('json') },
    timeouts: { total: '5s' },
    steps: [callAdd('5')],
  })
  assert.equal(report.ok, true, report.failure?.message)
  assert.deepEqual(
    report.steps.map((s) => s.name),
    ['handshake', 'tools/call'],
  )
})

test('a YAML file runs like the same document', async () => {
  const path = join(dir, 'scenario.yaml')
  writeFileSync(
    path,
    [
      `target: {url: '${fixture.url('json')}'}`,
      'timeouts: {total: 5000}',
      'steps:',
      '- step: listTools',
      '  expect: {toolsPresent: [add, echo]}',
      '- step: callTool',
      '  name: add',
      '  arguments: {a: 2, b: 3}',
      "  expect: {textEquals: '5'}",
      '',
    ].join('\n'),
  )
  const report = await checkScenario(path)
  assert.equal(report.ok, true, report.failure?.message)
  assert.equal(report.steps.length, 3)
})

test('a JSON file works too, and options.url replaces its target', async () => {
  const path = join(dir, 'scenario.json')
  writeFileSync(path, JSON.stringify({ target: { url: 'http://127.0.0.1:9/mcp' }, steps: [callAdd('6')] }))
  const report = await checkScenario(path, { url: fixture.url('json') })
  assert.equal(report.target, fixture.url('json'))
  assert.equal(report.ok, false)
  assert.equal(report.failure.code, 'expectation_failed')
})

test('a document without a target takes options.url', async () => {
  const report = await checkScenario({ steps: [callAdd('5')] }, { url: fixture.url('json') })
  assert.equal(report.ok, true)
})

test('a failing server resolves with its report', async () => {
  const report = await checkScenario({ target: { url: fixture.url('tool_is_error') }, steps: [callAdd('5')] })
  assert.equal(report.ok, false)
  assert.equal(report.failure.code, 'tool_error')
})

test('a scenario can be aborted', async () => {
  const controller = new AbortController()
  const pending = checkScenario(
    { target: { url: fixture.url('hang') }, timeouts: { total: '30s' } },
    { signal: controller.signal },
  )
  controller.abort()
  const error = await rejection(pending)
  assert.equal(error.name, 'AbortError')
  assert.equal(error.code, 'aborted')
})

const mistakes = [
  ['an unknown step', () => checkScenario({ steps: [{ step: 'bogus' }] }, { url: fixture.url('json') }), 'invalid_scenario'],
  ['an unknown key', () => checkScenario({ target: { url: fixture.url('json') }, retries: 3 }), 'invalid_scenario'],
  ['a missing file', () => checkScenario(join(dir, 'missing.yaml')), 'invalid_scenario'],
  ['a number instead of a document', () => checkScenario(42), 'invalid_scenario'],
  ['an array instead of a document', () => checkScenario([]), 'invalid_scenario'],
  ['no URL anywhere', () => checkScenario({ steps: [callAdd('5')] }), 'invalid_url'],
  ['a zero timeout', () => checkScenario({ target: { url: fixture.url('json') }, timeouts: { total: 0 } }), 'invalid_option'],
  ['an unknown option', () => checkScenario({}, { target: 'x' }), 'invalid_option'],
  ['a url option that is not a string', () => checkScenario({}, { url: 1 }), 'invalid_option'],
]

for (const [what, call, code] of mistakes) {
  test(`${what} rejects with code ${code}`, async () => {
    const error = await rejection(call())
    assert.ok(error instanceof Error)
    assert.equal(error.code, code, error.message)
  })
}
