//! TLS for the fixtures: a throw-away PKI ([`TestCa`], [`TestCert`]) with certificates that
//! are valid, close to expiry, expired, not yet valid, or for another host, and a TLS front
//! ([`TlsFront`]) that serves a [`crate::FixtureServer`] (or any HTTP server) over `https`.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use mcp_probe_testkit::{FixtureServer, Mode, TestCa, TlsFront};
//!
//! let server = FixtureServer::start().await?;
//! let ca = TestCa::new("mcp-probe test CA");
//! let cert = ca.leaf(&["localhost", "127.0.0.1"], -1, 90); // valid from yesterday for 90 days
//! let front = TlsFront::start(server.addr(), &cert, None).await?;
//! let url = front.url(Mode::Json); // https://127.0.0.1:PORT/json/mcp
//! std::fs::write("ca.pem", ca.cert_pem())?; // trust it with --ca-cert ca.pem
//! # Ok(()) }
//! ```

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};
use tokio_rustls::TlsAcceptor;

use crate::Mode;

/// Longest a client may take over its TLS handshake before the front gives up on it.
const HANDSHAKE_BUDGET: Duration = Duration::from_secs(10);

/// A certificate authority that exists only in a test.
pub struct TestCa {
    cert: rcgen::Certificate,
    key: KeyPair,
}

/// A certificate and its private key, in PEM.
#[derive(Clone)]
pub struct TestCert {
    /// The certificate (PEM).
    pub cert_pem: String,
    /// Its private key (PKCS #8 PEM).
    pub key_pem: String,
}

impl std::fmt::Debug for TestCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestCa").finish_non_exhaustive()
    }
}

impl std::fmt::Debug for TestCert {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestCert").finish_non_exhaustive()
    }
}

/// A point `days` days from now (negative: in the past).
fn days_from_now(days: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc() + time::Duration::days(days)
}

