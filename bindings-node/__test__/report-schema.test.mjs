// Drift guard: every field and enum value of the report's JSON Schema (docs/report.schema.json,
// the authoritative shape of the CLI's `--format json`, generated from the engine's report types)
// must be mirrored in report.d.ts (generated from the schema by scripts/gen_report_types.py, and
// re-exported by index.d.ts), with the same optionality and type, and nothing more.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'

import { packageDir, repoRoot } from './helpers.mjs'

const schema = JSON.parse(readFileSync(join(repoRoot, 'docs', 'report.schema.json'), 'utf8'))
const declarations = readFileSync(join(packageDir, 'report.d.ts'), 'utf8')
const index = readFileSync(join(packageDir, 'index.d.ts'), 'utf8')

/** Which interface of report.d.ts mirrors each object of the schema, by JSON pointer. */
const INTERFACES = {
  '#': 'Report',
  '#/$defs/Negotiation': 'Negotiation',
  '#/$defs/SessionFacts': 'SessionFacts',
  '#/$defs/AuthFacts': 'AuthFacts',
  '#/$defs/ServerInfo': 'ServerInfo',
  '#/$defs/StepReport': 'StepReport',
  '#/$defs/ServerMessage': 'ServerMessage',
  '#/$defs/AuthFinding': 'AuthFinding',
  '#/$defs/ToolInfo': 'ToolInfo',
  '#/$defs/CallResult': 'CallResult',
  '#/$defs/Failure': 'Failure',
  '#/$defs/Warning': 'Warning',
  '#/$defs/Timings': 'Timings',
  '#/$defs/ExchangeTimings': 'ExchangeTimings',
  '#/$defs/TlsFacts': 'TlsFacts',
  '#/$defs/MatrixEntry': 'MatrixEntry',
}

const REBUILD = 'then run `python3 scripts/gen_report_types.py` and commit report.d.ts'

/** The interfaces (`name → { member → { optional, type } }`) and type aliases of a d.ts text. */
export function parseDeclarations(text) {
  const interfaces = new Map()
  for (const [, name, body] of text.matchAll(/^export interface (\w+) \{\n([\s\S]*?)^\}/gm)) {
    const members = new Map()
    for (const [, member, optional, type] of body.matchAll(/^ {2}(\w+)(\?)?: (.+)$/gm)) {
      members.set(member, { optional: optional === '?', type: type.trim() })
    }
    interfaces.set(name, members)
  }
  const aliases = new Map()
  for (const [, name, type] of text.matchAll(/^export type (\w+) = (.+)$/gm)) {
    aliases.set(name, type.trim())
  }
  return { interfaces, aliases }
}

