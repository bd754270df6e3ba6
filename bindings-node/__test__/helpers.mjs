// Test helpers: the testkit fixture server, the CLI, and the TypeScript reference server, each
// started as a child process that dies with the test process.
import { spawn, execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const here = dirname(fileURLToPath(import.meta.url))
export const packageDir = resolve(here, '..')
export const repoRoot = resolve(packageDir, '..')

/** The binding under test, loaded the way a user loads it. */
export const probe = createRequire(import.meta.url)(packageDir)

const targetDir = process.env.CARGO_TARGET_DIR
  ? resolve(repoRoot, process.env.CARGO_TARGET_DIR)
  : join(repoRoot, 'target')
const exe = process.platform === 'win32' ? '.exe' : ''

/** How long a child process may take to say where it listens. */
const START_TIMEOUT_MS = 30_000

export const fixtureBin =
  process.env.MCP_PROBE_FIXTURE_BIN ?? join(targetDir, 'debug', `mcp-probe-fixture${exe}`)
export const stdioFixtureBin =
  process.env.MCP_PROBE_STDIO_FIXTURE_BIN ?? join(targetDir, 'debug', `mcp-probe-stdio-fixture${exe}`)
export const cliBin = process.env.MCP_PROBE_CLI_BIN ?? join(targetDir, 'debug', `mcp-probe${exe}`)

const referenceDir = join(repoRoot, 'interop', 'node')
const referenceEntry = join(
  referenceDir,
  'node_modules',
  '@modelcontextprotocol',
  'server-everything',
  'dist',
  'index.js',
)

/** Whether the TypeScript reference server is installed (by `interop/setup.sh`). */
export const referenceInstalled = existsSync(referenceEntry)

/**
 * Starts `command args`, waits (bounded) for the first stdout line `parse` accepts, and returns
 * `{ value, stop }`. The child keeps its stdin open; closing it (in `stop`, or when this process
 * dies) makes the servers started here exit.
 */
async function startChild(command, args, options, parse) {
  const child = spawn(command, args, { ...options, stdio: ['pipe', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (chunk) => {
    if (stderr.length < 64 * 1024) stderr += chunk
  })
  const lines = createInterface({ input: child.stdout })
  let timer
  try {
    const value = await new Promise((resolvePromise, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${command} did not start within ${START_TIMEOUT_MS} ms:\n${stderr}`)),
        START_TIMEOUT_MS,
      )
      child.once('error', reject)
      child.once('exit', (code) => reject(new Error(`${command} exited with ${code}:\n${stderr}`)))
      lines.on('line', (line) => {
        const parsed = parse(line)
        if (parsed !== undefined) resolvePromise(parsed)
      })
    })
    const stop = async () => {
      lines.close()
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = new Promise((r) => child.once('exit', r))
      child.stdin.end()
      child.kill()
      await exited
    }
    return { value, stop }
  } catch (error) {
    child.kill()
    throw error
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Starts the testkit fixture binary; returns `{ port, url(mode), stop() }` where `url('json')`
 * is the Streamable HTTP endpoint of that mode.
 */
export async function startFixture() {
  if (!existsSync(fixtureBin)) {
    throw new Error(
      `fixture binary not found at ${fixtureBin}: run \`cargo build -p mcp-probe-testkit\` ` +
        'or set MCP_PROBE_FIXTURE_BIN',
    )
  }
  const { value: port, stop } = await startChild(
    fixtureBin,
    ['--exit-on-stdin-eof'],
    {},
    (line) => (/^\d+$/.test(line.trim()) ? Number(line.trim()) : undefined),
  )
  return { port, url: (mode) => `http://127.0.0.1:${port}/${mode}/mcp`, stop }
}

/**
 * Starts `@modelcontextprotocol/server-everything` (Streamable HTTP) on a free loopback port;
 * returns `{ url, stop() }`.
 */
export async function startReferenceServer() {
  const { value: port, stop } = await startChild(
    process.execPath,
    ['--import', join(referenceDir, 'listen-loopback.mjs'), referenceEntry, 'streamableHttp'],
    { cwd: referenceDir, env: { ...process.env, PORT: '0', INTEROP_EXIT_ON_STDIN_EOF: '1' } },
    (line) => {
      const match = /^PORT=(\d+)$/.exec(line.trim())
      return match ? Number(match[1]) : undefined
    },
  )
  return { url: `http://127.0.0.1:${port}/mcp`, stop }
}

/**
 * Runs `mcp-probe check ARGS --format json` and returns the parsed report (any exit code).
 * `--format` goes first, so that ARGS may end with `--stdio -- COMMAND`.
 */
export async function cliReport(args) {
  if (!existsSync(cliBin)) {
    throw new Error(
      `CLI binary not found at ${cliBin}: run \`cargo build -p mcp-probe-cli\` or set MCP_PROBE_CLI_BIN`,
    )
  }
  const [subcommand, ...rest] = args
  const { stdout } = await promisify(execFile)(cliBin, [subcommand, '--format', 'json', ...rest], {
    timeout: 60_000,
  }).catch((error) => {
    // A failing probe exits non-zero but still prints its report.
    if (typeof error.stdout === 'string' && error.stdout.trim().startsWith('{')) return error
    throw error
  })
  return JSON.parse(stdout)
}

/** The fields of a step's `timings` and of each of its `exchanges` that hold measurements. */
export const TIMING_FIELDS = ['dnsMs', 'connectMs', 'tlsMs', 'ttfbMs', 'bodyMs', 'totalMs', 'reusedConnection']

/** The phases present only for an exchange that opened a new connection. */
const CONNECTION_PHASES = ['dnsMs', 'connectMs', 'tlsMs']

/**
 * `timings` with each measurement replaced by its type: the keys stay, the values go. Without
 * `connectionPhases`, the phases of a new connection are left out altogether.
 */
function timingKeys(timings, connectionPhases) {
  const out = { ...timings }
  for (const key of TIMING_FIELDS) {
    if (key in out) out[key] = `<${typeof out[key]}>`
  }
  if (!connectionPhases) for (const key of CONNECTION_PHASES) delete out[key]
  return out
}

/**
 * The report as plain JSON data, without wall-clock values: `startedAt`, every `durationMs`
 * (the report's, each step's, `auth`'s) are removed, and the measurements of each step's
 * `timings` and `exchanges` are replaced by their types, so that their keys are still compared.
 *
 * `connectionPhases: false` also leaves out `dnsMs`, `connectMs` and `tlsMs`, for servers where
 * whether an exchange reuses a connection depends on timing (one that closes an SSE answer
 * only after the probe has read its event): the fixture server's reuse is deterministic.
 */
export function withoutTimings(report, { connectionPhases = true } = {}) {
  const data = JSON.parse(JSON.stringify(report))
  delete data.startedAt
  delete data.durationMs
  if (data.auth) delete data.auth.durationMs
  for (const step of data.steps) {
    delete step.durationMs
    if (step.timings) step.timings = timingKeys(step.timings, connectionPhases)
    if (step.exchanges) step.exchanges = step.exchanges.map((e) => timingKeys(e, connectionPhases))
  }
  return data
}

/** Resolves with the error `promise` rejects with; fails if it resolves. */
export async function rejection(promise) {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected the promise to reject, but it resolved')
}
