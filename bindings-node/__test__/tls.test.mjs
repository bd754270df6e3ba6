// TLS options and the report's `tls` facts over real handshakes: the fixture server behind TLS
// fronts whose certificates a private test CA issued (see certs.mjs).
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'

import { makeCa, startTlsFront } from './certs.mjs'
import { cliReport, probe, rejection, startFixture, withoutTimings } from './helpers.mjs'

const { check } = probe
let fixture
let dir
const fronts = {}
const files = {}

before(async () => {
  fixture = await startFixture()
  dir = mkdtempSync(join(tmpdir(), 'mcp-probe-node-tls-'))
  const ca = makeCa()
  const write = (name, text) => {
    const path = join(dir, name)
    writeFileSync(path, text)
    return path
  }
  files.ca = write('ca.pem', ca.certPem)
  const client = ca.issue({ commonName: 'mcp-probe test client', client: true })
  files.clientCert = write('client.pem', client.certPem)
  files.clientKey = write('client-key.pem', client.keyPem)
  const loopback = { ips: ['127.0.0.1'], dnsNames: ['localhost'] }
  // Half a day past whole days, so that `daysLeft` is the same whenever the probe runs.
  fronts.valid = await startTlsFront(fixture.port, ca.issue({ ...loopback, toDays: 60.5 }))
  fronts.expired = await startTlsFront(fixture.port, ca.issue({ ...loopback, fromDays: -30, toDays: -2 }))
  fronts.otherHost = await startTlsFront(fixture.port, ca.issue({ dnsNames: ['mcp.example.com'] }))
  fronts.mutual = await startTlsFront(fixture.port, { ...ca.issue(loopback), clientCa: ca.certPem })
})

after(async () => {
  for (const front of Object.values(fronts)) await front.stop()
  await fixture?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

const ADD = { tool: 'add', arguments: { a: 2, b: 3 }, expectText: '5' }

describe('certificate verification', () => {
  test('a certificate of an unknown CA fails with tls_untrusted and the facts of the certificate', async () => {
    const report = await check(fronts.valid.url('json'), { timeoutMs: 5_000 })
    assert.equal(report.ok, false)
    assert.equal(report.failure.code, 'tls_untrusted')
    assert.equal(report.failure.family, 'tls')
    const tls = report.tls
    assert.equal(tls.host, '127.0.0.1')
    assert.equal(tls.subject, 'CN=mcp-probe test')
    assert.equal(tls.issuer, 'CN=mcp-probe test CA')
    assert.deepEqual([...tls.sans].sort(), ['127.0.0.1', 'localhost'])
    assert.match(tls.serial, /^[0-9a-f]{2}(:[0-9a-f]{2})*$/)
    assert.ok(Date.parse(tls.notBefore) < Date.now() && Date.now() < Date.parse(tls.notAfter))
    assert.equal(tls.daysLeft, 60)
    assert.equal(tls.chainLength, 1)
    assert.equal(tls.verified, false)
    assert.equal(tls.insecure, false)
    assert.equal(tls.problem, 'tls_untrusted')
    assert.deepEqual(report.failure.details.certificate, tls)
  })

  test('caCert trusts the private CA: the probe passes and shows the TLS phase', async () => {
    const report = await check(fronts.valid.url('json'), { ...ADD, caCert: files.ca })
    assert.equal(report.ok, true, report.failure?.message)
    assert.equal(report.tls.verified, true)
    assert.equal('problem' in report.tls, false)
    const [first] = report.steps[0].exchanges
    assert.equal(first.reusedConnection, false)
    assert.equal(typeof first.tlsMs, 'number')
    assert.equal(typeof report.steps[0].timings.tlsMs, 'number')
    assert.deepEqual(report.warnings, [])
  })

  test('insecure accepts the certificate, still reports it, and warns', async () => {
    const report = await check(fronts.valid.url('json'), { ...ADD, insecure: true })
    assert.equal(report.ok, true, report.failure?.message)
    assert.equal(report.tls.insecure, true)
    assert.equal(report.tls.verified, false)
    assert.equal(report.tls.problem, 'tls_untrusted')
    assert.equal(report.warnings[0].code, 'insecure_tls')
    assert.equal('step' in report.warnings[0], false)
  })

  test('an expired certificate fails with tls_expired', async () => {
    const report = await check(fronts.expired.url('json'), { caCert: files.ca })
    assert.equal(report.failure.code, 'tls_expired')
    assert.ok(report.tls.daysLeft < 0)
  })

  test('a certificate for another host fails with tls_hostname_mismatch', async () => {
    const report = await check(fronts.otherHost.url('json'), { caCert: files.ca })
    assert.equal(report.failure.code, 'tls_hostname_mismatch')
    assert.deepEqual(report.tls.sans, ['mcp.example.com'])
  })
})

describe('certificate expiry thresholds', () => {
  test('certWarnDays beyond the remaining days warns with cert_expiring', async () => {
    const report = await check(fronts.valid.url('json'), { caCert: files.ca, certWarnDays: 90 })
    assert.equal(report.ok, true, report.failure?.message)
    assert.ok(report.warnings.some((w) => w.code === 'cert_expiring'), JSON.stringify(report.warnings))
  })

  test('certWarnDays 0 never warns', async () => {
    const report = await check(fronts.valid.url('json'), { caCert: files.ca, certWarnDays: 0 })
    assert.deepEqual(report.warnings, [])
  })

  test('certFailDays beyond the remaining days fails with cert_expiring', async () => {
    const report = await check(fronts.valid.url('json'), { caCert: files.ca, certFailDays: 90 })
    assert.equal(report.ok, false)
    assert.equal(report.failure.code, 'cert_expiring')
    assert.equal(report.failure.family, 'tls')
  })
})

describe('client certificates', () => {
  test('a server that requires a client certificate refuses a probe without one', async () => {
    const report = await check(fronts.mutual.url('json'), { caCert: files.ca, timeoutMs: 5_000 })
    assert.equal(report.ok, false)
    assert.equal(report.failure.code, 'tls_handshake', JSON.stringify(report.failure))
    assert.equal(report.failure.details.alert, 'CertificateRequired')
  })

  test('clientCert and clientKey are presented', async () => {
    const report = await check(fronts.mutual.url('json'), {
      ...ADD,
      caCert: files.ca,
      clientCert: files.clientCert,
      clientKey: files.clientKey,
    })
    assert.equal(report.ok, true, report.failure?.message)
  })
})

describe("caller's mistakes", () => {
  test('an unreadable caCert rejects with code setup', async () => {
    const error = await rejection(check(fronts.valid.url('json'), { caCert: join(dir, 'missing.pem') }))
    assert.equal(error.code, 'setup', error.message)
  })

  test('a caCert that holds no certificate rejects with code setup', async () => {
    const error = await rejection(check(fronts.valid.url('json'), { caCert: files.clientKey }))
    assert.equal(error.code, 'setup', error.message)
  })
})

test('over TLS the report equals the CLI JSON, certificate facts included', async () => {
  const url = fronts.valid.url('json')
  const [fromNode, fromCli] = await Promise.all([
    check(url, { ...ADD, caCert: files.ca, certWarnDays: 90 }),
    cliReport(['check', url, '--tool', 'add', '--args', '{"a":2,"b":3}', '--expect-text', '5',
      '--ca-cert', files.ca, '--cert-warn-days', '90']),
  ])
  assert.ok(fromNode.tls)
  assert.deepEqual(withoutTimings(fromNode), withoutTimings(fromCli))
})