/** The string literals of a union such as `'a' | 'b'`; `undefined` if it is not one. */
function literals(type) {
  const parts = type.split('|').map((p) => p.trim())
  if (!parts.every((p) => /^'[^']*'$/.test(p))) return undefined
  return parts.map((p) => p.slice(1, -1))
}

/** The node a local `$ref` (`#/$defs/x`) points at, and its pointer. */
function resolve(root, ref) {
  assert.ok(ref.startsWith('#/'), `only local $refs are supported, got ${ref}`)
  let node = root
  for (const part of ref.slice(2).split('/')) node = node[part]
  assert.ok(node, `dangling $ref ${ref}`)
  return [ref, node]
}

/**
 * Compares the schema with the declarations and returns what is out of step, one sentence per
 * problem saying what to add or remove. Walks the report's `properties` and every `$defs`
 * entry, following `$ref`s and array `items`.
 */
export function schemaDrift(root, text) {
  const { interfaces, aliases } = parseDeclarations(text)
  const problems = []
  const visited = new Set()

  // The TypeScript type the schema node at `pointer` calls for; checks enums on the way.
  const expectedType = (pointer, node, where) => {
    if (node.$ref) {
      const [target, resolved] = resolve(root, node.$ref)
      return expectedType(target, resolved, where)
    }
    if (node.enum) return { enum: node.enum }
    if (node.const !== undefined) {
      return typeof node.const === 'string' ? `'${node.const}'` : 'number'
    }
    switch (node.type) {
      case 'array':
        return { array: expectedType(`${pointer}/items`, node.items, where) }
      case 'object':
        if (!node.properties) return 'Record<string, unknown>'
        visitObject(pointer, node)
        return INTERFACES[pointer] ?? `<no interface for ${pointer}>`
      case 'string':
        return 'string'
      case 'integer':
      case 'number':
        return 'number'
      case 'boolean':
        return 'boolean'
      default:
        problems.push(`${where}: this test does not know the schema type ${JSON.stringify(node)}; extend it`)
        return 'unknown'
    }
  }

  // Whether the declared type `actual` is what `expected` calls for; records enum problems.
  const matches = (expected, actual, where) => {
    if (typeof expected === 'string') return expected === actual
    if (expected.array) {
      const inner = /^Array<(.+)>$/.exec(actual)
      return inner !== null && matches(expected.array, inner[1], where)
    }
    // An enum: a union of string literals, inline or through a type alias.
    const union = literals(actual) ?? (aliases.has(actual) ? literals(aliases.get(actual)) : undefined)
    if (!union) {
      problems.push(
        `${where} is declared \`${actual}\`, but the schema has the enum ${expected.enum.join(', ')}: ` +
          `give the field a string union, ${REBUILD}`,
      )
      return true
    }
    const name = aliases.has(actual) ? actual : 'its union'
    for (const value of expected.enum.filter((v) => !union.includes(v))) {
      problems.push(
        `${where}: '${value}' is in the schema's enum but not in ${name}: add the variant to ` +
          `the enum ${aliases.has(actual) ? actual : ''} of the engine's report types, ${REBUILD}`,
      )
    }
    for (const value of union.filter((v) => !expected.enum.includes(v))) {
      problems.push(`${where}: '${value}' is in ${name} but not in the schema's enum: remove it`)
    }
    return true
  }

  const show = (expected) =>
    typeof expected === 'string'
      ? expected
      : expected.array
        ? `Array<${show(expected.array)}>`
        : expected.enum.map((v) => `'${v}'`).join(' | ')

  function visitObject(pointer, node) {
    if (visited.has(pointer)) return
    visited.add(pointer)
    const name = INTERFACES[pointer]
    if (!name) {
      problems.push(
        `the schema object ${pointer} (properties ${Object.keys(node.properties).join(', ')}) has no ` +
          'interface: give it a named type in the engine (a `$defs` entry), ' +
          'add it to INTERFACES in __test__/report-schema.test.mjs and regenerate report.d.ts',
      )
      return
    }
    const members = interfaces.get(name)
    if (!members) {
      problems.push(`report.d.ts has no \`interface ${name}\` for ${pointer}: ${REBUILD}`)
      return
    }
    const required = new Set(node.required ?? [])
    for (const [property, child] of Object.entries(node.properties)) {
      const where = `${name}.${property}`
      const childPointer = `${pointer}/properties/${property}`
      const expected = expectedType(childPointer, child, where)
      const member = members.get(property)
      const optional = !required.has(property)
      if (!member) {
        problems.push(
          `report.d.ts: \`interface ${name}\` lacks \`${property}${optional ? '?' : ''}: ${show(expected)}\` ` +
            `(schema ${childPointer}): it is generated, ${REBUILD}`,
        )
        continue
      }
      if (member.optional !== optional) {
        problems.push(
          `${where} is ${member.optional ? 'optional' : 'required'} in report.d.ts but ` +
            `${optional ? 'optional (absent when the engine leaves it out)' : 'required'} in the schema: ` +
            `${REBUILD}`,
        )
      }
      if (!matches(expected, member.type, where)) {
        problems.push(`${where} is declared \`${member.type}\` but the schema calls for \`${show(expected)}\``)
      }
    }
    for (const member of members.keys()) {
      if (!(member in node.properties)) {
        problems.push(
          `${name}.${member} is in report.d.ts but not in the schema (${pointer}): the report must keep ` +
            "exactly the CLI JSON's keys; remove it or add it to docs/report.schema.json",
        )
      }
    }
  }

  visitObject('#', root)
  for (const [def, node] of Object.entries(root.$defs ?? {})) {
    expectedType(`#/$defs/${def}`, node, `$defs/${def}`)
  }
  return problems
}

test('every object, field and enum value of the report schema is mirrored in report.d.ts', () => {
  const problems = schemaDrift(schema, declarations)
  assert.deepEqual(problems, [], `report.d.ts is out of step with docs/report.schema.json:\n- ${problems.join('\n- ')}`)
})

test('index.d.ts re-exports the report types and resolves with a Report', () => {
  assert.match(index, /^import type \{ Report \} from '\.\/report'$/m)
  assert.match(index, /^export \* from '\.\/report'$/m)
  assert.match(index, /export declare function check\(.*\): Promise<Report>$/m)
  assert.match(index, /export declare function checkScenario\(.*\): Promise<Report>$/m)
})

test('every failure code of the schema is in the FailureCode union', () => {
  const { aliases } = parseDeclarations(declarations)
  const union = literals(aliases.get('FailureCode') ?? '') ?? []
  assert.equal(schema.$defs.Failure.properties.code.$ref, '#/$defs/FailureCode')
  const codes = schema.$defs.FailureCode.enum
  const missing = codes.filter((code) => !union.includes(code))
  assert.deepEqual(
    missing,
    [],
    `FailureCode in report.d.ts lacks ${missing.join(', ')}: ${REBUILD}`,
  )
  assert.deepEqual([...union].sort(), [...codes].sort())
})

test('every object of the schema is mapped to an interface that exists', () => {
  const { interfaces } = parseDeclarations(declarations)
  for (const [pointer, name] of Object.entries(INTERFACES)) {
    assert.ok(interfaces.has(name), `report.d.ts has no interface ${name} (for ${pointer})`)
  }
  for (const [def, node] of Object.entries(schema.$defs)) {
    if (node.type !== 'object') continue
    assert.ok(`#/$defs/${def}` in INTERFACES, `$defs/${def} has no interface in INTERFACES`)
  }
})

// The guard itself: it notices what an unmirrored engine change looks like.
test('the guard reports a missing field, a missing enum value and an extra field', () => {
  const withoutTimings = declarations.replace(/^ {2}timings\?: Timings\n/m, '')
  assert.notEqual(withoutTimings, declarations)
  const [missingField] = schemaDrift(schema, withoutTimings)
  assert.match(missingField, /interface StepReport` lacks `timings\?: Timings`/)
  assert.match(missingField, /gen_report_types\.py/)

  const withoutCode = declarations.replace(" | 'auth_token'", '')
  assert.notEqual(withoutCode, declarations)
  const codeProblems = schemaDrift(schema, withoutCode)
  assert.ok(
    codeProblems.some((p) => p.includes("'auth_token' is in the schema's enum but not in FailureCode")),
    codeProblems.join('\n'),
  )

  const extra = declarations.replace(/^(export interface Timings \{\n)/m, '$1  spareMs?: number\n')
  assert.notEqual(extra, declarations)
  assert.ok(schemaDrift(schema, extra).some((p) => p.startsWith('Timings.spareMs is in report.d.ts but not in the schema')))

  const newObject = structuredClone(schema)
  newObject.properties.dns = { type: 'object', properties: { resolver: { type: 'string' } } }
  const objectProblems = schemaDrift(newObject, declarations)
  assert.ok(objectProblems.some((p) => p.includes('lacks `dns?: <no interface for #/properties/dns>`')), objectProblems.join('\n'))
  assert.ok(objectProblems.some((p) => p.startsWith('the schema object #/properties/dns')), objectProblems.join('\n'))
})
