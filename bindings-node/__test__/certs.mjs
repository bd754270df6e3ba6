// Test certificates made with node:crypto alone (no openssl): a private CA that issues ECDSA
// P-256 server and client certificates, and a TLS front for the fixture server, so the TLS
// options and the report's `tls` facts can be tested over real handshakes on loopback.
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto'
import { connect } from 'node:net'
import { createServer } from 'node:tls'

const DAY_MS = 24 * 3600 * 1000

// --- DER, just what X.509 needs ------------------------------------------------------------

function length(n) {
  if (n < 0x80) return Buffer.from([n])
  const bytes = []
  for (let rest = n; rest > 0; rest >>= 8) bytes.unshift(rest & 0xff)
  return Buffer.from([0x80 | bytes.length, ...bytes])
}

const tlv = (tag, ...parts) => {
  const body = Buffer.concat(parts)
  return Buffer.concat([Buffer.from([tag]), length(body.length), body])
}
const sequence = (...parts) => tlv(0x30, ...parts)
const set = (...parts) => tlv(0x31, ...parts)
const explicit = (n, ...parts) => tlv(0xa0 + n, ...parts)
const octets = (bytes) => tlv(0x04, bytes)
const bits = (bytes, unused = 0) => tlv(0x03, Buffer.from([unused]), bytes)
const utf8 = (text) => tlv(0x0c, Buffer.from(text, 'utf8'))
const TRUE = tlv(0x01, Buffer.from([0xff]))

function integer(bytes) {
  let body = Buffer.from(bytes)
  while (body.length > 1 && body[0] === 0 && body[1] < 0x80) body = body.subarray(1)
  if (body[0] >= 0x80) body = Buffer.concat([Buffer.from([0]), body])
  return tlv(0x02, body)
}

function oid(dotted) {
  const [a, b, ...rest] = dotted.split('.').map(Number)
  const out = [40 * a + b]
  for (const n of rest) {
    const groups = []
    for (let v = n; ; v = Math.floor(v / 128)) {
      groups.unshift(v % 128)
      if (v < 128) break
    }
    groups.forEach((g, i) => out.push(i < groups.length - 1 ? g | 0x80 : g))
  }
  return tlv(0x06, Buffer.from(out))
}

function time(ms) {
  const iso = new Date(ms).toISOString() // 2026-01-02T03:04:05.678Z
  const digits = iso.slice(0, 19).replace(/[-T:]/g, '') // 20260102030405
  const year = Number(digits.slice(0, 4))
  return year >= 1950 && year < 2050
    ? tlv(0x17, Buffer.from(`${digits.slice(2)}Z`)) // UTCTime
    : tlv(0x18, Buffer.from(`${digits}Z`)) // GeneralizedTime
}

const name = (commonName) => sequence(set(sequence(oid('2.5.4.3'), utf8(commonName))))
const extension = (id, critical, value) =>
  critical ? sequence(oid(id), TRUE, octets(value)) : sequence(oid(id), octets(value))

const ECDSA_SHA256 = sequence(oid('1.2.840.10045.4.3.2'))

function pem(label, der) {
  const lines = der.toString('base64').match(/.{1,64}/g)
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`
}

function certificate({ subject, issuer, publicKey, signingKey, fromMs, toMs, extensions }) {
  const tbs = sequence(
    explicit(0, integer([2])), // v3
    integer(randomBytes(16)),
    ECDSA_SHA256,
    name(issuer),
    sequence(time(fromMs), time(toMs)),
    name(subject),
    publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, sequence(...extensions)),
  )
  const signature = sign('sha256', tbs, signingKey) // DER-encoded ECDSA signature
  return pem('CERTIFICATE', sequence(tbs, ECDSA_SHA256, bits(signature)))
}

const newKey = () => generateKeyPairSync('ec', { namedCurve: 'P-256' })

/**
 * A private certificate authority. `certPem` is what a client trusts (`caCert`); `issue(...)`
 * makes a certificate signed by it.
 */
export function makeCa(commonName = 'mcp-probe test CA') {
  const { publicKey, privateKey } = newKey()
  const now = Date.now()
  const certPem = certificate({
    subject: commonName,
    issuer: commonName,
    publicKey,
    signingKey: privateKey,
    fromMs: now - DAY_MS,
    toMs: now + 365 * DAY_MS,
    extensions: [
      extension('2.5.29.19', true, sequence(TRUE)), // basicConstraints: CA
      extension('2.5.29.15', true, bits(Buffer.from([0x06]), 1)), // keyUsage: keyCertSign, cRLSign
    ],
  })
  return {
    certPem,
    /**
     * A certificate for `dnsNames` and `ips` (IPv4), valid from `fromDays` to `toDays` days
     * from now; `client: true` makes a client certificate. Returns `{ certPem, keyPem }`.
     */
    issue({ commonName: cn = 'mcp-probe test', dnsNames = [], ips = [], fromDays = -1, toDays = 60, client = false }) {
      const key = newKey()
      const sans = [
        ...dnsNames.map((n) => tlv(0x82, Buffer.from(n))),
        ...ips.map((ip) => tlv(0x87, Buffer.from(ip.split('.').map(Number)))),
      ]
      const at = Date.now()
      const leaf = certificate({
        subject: cn,
        issuer: commonName,
        publicKey: key.publicKey,
        signingKey: privateKey,
        fromMs: at + fromDays * DAY_MS,
        toMs: at + toDays * DAY_MS,
        extensions: [
          extension('2.5.29.15', true, bits(Buffer.from([0x80]), 7)), // keyUsage: digitalSignature
          extension('2.5.29.37', false, sequence(oid(client ? '1.3.6.1.5.5.7.3.2' : '1.3.6.1.5.5.7.3.1'))),
          ...(sans.length > 0 ? [extension('2.5.29.17', false, sequence(...sans))] : []),
        ],
      })
      return { certPem: leaf, keyPem: key.privateKey.export({ type: 'pkcs8', format: 'pem' }) }
    },
  }
}

/**
 * A TLS front on a free loopback port that forwards every connection to `127.0.0.1:port` (the
 * plain-HTTP fixture server). `clientCa` makes it require a client certificate issued by that
 * CA. Returns `{ url(mode), stop() }`.
 */
export async function startTlsFront(port, { certPem, keyPem, clientCa }) {
  const sockets = new Set()
  const server = createServer(
    {
      cert: certPem,
      key: keyPem,
      ...(clientCa ? { requestCert: true, rejectUnauthorized: true, ca: clientCa } : {}),
    },
    (socket) => {
      const upstream = connect(port, '127.0.0.1')
      sockets.add(socket).add(upstream)
      const close = () => {
        socket.destroy()
        upstream.destroy()
        sockets.delete(socket)
        sockets.delete(upstream)
      }
      socket.on('error', close).on('close', close)
      upstream.on('error', close).on('close', close)
      socket.pipe(upstream).pipe(socket)
    },
  )
  // Failed handshakes are what some tests are about.
  server.on('tlsClientError', () => {})
  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  const { port: tlsPort } = server.address()
  return {
    url: (mode) => `https://127.0.0.1:${tlsPort}/${mode}/mcp`,
    stop: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}
