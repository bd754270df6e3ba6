// Every option of the engine's options model (`CheckOptions::NAMES` in mcp-probe-core) reaches
// the engine from `check`: as a key of the options object (durations with their unit,
// `timeoutMs`), or through the target (`url`, and a command's `command`, `env`, `cwd`), and is
// declared in index.d.ts.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'

import { probe, rejection } from './helpers.mjs'

const { check } = probe
const root = new URL('../../', import.meta.url)
const source = readFileSync(new URL('mcp-probe-core/src/model/options/mod.rs', root), 'utf8')

/** The string items of the Rust constant `name` in options/mod.rs. */
function constList(name) {
  const body = source.split(`pub const ${name}: &'static [&'static str] = &[`)[1]?.split('];')[0]
  assert.ok(body, `${name} not found in options/mod.rs`)
  return [...body.matchAll(/"([A-Za-z]+)"/g)].map((m) => m[1])
}

const NAMES = constList('NAMES')
const DURATIONS = new Set(constList('DURATIONS'))
const TARGET = new Set(['url', 'command', 'env', 'cwd'])
const URL_TARGET = 'http://127.0.0.1:9/mcp'

test('the options model is found', () => {
  assert.ok(NAMES.length > 30 && NAMES.includes('maxPages') && DURATIONS.has('timeout'))
})

for (const name of NAMES) {
  const key = DURATIONS.has(name) ? `${name}Ms` : name
  test(`option ${name} reaches the engine as ${TARGET.has(name) ? 'part of the target' : key}`, async () => {
    if (name === 'url') {
      assert.equal((await rejection(check('not a url'))).code, 'invalid_url')
      return
    }
    // A value of the wrong type for every option: the engine (or the unit check) names it.
    const call =
      name === 'command'
        ? check({ command: ' ' })
        : TARGET.has(name)
          ? check({ command: 'server', [name]: [] })
          : check(URL_TARGET, { [key]: [] })
    const error = await rejection(call)
    assert.equal(error.code, 'invalid_option', error.message)
    assert.ok(!error.message.includes('unknown option'), error.message)
    assert.ok(error.message.includes(`\`${key}\``), error.message)
  })
}

test('index.d.ts declares every option key', () => {
  const dts = readFileSync(new URL('bindings-node/index.d.ts', root), 'utf8')
  const options = dts.split('export interface CheckOptions {')[1].split('\n}')[0]
  const command = dts.split('export interface StdioCommand {')[1].split('\n}')[0]
  for (const name of NAMES) {
    if (name === 'url') continue
    const key = DURATIONS.has(name) ? `${name}Ms` : name
    const declared = TARGET.has(name) ? command : options
    assert.match(declared, new RegExp(`^\\s+${key}\\??:`, 'm'), key)
  }
})

test('canonical duration names and target keys are not option keys', async () => {
  for (const key of ['timeout', 'connectTimeout', 'url', 'env']) {
    const error = await rejection(check(URL_TARGET, { [key]: 5 }))
    assert.equal(error.code, 'invalid_option')
    assert.match(error.message, /unknown option/)
  }
})
