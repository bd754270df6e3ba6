//! What a load run of the scenario (`mcp-probe load`) must show: the top-level `load` block.
//!
//! ```
//! use mcp_probe_core::Scenario;
//! use std::time::Duration;
//!
//! let s = Scenario::from_yaml("load: {maxErrorRate: 1%, maxP99: 200ms}").unwrap();
//! assert_eq!(s.load.max_error_rate, Some(0.01));
//! assert_eq!(s.load.max_p99, Some(Duration::from_millis(200)));
//! ```

use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, ErrorKind};

/// Thresholds a load run of the scenario is judged by (`mcp-probe load` exits 11 when one is
/// broken); a probe ignores them. The command line's `--max-error-rate` and `--max-p99` win
/// over these.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct LoadThresholds {
    /// The largest share of probes that may fail: a percentage (`"1%"`, `"0.5%"`) or a share
    /// (`0.01`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "optional_percent"
    )]
    pub max_error_rate: Option<f64>,
    /// The largest 99th percentile of the whole probe's latency (`200ms`, `1s`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::model::limits::optional_duration_text"
    )]
    pub max_p99: Option<Duration>,
}

impl LoadThresholds {
    /// Whether no threshold is set.
    pub fn is_empty(&self) -> bool {
        self.max_error_rate.is_none() && self.max_p99.is_none()
    }

    /// Checks that the error rate is a share between 0 and 1.
    pub fn validate(&self) -> Result<(), Error> {
        match self.max_error_rate {
            Some(share) if !(0.0..=1.0).contains(&share) => Err(Error::new(
                ErrorKind::InvalidOption,
                "load.maxErrorRate must be between 0% and 100%",
            )),
            _ => Ok(()),
        }
    }
}

/// Parses an error rate as the options and documents write it: `1%`, `0.5%`, or a share
/// `0.01`; returns the share (0 to 1).
pub fn parse_percent(text: &str) -> Result<f64, String> {
    let (number, scale) = match text.trim().strip_suffix('%') {
        Some(n) => (n, 100.0),
        None => (text.trim(), 1.0),
    };
    let value: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a percentage like 1%"))?;
    let share = value / scale;
    if !(0.0..=1.0).contains(&share) {
        return Err("the error rate must be between 0% and 100%".into());
    }
    Ok(share)
}

mod optional_percent {
    use super::*;

    pub(super) fn serialize<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(share) => s.serialize_str(&format!("{}%", share * 100.0)),
            None => s.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Written {
            Share(f64),
            Text(String),
        }
        match Option::<Written>::deserialize(d)? {
            None => Ok(None),
            Some(Written::Share(share)) if (0.0..=1.0).contains(&share) => Ok(Some(share)),
            Some(Written::Share(share)) => Err(serde::de::Error::custom(format!(
                "{share} is not a share between 0 and 1 (write a percentage as \"1%\")"
            ))),
            Some(Written::Text(text)) => parse_percent(&text)
                .map(Some)
                .map_err(serde::de::Error::custom),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_and_shares() {
        assert_eq!(parse_percent("1%"), Ok(0.01));
        assert_eq!(parse_percent("0.5"), Ok(0.5));
        assert!(parse_percent("150%").is_err());
        assert!(parse_percent("x").is_err());
        let t: LoadThresholds = serde_json::from_str(r#"{"maxErrorRate": 0.02}"#).unwrap();
        assert_eq!(t.max_error_rate, Some(0.02));
        let t: LoadThresholds =
            serde_json::from_str(r#"{"maxErrorRate": "5%", "maxP99": 1500}"#).unwrap();
        assert_eq!(t.max_error_rate, Some(0.05));
        assert_eq!(t.max_p99, Some(Duration::from_millis(1500)));
        assert_eq!(
            serde_json::to_value(t).unwrap(),
            serde_json::json!({"maxErrorRate": "5%", "maxP99": "1s 500ms"})
        );
        assert!(serde_json::from_str::<LoadThresholds>(r#"{"maxErrorRate": 2}"#).is_err());
        assert!(serde_json::from_str::<LoadThresholds>(r#"{"maxP50": "1s"}"#).is_err());
    }
}