impl TestCa {
    /// A new CA with this common name, valid from a year ago for ten years.
    ///
    /// # Panics
    /// If the key or certificate cannot be generated (never, with the ring provider).
    pub fn new(common_name: &str) -> TestCa {
        let mut params = CertificateParams::default();
        params
            .distinguished_name
            .push(DnType::CommonName, common_name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        params.not_before = days_from_now(-365);
        params.not_after = days_from_now(3650);
        let key = KeyPair::generate().expect("a key pair");
        let cert = params.self_signed(&key).expect("a self-signed CA");
        TestCa { cert, key }
    }

    /// The CA certificate (PEM): the file to give `--ca-cert`.
    pub fn cert_pem(&self) -> String {
        self.cert.pem()
    }

    /// A server certificate for `names` (DNS names or IP addresses), valid from `from_days`
    /// to `to_days` days from now: `(-1, 90)` is valid, `(-30, 3)` expires in three days,
    /// `(-30, -1)` has expired, `(1, 90)` is not valid yet.
    ///
    /// # Panics
    /// If a name is not a valid DNS name or IP address.
    pub fn leaf(&self, names: &[&str], from_days: i64, to_days: i64) -> TestCert {
        self.issue(
            names,
            from_days,
            to_days,
            ExtendedKeyUsagePurpose::ServerAuth,
        )
    }

    /// A client certificate (for mutual TLS) with this common name, valid for 90 days.
    pub fn client(&self, common_name: &str) -> TestCert {
        self.issue(&[common_name], -1, 90, ExtendedKeyUsagePurpose::ClientAuth)
    }

    fn issue(
        &self,
        names: &[&str],
        from_days: i64,
        to_days: i64,
        usage: ExtendedKeyUsagePurpose,
    ) -> TestCert {
        let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
        let mut params = CertificateParams::new(names.clone()).expect("valid names");
        if let Some(first) = names.first() {
            params
                .distinguished_name
                .push(DnType::CommonName, first.as_str());
        }
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![usage];
        params.not_before = days_from_now(from_days);
        params.not_after = days_from_now(to_days);
        let key = KeyPair::generate().expect("a key pair");
        let cert = params
            .signed_by(&key, &self.cert, &self.key)
            .expect("a signed certificate");
        TestCert {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        }
    }
}

/// A TLS front on `127.0.0.1`: terminates TLS with a [`TestCert`] and passes the plain bytes
/// to an upstream address (a [`crate::FixtureServer`]). Dropping it stops it and closes every
/// connection.
pub struct TlsFront {
    addr: SocketAddr,
    handshakes: Arc<AtomicUsize>,
    task: JoinHandle<()>,
}

impl std::fmt::Debug for TlsFront {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsFront")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

fn invalid(e: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, e.to_string())
}

fn server_config(cert: &TestCert, client_ca: Option<&TestCa>) -> io::Result<ServerConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let chain = CertificateDer::pem_slice_iter(cert.cert_pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(invalid)?;
    let key = PrivateKeyDer::from_pem_slice(cert.key_pem.as_bytes()).map_err(invalid)?;
    let builder = ServerConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(invalid)?;
    let builder = match client_ca {
        Some(ca) => {
            let mut roots = RootCertStore::empty();
            roots.add(ca.cert.der().clone()).map_err(invalid)?;
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .map_err(invalid)?;
            builder.with_client_cert_verifier(verifier)
        }
        None => builder.with_no_client_auth(),
    };
    let mut config = builder.with_single_cert(chain, key).map_err(invalid)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

impl TlsFront {
    /// Starts a front for `upstream` presenting `cert`; with `client_ca`, clients must
    /// present a certificate issued by it (mutual TLS).
    pub async fn start(
        upstream: SocketAddr,
        cert: &TestCert,
        client_ca: Option<&TestCa>,
    ) -> io::Result<TlsFront> {
        let acceptor = TlsAcceptor::from(Arc::new(server_config(cert, client_ca)?));
        let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await?;
        let addr = listener.local_addr()?;
        let handshakes = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&handshakes);
        let task = tokio::spawn(async move {
            // Dropping the set (when the task is aborted) aborts every connection.
            let mut connections = JoinSet::new();
            loop {
                tokio::select! {
                    accepted = listener.accept() => {
                        let Ok((tcp, _)) = accepted else {
                            // Out of file descriptors or similar: back off briefly.
                            tokio::time::sleep(Duration::from_millis(10)).await;
                            continue;
                        };
                        let acceptor = acceptor.clone();
                        let counted = Arc::clone(&counted);
                        connections.spawn(async move {
                            let handshake = tokio::time::timeout(HANDSHAKE_BUDGET, acceptor.accept(tcp));
                            let Ok(Ok(mut tls)) = handshake.await else {
                                return;
                            };
                            counted.fetch_add(1, Ordering::SeqCst);
                            let Ok(mut plain) = TcpStream::connect(upstream).await else {
                                return;
                            };
                            let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
                        });
                    }
                    Some(_) = connections.join_next(), if !connections.is_empty() => {}
                }
            }
        });
        Ok(TlsFront {
            addr,
            handshakes,
            task,
        })
    }

    /// The address the front listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The `https` endpoint URL of a fixture mode behind this front.
    pub fn url(&self, mode: Mode) -> String {
        let path = if mode.is_legacy() { "sse" } else { "mcp" };
        format!("https://{}/{}/{path}", self.addr, mode.as_str())
    }

    /// The same URL with the host name `localhost` (so a probe resolves a name).
    pub fn localhost_url(&self, mode: Mode) -> String {
        let path = if mode.is_legacy() { "sse" } else { "mcp" };
        format!(
            "https://localhost:{}/{}/{path}",
            self.addr.port(),
            mode.as_str()
        )
    }

    /// How many TLS handshakes completed so far.
    pub fn handshakes(&self) -> usize {
        self.handshakes.load(Ordering::SeqCst)
    }
}

impl Drop for TlsFront {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificates_are_pem() {
        let ca = TestCa::new("test CA");
        assert!(ca.cert_pem().starts_with("-----BEGIN CERTIFICATE-----"));
        let leaf = ca.leaf(&["localhost", "127.0.0.1"], -1, 90);
        assert!(leaf.cert_pem.contains("BEGIN CERTIFICATE"));
        assert!(leaf.key_pem.contains("PRIVATE KEY"));
        assert!(server_config(&leaf, Some(&ca)).is_ok());
    }
}
