//! TLS: whom a probe trusts and who it says it is, the facts of the certificate the server
//! presented, and what exactly was wrong with it.
//!
//! A probe builds its own rustls configuration (the same rustls and ring provider reqwest
//! uses): the roots are Mozilla's (webpki-roots), the system's, and an optional extra CA file.
//! Its certificate verifier wraps rustls' WebPKI verifier, records the chain the server
//! presented (for the report, even when verification fails or is switched off), and leaves
//! rustls' typed verification errors in the error chain, where the classifier reads them.

use std::collections::hash_map::DefaultHasher;
use std::error::Error as StdError;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{ClientSessionStore, Resumption, WebPkiServerVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, NamedGroup, RootCertStore, SignatureScheme};
use serde_json::Value;

use crate::error::{Error, ErrorKind};
use crate::http::timing::ConnRecorder;
use crate::model::{Failure, FailureCode, Warning, WarningCode};
use crate::model::{TlsFacts, TlsOptions};

const SECONDS_PER_DAY: i64 = 86_400;

/// The chain the server presented, as the verifier saw it.
#[derive(Debug, Clone)]
struct Presented {
    chain: Vec<CertificateDer<'static>>,
    host: String,
    problem: Option<FailureCode>,
    at: SystemTime,
}

/// The certificate facts of one probe: the first chain any of its connections was shown.
#[derive(Debug, Default)]
pub(crate) struct TlsCapture {
    first: Mutex<Option<Presented>>,
    insecure: bool,
}

impl TlsCapture {
    pub(crate) fn new(insecure: bool) -> Self {
        TlsCapture {
            first: Mutex::default(),
            insecure,
        }
    }

    fn record(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        host: &ServerName<'_>,
        verdict: Option<&rustls::Error>,
    ) {
        let mut first = self.first.lock().unwrap_or_else(PoisonError::into_inner);
        if first.is_some() {
            return;
        }
        let chain = std::iter::once(end_entity)
            .chain(intermediates)
            .map(|c| c.clone().into_owned())
            .collect();
        *first = Some(Presented {
            chain,
            host: host.to_str().into_owned(),
            problem: verdict.map(failure_code),
            at: SystemTime::now(),
        });
    }

    /// The facts of the first certificate presented in this probe, if one was and it parses.
    pub(crate) fn facts(&self) -> Option<TlsFacts> {
        self.parsed().map(|(facts, _)| facts)
    }

    /// The facts and the seconds left until `notAfter`.
    pub(crate) fn parsed(&self) -> Option<(TlsFacts, i64)> {
        let first = self
            .first
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()?;
        parse_facts(&first, self.insecure)
    }
}

fn parse_facts(presented: &Presented, insecure: bool) -> Option<(TlsFacts, i64)> {
    let der = presented.chain.first()?;
    let (_, cert) = x509_parser::parse_x509_certificate(der.as_ref()).ok()?;
    let validity = cert.validity();
    let not_before = validity.not_before.timestamp();
    let not_after = validity.not_after.timestamp();
    let now = presented
        .at
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let seconds_left = not_after.saturating_sub(now);
    let mut sans = Vec::new();
    if let Ok(Some(ext)) = cert.subject_alternative_name() {
        for name in &ext.value.general_names {
            match name {
                x509_parser::extensions::GeneralName::DNSName(dns) => {
                    sans.push(crate::text::truncate(dns, 255));
                }
                x509_parser::extensions::GeneralName::IPAddress(bytes) => {
                    if let Some(ip) = ip_text(bytes) {
                        sans.push(ip);
                    }
                }
                _ => {}
            }
            if sans.len() >= 100 {
                break;
            }
        }
    }
    let facts = TlsFacts {
        host: presented.host.clone(),
        subject: crate::text::truncate(&cert.subject().to_string(), 500),
        sans,
        issuer: crate::text::truncate(&cert.issuer().to_string(), 500),
        serial: crate::text::truncate(&cert.raw_serial_as_string(), 200),
        not_before: rfc3339(not_before),
        not_after: rfc3339(not_after),
        days_left: seconds_left.div_euclid(SECONDS_PER_DAY),
        chain_length: u32::try_from(presented.chain.len()).unwrap_or(u32::MAX),
        verified: presented.problem.is_none() && !insecure,
        insecure,
        problem: presented.problem.map(|c| c.as_str().to_owned()),
    };
    Some((facts, seconds_left))
}

