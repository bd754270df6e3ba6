//! `mcp-probe-fixture`: one process serving every fixture mode, for tests written in any language.
//!
//! Prints the port on the first line of stdout, then serves until SIGINT/SIGTERM (exit 0), or
//! until stdin reaches end-of-file when `--exit-on-stdin-eof` is given. With `--raw NAME` it
//! serves one malformed-HTTP behaviour ([`RawBehaviour`]) on raw TCP instead of the modes.

use std::io::{self, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use mcp_probe_testkit::{fixture_workload_jwt, FixtureServer, Mode, RawBehaviour, RawServer};
use tokio::sync::oneshot;

const USAGE: &str = "\
Usage: mcp-probe-fixture [--port N] [--host ADDR] [--exit-on-stdin-eof] [--raw NAME]
       mcp-probe-fixture --list-modes | --workload-jwt AUDIENCE | --help

Serves fixture MCP servers (Streamable HTTP, protocol versions 2025-03-26, 2025-06-18,
2025-11-25), one behaviour per path, and prints the port on the first line of stdout.

Options:
  --port N             port to listen on (default 0: any free port)
  --host ADDR          address to listen on (default 127.0.0.1)
  --exit-on-stdin-eof  exit when stdin reaches end-of-file (the parent went away)
  --raw NAME           serve one malformed-HTTP behaviour on raw TCP instead of the modes
                       (any path, e.g. http://HOST:PORT/mcp); names below
  --list-modes         print the mode names, one per line
  --workload-jwt AUDIENCE
                       print a workload's JWT for AUDIENCE, valid for an hour, as a platform
                       would issue it (a Kubernetes service account token): what
                       /auth_client_credentials grants with the JWT-bearer grant when
                       AUDIENCE is its issuer, http://HOST:PORT/as/auth_client_credentials
  -h, --help           print this help

Exits 0 on SIGINT or SIGTERM.
";

/// What the command line asks for.
enum Command {
    Serve {
        addr: SocketAddr,
        exit_on_stdin_eof: bool,
        raw: Option<RawBehaviour>,
    },
    ListModes,
    WorkloadJwt(String),
    Help,
}

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Command, String> {
    let mut host = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let mut port = 0u16;
    let mut exit_on_stdin_eof = false;
    let mut raw = None;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) if name.starts_with("--") => {
                (name.to_owned(), Some(value.to_owned()))
            }
            _ => (arg.clone(), None),
        };
        let mut value = |what: &str| {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{name} needs {what}"))
        };
        match name.as_str() {
            "--port" => {
                let v = value("a port number")?;
                port = v.parse().map_err(|_| format!("invalid port {v:?}"))?;
            }
            "--host" => {
                let v = value("an IP address")?;
                host = v.parse().map_err(|_| format!("invalid IP address {v:?}"))?;
            }
            "--exit-on-stdin-eof" => exit_on_stdin_eof = true,
            "--raw" => {
                let v = value("a raw behaviour name")?;
                raw = Some(v.parse().map_err(|e| format!("{e}"))?);
            }
            "--list-modes" => return Ok(Command::ListModes),
            "--workload-jwt" => return Ok(Command::WorkloadJwt(value("an audience")?)),
            "-h" | "--help" => return Ok(Command::Help),
            _ => return Err(format!("unknown argument {arg:?}")),
        }
    }
    Ok(Command::Serve {
        addr: SocketAddr::new(host, port),
        exit_on_stdin_eof,
        raw,
    })
}

fn help() -> String {
    let width = Mode::all()
        .iter()
        .map(|m| m.as_str().len())
        .max()
        .unwrap_or(0)
        + "/mcp".len()
        + 1;
    let mut text = format!("{USAGE}\nModes (POST http://HOST:PORT/<path>):\n");
    text.push_str(&format!("  {:<width$}  same as /json/mcp\n", "/mcp"));
    for mode in Mode::all() {
        let path = format!("/{}/mcp", mode.as_str());
        let health = if mode.is_healthy() {
            "healthy"
        } else {
            "faulty"
        };
        text.push_str(&format!(
            "  {path:<width$}  [{health}] {}\n",
            mode.description()
        ));
    }
    text.push_str("\nRaw behaviours (--raw NAME):\n");
    let width = RawBehaviour::all()
        .iter()
        .map(|b| b.as_str().len())
        .max()
        .unwrap_or(0);
    for behaviour in RawBehaviour::all() {
        text.push_str(&format!(
            "  {:<width$}  {}\n",
            behaviour.as_str(),
            behaviour.description()
        ));
    }
    text
}

/// The running server, kept alive until the process is told to stop.
enum Running {
    Modes(FixtureServer),
    Raw(RawServer),
}

impl Running {
    fn port(&self) -> u16 {
        match self {
            Running::Modes(server) => server.addr().port(),
            Running::Raw(server) => server.addr().port(),
        }
    }
}

async fn wait_for_stop(stdin_closed: Option<oneshot::Receiver<()>>) -> io::Result<()> {
    let stdin_closed = async {
        match stdin_closed {
            Some(rx) => {
                let _ = rx.await;
            }
            None => std::future::pending::<()>().await,
        }
    };
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = signal(SignalKind::terminate())?;
        tokio::select! {
            r = tokio::signal::ctrl_c() => r,
            _ = term.recv() => Ok(()),
            () = stdin_closed => Ok(()),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::select! {
            r = tokio::signal::ctrl_c() => r,
            () = stdin_closed => Ok(()),
        }
    }
}

async fn serve(
    addr: SocketAddr,
    exit_on_stdin_eof: bool,
    raw: Option<RawBehaviour>,
) -> io::Result<()> {
    let server = match raw {
        Some(behaviour) => Running::Raw(RawServer::start_on(addr, behaviour).await?),
        // It runs as long as asked (benchmarks, load tests): no request log.
        None => Running::Modes(FixtureServer::start_unrecorded(addr).await?),
    };
    {
        let mut out = io::stdout().lock();
        writeln!(out, "{}", server.port())?;
        out.flush()?;
    }
    let stdin_closed = exit_on_stdin_eof.then(|| {
        let (tx, rx) = oneshot::channel();
        std::thread::spawn(move || {
            // Reads until end-of-file (or a read error, which means the same here).
            let _ = io::copy(&mut io::stdin().lock(), &mut io::sink());
            let _ = tx.send(());
        });
        rx
    });
    wait_for_stop(stdin_closed).await?;
    drop(server);
    Ok(())
}

fn main() -> ExitCode {
    let command = match parse_args(std::env::args().skip(1)) {
        Ok(command) => command,
        Err(message) => {
            eprintln!("mcp-probe-fixture: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let (addr, exit_on_stdin_eof, raw) = match command {
        Command::Help => {
            print!("{}", help());
            return ExitCode::SUCCESS;
        }
        Command::ListModes => {
            for mode in Mode::all() {
                println!("{mode}");
            }
            return ExitCode::SUCCESS;
        }
        Command::WorkloadJwt(audience) => {
            println!("{}", fixture_workload_jwt(&audience, 3600));
            return ExitCode::SUCCESS;
        }
        Command::Serve {
            addr,
            exit_on_stdin_eof,
            raw,
        } => (addr, exit_on_stdin_eof, raw),
    };
    let result = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .and_then(|runtime| runtime.block_on(serve(addr, exit_on_stdin_eof, raw)));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("mcp-probe-fixture: {err}");
            ExitCode::FAILURE
        }
    }
}
