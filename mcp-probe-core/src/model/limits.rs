//! How long a probe may take and how much a server may send.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind};

/// Longest timeout a scenario may set (each of `total`, `connect`, `request`, and
/// `waitUntilReady`).
pub const MAX_TIMEOUT: Duration = Duration::from_secs(24 * 3600);

/// Largest `maxBodyBytes` / `maxSseEventBytes` a scenario may set (1 GiB).
pub const MAX_LIMIT_BYTES: u64 = 1 << 30;

/// Largest `maxPages` a scenario may set.
pub const MAX_PAGES: u32 = 10_000;

/// Most steps a scenario may have.
pub const MAX_STEPS: usize = 1_000;

/// Time limits. In documents, durations are strings such as `"10s"` or `"500ms"`, or
/// integers of milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
#[non_exhaustive]
pub struct Timeouts {
    /// The whole probe, clean-up included (default 10 s).
    #[serde(with = "duration_text")]
    pub total: Duration,
    /// Establishing a connection, TLS included (default 5 s, never more than `total`).
    #[serde(with = "duration_text")]
    pub connect: Duration,
    /// One request until its response is complete (default: `total`).
    #[serde(
        default,
        with = "optional_duration_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub request: Option<Duration>,
}

impl Timeouts {
    /// Checks that every timeout is greater than zero and at most [`MAX_TIMEOUT`].
    pub fn validate(&self) -> Result<(), Error> {
        let named = [
            ("total", Some(self.total)),
            ("connect", Some(self.connect)),
            ("request", self.request),
        ];
        for (name, value) in named {
            let Some(value) = value else { continue };
            if value.is_zero() {
                return Err(Error::new(
                    ErrorKind::InvalidOption,
                    format!("timeouts.{name} must be greater than zero"),
                ));
            }
            if value > MAX_TIMEOUT {
                return Err(Error::new(
                    ErrorKind::InvalidOption,
                    format!(
                        "timeouts.{name} is {}; at most {} is allowed",
                        humantime::format_duration(value),
                        humantime::format_duration(MAX_TIMEOUT)
                    ),
                ));
            }
        }
        Ok(())
    }
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            total: Duration::from_secs(10),
            connect: Duration::from_secs(5),
            request: None,
        }
    }
}

/// Size limits on what a server may send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
#[non_exhaustive]
pub struct Limits {
    /// Largest response body, or total bytes of one SSE stream (default 16 MiB).
    pub max_body_bytes: u64,
    /// Largest single SSE event (default 16 MiB).
    pub max_sse_event_bytes: u64,
    /// Most pages a list step follows `nextCursor` for (default 100).
    pub max_pages: u32,
}

impl Limits {
    /// Checks that every limit is greater than zero and within its maximum
    /// ([`MAX_LIMIT_BYTES`], [`MAX_PAGES`]).
    pub fn validate(&self) -> Result<(), Error> {
        for (name, value) in [
            ("maxBodyBytes", self.max_body_bytes),
            ("maxSseEventBytes", self.max_sse_event_bytes),
        ] {
            if value == 0 || value > MAX_LIMIT_BYTES {
                return Err(Error::new(
                    ErrorKind::InvalidOption,
                    format!("limits.{name} is {value}; it must be between 1 and {MAX_LIMIT_BYTES}"),
                ));
            }
        }
        if self.max_pages == 0 || self.max_pages > MAX_PAGES {
            return Err(Error::new(
                ErrorKind::InvalidOption,
                format!(
                    "limits.maxPages is {}; it must be between 1 and {MAX_PAGES}",
                    self.max_pages
                ),
            ));
        }
        Ok(())
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 16 * 1024 * 1024,
            max_sse_event_bytes: 16 * 1024 * 1024,
            max_pages: 100,
        }
    }
}

/// Durations as `"10s"`-style text (or integer milliseconds on input).
mod duration_text {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub(super) fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&humantime::format_duration(*d).to_string())
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Text {
        Millis(u64),
        Text(String),
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        match Text::deserialize(d)? {
            Text::Millis(ms) => Ok(Duration::from_millis(ms)),
            Text::Text(t) => humantime::parse_duration(t.trim()).map_err(|e| {
                serde::de::Error::custom(format!("invalid duration {t:?} ({e}); use e.g. \"10s\""))
            }),
        }
    }
}

/// Optional durations in the same form.
pub(crate) mod optional_duration_text {
    use serde::{Deserializer, Serializer};
    use std::time::Duration;

    pub(crate) fn serialize<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => super::duration_text::serialize(d, s),
            None => s.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Duration>, D::Error> {
        super::duration_text::deserialize(d).map(Some)
    }
}