fn ip_text(bytes: &[u8]) -> Option<String> {
    match bytes.len() {
        4 => {
            let octets: [u8; 4] = bytes.try_into().ok()?;
            Some(std::net::Ipv4Addr::from(octets).to_string())
        }
        16 => {
            let octets: [u8; 16] = bytes.try_into().ok()?;
            Some(std::net::Ipv6Addr::from(octets).to_string())
        }
        _ => None,
    }
}

/// Seconds since the epoch as RFC 3339 UTC; dates before 1970 show as the epoch.
fn rfc3339(unix: i64) -> String {
    let secs = u64::try_from(unix).unwrap_or(0);
    let at = UNIX_EPOCH
        .checked_add(Duration::from_secs(secs))
        .unwrap_or(UNIX_EPOCH);
    humantime::format_rfc3339_seconds(at).to_string()
}

/// What `--cert-warn-days` / `--cert-fail-days` make of a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ExpiryPolicy {
    pub(crate) warn_days: u32,
    pub(crate) fail_days: Option<u32>,
}

impl ExpiryPolicy {
    pub(crate) fn from_options(options: &TlsOptions) -> Self {
        ExpiryPolicy {
            warn_days: options.cert_warn_days,
            fail_days: options.cert_fail_days,
        }
    }

    /// `Err` for a certificate closer to expiry than the fail threshold, `Ok(Some(message))`
    /// for one closer than the warn threshold.
    pub(crate) fn judge(
        &self,
        facts: &TlsFacts,
        seconds_left: i64,
    ) -> Result<Option<String>, Failure> {
        let within = |days: u32| seconds_left < i64::from(days) * SECONDS_PER_DAY;
        let left = if seconds_left < 0 {
            format!("expired {} ago", days_text(-seconds_left))
        } else {
            format!("expires in {}", days_text(seconds_left))
        };
        if let Some(days) = self.fail_days.filter(|d| within(*d)) {
            return Err(Failure::new(
                FailureCode::CertExpiring,
                format!(
                    "the TLS certificate {left} (on {}), less than the required {days} days",
                    facts.not_after
                ),
            )
            .with("daysLeft", facts.days_left)
            .with("failDays", days)
            .with("certificate", facts_value(facts)));
        }
        if self.warn_days > 0 && within(self.warn_days) {
            let mut message = format!("the TLS certificate {left} (on {})", facts.not_after);
            if seconds_left >= 0 {
                message.push_str(&format!(", less than {} days", self.warn_days));
            }
            return Ok(Some(message));
        }
        Ok(None)
    }
}

fn days_text(seconds: i64) -> String {
    let days = seconds / SECONDS_PER_DAY;
    match days {
        0 => {
            let hours = seconds / 3600;
            format!("{hours} hour{}", if hours == 1 { "" } else { "s" })
        }
        1 => "1 day".to_owned(),
        n => format!("{n} days"),
    }
}

/// The warning every report of a probe with verification switched off carries.
pub(crate) fn insecure_warning(facts: Option<&TlsFacts>) -> Warning {
    let mut message = "TLS certificate verification is switched off (insecure): the server's \
                       identity was not checked"
        .to_owned();
    if let Some(problem) = facts.and_then(|f| f.problem.as_deref()) {
        message.push_str(&format!("; verification would have failed with {problem}"));
    }
    Warning::new(WarningCode::InsecureTls, message)
}

/// The facts as a failure detail.
pub(crate) fn facts_value(facts: &TlsFacts) -> Value {
    serde_json::to_value(facts).unwrap_or(Value::Null)
}

