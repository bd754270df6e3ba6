//! TLS options of a target: extra trust, a client certificate, an explicit opt-out of
//! verification, certificate expiry thresholds.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind};

/// Default of [`TlsOptions::cert_warn_days`].
pub const DEFAULT_CERT_WARN_DAYS: u32 = 14;

/// Largest `certWarnDays` / `certFailDays` (100 years).
pub const MAX_CERT_DAYS: u32 = 36_500;

/// TLS options of a target: extra trust, a client certificate, an explicit opt-out of
/// verification, and how close to expiry a certificate may be.
///
/// ```
/// use mcp_probe_core::Scenario;
///
/// let scenario = Scenario::for_url("https://mcp.internal:8443/mcp")
///     .ca_cert("ca.pem")
///     .client_cert("client.pem", "client-key.pem")
///     .cert_fail_days(7);
/// let same = Scenario::from_yaml(r#"
/// target:
///   url: https://mcp.internal:8443/mcp
///   tls: {caCert: ca.pem, clientCert: client.pem, clientKey: client-key.pem, certFailDays: 7}
/// "#).unwrap();
/// assert_eq!(scenario, same);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
#[non_exhaustive]
pub struct TlsOptions {
    /// A PEM file of CA certificates to trust besides Mozilla's and the system's roots.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca_cert: Option<PathBuf>,
    /// A PEM file with the client certificate (and its intermediates) for mutual TLS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_cert: Option<PathBuf>,
    /// The PEM file with the client certificate's private key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_key: Option<PathBuf>,
    /// Accept any certificate. The certificate is still read and reported, and every report
    /// carries the warning `insecure_tls`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub insecure: bool,
    /// Warn (`cert_expiring`) when the certificate expires in fewer than this many days
    /// (default 14; 0 turns the warning off).
    pub cert_warn_days: u32,
    /// Fail (`cert_expiring`) when the certificate expires in fewer than this many days.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cert_fail_days: Option<u32>,
}

impl Default for TlsOptions {
    fn default() -> Self {
        TlsOptions {
            ca_cert: None,
            client_cert: None,
            client_key: None,
            insecure: false,
            cert_warn_days: DEFAULT_CERT_WARN_DAYS,
            cert_fail_days: None,
        }
    }
}

impl TlsOptions {
    /// Whether every option has its default value.
    pub fn is_default(&self) -> bool {
        *self == TlsOptions::default()
    }

    /// Checks the options for mistakes that do not need the files.
    pub(crate) fn validate(&self) -> Result<(), Error> {
        for (name, days) in [
            ("certWarnDays", Some(self.cert_warn_days)),
            ("certFailDays", self.cert_fail_days),
        ] {
            if days.is_some_and(|d| d > MAX_CERT_DAYS) {
                return Err(Error::new(
                    ErrorKind::InvalidOption,
                    format!("tls.{name} must be at most {MAX_CERT_DAYS} days"),
                ));
            }
        }
        match (&self.client_cert, &self.client_key) {
            (Some(_), None) => Err(Error::new(
                ErrorKind::InvalidOption,
                "a client certificate needs its private key (clientKey / --client-key)",
            )),
            (None, Some(_)) => Err(Error::new(
                ErrorKind::InvalidOption,
                "a client key needs its certificate (clientCert / --client-cert)",
            )),
            _ => Ok(()),
        }
    }
}