/// The failure code for a certificate verification error.
fn failure_code(e: &rustls::Error) -> FailureCode {
    match e {
        rustls::Error::InvalidCertificate(c) => match c {
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                FailureCode::TlsExpired
            }
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                FailureCode::TlsNotYetValid
            }
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                FailureCode::TlsHostnameMismatch
            }
            CertificateError::UnknownIssuer | CertificateError::BadSignature => {
                FailureCode::TlsUntrusted
            }
            _ => FailureCode::TlsHandshake,
        },
        _ => FailureCode::TlsHandshake,
    }
}

/// The rustls error somewhere in an error chain.
pub(crate) fn find_tls_error<'a>(err: &'a (dyn StdError + 'static)) -> Option<&'a rustls::Error> {
    crate::http::errors::find_source::<rustls::Error>(err)
}

/// The failure for a TLS error of the exchange `what`.
pub(crate) fn tls_failure(e: &rustls::Error, what: &str) -> Failure {
    let code = failure_code(e);
    let failure = match code {
        FailureCode::TlsExpired | FailureCode::TlsNotYetValid => validity_failure(code, e, what),
        FailureCode::TlsHostnameMismatch => hostname_failure(e, what),
        FailureCode::TlsUntrusted => Failure::new(
            code,
            format!(
                "{what}: the server's TLS certificate is not issued by a trusted authority \
                 (a private CA can be trusted with --ca-cert)"
            ),
        ),
        _ => handshake_failure(code, e, what),
    };
    failure.with("tlsError", crate::text::truncate(&e.to_string(), 300))
}

/// A certificate used outside its validity period (`code` is `TlsExpired` or
/// `TlsNotYetValid`), with the date when rustls gives it.
fn validity_failure(code: FailureCode, e: &rustls::Error, what: &str) -> Failure {
    let message = match (code, e) {
        (
            FailureCode::TlsExpired,
            rustls::Error::InvalidCertificate(CertificateError::ExpiredContext {
                not_after, ..
            }),
        ) => format!(
            "{what}: the server's TLS certificate expired on {}",
            unix_text(*not_after)
        ),
        (FailureCode::TlsExpired, _) => {
            format!("{what}: the server's TLS certificate has expired")
        }
        (
            FailureCode::TlsNotYetValid,
            rustls::Error::InvalidCertificate(CertificateError::NotValidYetContext {
                not_before,
                ..
            }),
        ) => format!(
            "{what}: the server's TLS certificate is not valid before {}",
            unix_text(*not_before)
        ),
        _ => format!("{what}: the server's TLS certificate is not valid yet"),
    };
    Failure::new(code, message)
}

/// A certificate for other names, with the names it has when rustls gives them.
fn hostname_failure(e: &rustls::Error, what: &str) -> Failure {
    let code = FailureCode::TlsHostnameMismatch;
    let rustls::Error::InvalidCertificate(CertificateError::NotValidForNameContext {
        expected,
        presented,
    }) = e
    else {
        return Failure::new(
            code,
            format!("{what}: the server's TLS certificate is not valid for this host name"),
        );
    };
    let names: Vec<String> = presented
        .iter()
        .take(10)
        .map(|n| crate::text::truncate(n, 100))
        .collect();
    Failure::new(
        code,
        format!(
            "{what}: the server's TLS certificate is not valid for {} (it names {})",
            expected.to_str(),
            if names.is_empty() {
                "no host".to_owned()
            } else {
                names.join(", ")
            }
        ),
    )
    .with("host", expected.to_str().into_owned())
}

/// A handshake that failed for another reason than the certificate.
fn handshake_failure(code: FailureCode, e: &rustls::Error, what: &str) -> Failure {
    match e {
        rustls::Error::AlertReceived(alert) => Failure::new(
            code,
            format!("{what}: the server ended the TLS handshake with the alert {alert:?}"),
        )
        .with("alert", format!("{alert:?}")),
        rustls::Error::InvalidMessage(_) | rustls::Error::InappropriateMessage { .. } => {
            Failure::new(
                code,
                format!(
                    "{what}: the TLS handshake failed: the server does not speak TLS as expected \
                     (is the port plain HTTP?)"
                ),
            )
        }
        _ => Failure::new(code, format!("{what}: the TLS handshake failed")),
    }
}

fn unix_text(t: UnixTime) -> String {
    rfc3339(i64::try_from(t.as_secs()).unwrap_or(i64::MAX))
}

/// A TLS configuration shared by every probe with the same options.
#[derive(Debug)]
pub(crate) struct BaseTls {
    config: rustls::ClientConfig,
    verifier: Arc<WebPkiServerVerifier>,
}

impl BaseTls {
    /// The configuration for one probe: its own verifier (recording into `capture`) and a
    /// session store that marks the start of each handshake and never resumes a session, so
    /// every connection shows its certificate.
    pub(crate) fn for_probe(
        &self,
        capture: Arc<TlsCapture>,
        recorder: Arc<ConnRecorder>,
    ) -> rustls::ClientConfig {
        let mut config = self.config.clone();
        let insecure = capture.insecure;
        config
            .dangerous()
            .set_certificate_verifier(Arc::new(RecordingVerifier {
                inner: Arc::clone(&self.verifier),
                capture,
                insecure,
            }));
        config.resumption = Resumption::store(Arc::new(HandshakeClock(recorder)));
        config
    }
}

/// The cache key of a TLS configuration: the options and the contents of their files.
pub(crate) fn config_key(files: &TlsFiles, insecure: bool, https: bool) -> u64 {
    let mut h = DefaultHasher::new();
    files.ca.hash(&mut h);
    files.client.hash(&mut h);
    insecure.hash(&mut h);
    https.hash(&mut h);
    h.finish()
}

/// The files a TLS configuration is built from, read.
#[derive(Debug, Default)]
pub(crate) struct TlsFiles {
    ca: Option<(PathBuf, Vec<u8>)>,
    client: Option<(PathBuf, Vec<u8>, PathBuf, Vec<u8>)>,
}

impl TlsFiles {
    /// Reads the files the options name.
    pub(crate) fn read(options: &TlsOptions) -> Result<Self, Error> {
        options.validate()?;
        let ca = match &options.ca_cert {
            Some(path) => Some((path.clone(), read_file(path, "CA certificate")?)),
            None => None,
        };
        let client = match (&options.client_cert, &options.client_key) {
            (Some(cert), Some(key)) => Some((
                cert.clone(),
                read_file(cert, "client certificate")?,
                key.clone(),
                read_file(key, "client key")?,
            )),
            _ => None,
        };
        Ok(TlsFiles { ca, client })
    }
}

fn read_file(path: &Path, what: &str) -> Result<Vec<u8>, Error> {
    crate::file::read_limited(path, crate::file::MAX_PEM_BYTES).map_err(|e| {
        Error::new(
            ErrorKind::Setup,
            format!("cannot read the {what} file {}: {e}", path.display()),
        )
    })
}

fn setup(message: String) -> Error {
    Error::new(ErrorKind::Setup, message)
}

fn certificates(
    path: &Path,
    pem: &[u8],
    what: &str,
) -> Result<Vec<CertificateDer<'static>>, Error> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| {
            setup(format!(
                "the {what} file {} is not valid PEM: {e}",
                path.display()
            ))
        })?;
    if certs.is_empty() {
        return Err(setup(format!(
            "the {what} file {} holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
            path.display()
        )));
    }
    Ok(certs)
}

/// The system's trust store, loaded once per process (reading it takes milliseconds).
fn native_roots() -> &'static [CertificateDer<'static>] {
    static ROOTS: OnceLock<Vec<CertificateDer<'static>>> = OnceLock::new();
    ROOTS.get_or_init(|| rustls_native_certs::load_native_certs().certs)
}

/// Builds the configuration for `files` (`https`: the system's roots are loaded too; a plain
/// HTTP target never uses them).
pub(crate) fn build(files: &TlsFiles, https: bool) -> Result<BaseTls, Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if https {
        roots.add_parsable_certificates(native_roots().iter().cloned());
    }
    if let Some((path, pem)) = &files.ca {
        for (i, cert) in certificates(path, pem, "CA certificate")?
            .into_iter()
            .enumerate()
        {
            roots.add(cert).map_err(|e| {
                setup(format!(
                    "certificate {} of the CA file {} cannot be trusted as a root: {e}",
                    i + 1,
                    path.display()
                ))
            })?;
        }
    }
    let verifier =
        WebPkiServerVerifier::builder_with_provider(Arc::new(roots), Arc::clone(&provider))
            .build()
            .map_err(|e| setup(format!("cannot set up TLS verification: {e}")))?;
    let placeholder = Arc::new(RecordingVerifier {
        inner: Arc::clone(&verifier),
        capture: Arc::new(TlsCapture::default()),
        insecure: false,
    });
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| setup(format!("cannot set up TLS: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(placeholder);
    let mut config = match &files.client {
        Some((cert_path, cert_pem, key_path, key_pem)) => {
            let chain = certificates(cert_path, cert_pem, "client certificate")?;
            let key = PrivateKeyDer::from_pem_slice(key_pem).map_err(|e| {
                setup(format!(
                    "the client key file {} holds no usable PEM private key: {e}",
                    key_path.display()
                ))
            })?;
            builder.with_client_auth_cert(chain, key).map_err(|e| {
                setup(format!(
                    "the client certificate {} and key {} cannot be used together: {e}",
                    cert_path.display(),
                    key_path.display()
                ))
            })?
        }
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(BaseTls { config, verifier })
}

/// Verifies with WebPKI, records what the server presented, and (insecure) accepts anything.
#[derive(Debug)]
struct RecordingVerifier {
    inner: Arc<WebPkiServerVerifier>,
    capture: Arc<TlsCapture>,
    insecure: bool,
}

impl ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let verdict = self.inner.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        );
        self.capture.record(
            end_entity,
            intermediates,
            server_name,
            verdict.as_ref().err(),
        );
        if self.insecure {
            return Ok(ServerCertVerified::assertion());
        }
        verdict
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        if self.insecure {
            return Ok(HandshakeSignatureValid::assertion());
        }
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        if self.insecure {
            return Ok(HandshakeSignatureValid::assertion());
        }
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// A session store that stores nothing (every connection does a full handshake, so every
/// connection shows the server's certificate) and marks the moment rustls asks it for a
/// ticket: the start of the handshake, right after the TCP connection is up.
#[derive(Debug)]
struct HandshakeClock(Arc<ConnRecorder>);

impl ClientSessionStore for HandshakeClock {
    fn set_kx_hint(&self, _: ServerName<'static>, _: NamedGroup) {}

    fn kx_hint(&self, _: &ServerName<'_>) -> Option<NamedGroup> {
        self.0.tls_started();
        None
    }

    fn set_tls12_session(
        &self,
        _: ServerName<'static>,
        _: rustls::client::Tls12ClientSessionValue,
    ) {
    }

    fn tls12_session(&self, _: &ServerName<'_>) -> Option<rustls::client::Tls12ClientSessionValue> {
        self.0.tls_started();
        None
    }

    fn remove_tls12_session(&self, _: &ServerName<'static>) {}

    fn insert_tls13_ticket(
        &self,
        _: ServerName<'static>,
        _: rustls::client::Tls13ClientSessionValue,
    ) {
    }

    fn take_tls13_ticket(
        &self,
        _: &ServerName<'static>,
    ) -> Option<rustls::client::Tls13ClientSessionValue> {
        self.0.tls_started();
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io;

    #[test]
    fn verification_errors_map_to_distinct_codes() {
        let cases = [
            (CertificateError::Expired, FailureCode::TlsExpired),
            (CertificateError::NotValidYet, FailureCode::TlsNotYetValid),
            (
                CertificateError::NotValidForName,
                FailureCode::TlsHostnameMismatch,
            ),
            (CertificateError::UnknownIssuer, FailureCode::TlsUntrusted),
            (CertificateError::BadEncoding, FailureCode::TlsHandshake),
        ];
        for (e, code) in cases {
            let e = rustls::Error::InvalidCertificate(e);
            assert_eq!(tls_failure(&e, "initialize").code, code);
        }
        let alert = rustls::Error::AlertReceived(rustls::AlertDescription::CertificateRequired);
        let f = tls_failure(&alert, "initialize");
        assert_eq!(f.code, FailureCode::TlsHandshake);
        assert!(f.message.contains("CertificateRequired"), "{}", f.message);
    }

    #[test]
    fn rustls_errors_are_found_inside_io_errors() {
        let io = io::Error::new(
            io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer),
        );
        #[derive(Debug, thiserror::Error)]
        #[error("connect failed")]
        struct Outer(#[source] io::Error);
        let outer = Outer(io);
        let found = find_tls_error(&outer).unwrap();
        assert_eq!(failure_code(found), FailureCode::TlsUntrusted);
        // As hyper-rustls hands it over: wrapped once more, in an `io::Error` of kind Other.
        let twice = Outer(io::Error::other(io::Error::new(
            io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(CertificateError::Expired),
        )));
        assert_eq!(
            failure_code(find_tls_error(&twice).unwrap()),
            FailureCode::TlsExpired
        );
        let plain = io::Error::from(io::ErrorKind::ConnectionRefused);
        assert!(find_tls_error(&plain).is_none());
    }

    #[test]
    fn client_cert_and_key_come_together() {
        let mut o = TlsOptions {
            client_cert: Some("c.pem".into()),
            ..TlsOptions::default()
        };
        assert_eq!(o.validate().unwrap_err().kind(), ErrorKind::InvalidOption);
        o.client_key = Some("k.pem".into());
        assert!(o.validate().is_ok());
        o.client_cert = None;
        assert!(o.validate().is_err());
    }

    #[test]
    fn unreadable_and_empty_files_are_setup_errors() {
        let o = TlsOptions {
            ca_cert: Some("/nonexistent/mcp-probe/ca.pem".into()),
            ..TlsOptions::default()
        };
        let e = TlsFiles::read(&o).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Setup);
        assert!(e.to_string().contains("CA certificate"), "{e}");
        let files = TlsFiles {
            ca: Some(("ca.pem".into(), b"not pem at all".to_vec())),
            client: None,
        };
        let e = build(&files, false).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Setup);
        assert!(e.to_string().contains("no PEM certificate"), "{e}");
    }

    #[test]
    fn expiry_is_judged_against_both_thresholds() {
        let facts = TlsFacts {
            host: "h".into(),
            subject: "CN=h".into(),
            sans: vec!["h".into()],
            issuer: "CN=ca".into(),
            serial: "01".into(),
            not_before: rfc3339(0),
            not_after: rfc3339(3 * SECONDS_PER_DAY),
            days_left: 3,
            chain_length: 1,
            verified: true,
            insecure: false,
            problem: None,
        };
        let three_days = 3 * SECONDS_PER_DAY - 5;
        let warn_only = ExpiryPolicy {
            warn_days: 14,
            fail_days: None,
        };
        let message = warn_only.judge(&facts, three_days).unwrap().unwrap();
        assert!(message.contains("expires in 2 days"), "{message}");
        let fail = ExpiryPolicy {
            warn_days: 14,
            fail_days: Some(7),
        };
        let f = fail.judge(&facts, three_days).unwrap_err();
        assert_eq!(f.code, FailureCode::CertExpiring);
        assert_eq!(f.details["failDays"], 7);
        assert_eq!(f.details["certificate"]["daysLeft"], 3);
        let relaxed = ExpiryPolicy {
            warn_days: 0,
            fail_days: Some(1),
        };
        assert_eq!(relaxed.judge(&facts, three_days).unwrap(), None);
        let expired = warn_only
            .judge(&facts, -2 * SECONDS_PER_DAY)
            .unwrap()
            .unwrap();
        assert!(expired.contains("expired 2 days ago"), "{expired}");
    }
}
