//! `matrix`: the scenario again in every era, protocol version and transport.

use crate::model::{
    MatrixEntry, ProtocolChoice, Scenario, TransportChoice, TransportKind, HANDSHAKE_ERA_VERSIONS,
    MODERN_VERSION,
};

/// The version legacy HTTP+SSE speaks (the transport was replaced in the next version).
const LEGACY_SSE_VERSION: &str = "2024-11-05";

/// One way to run the scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Variant {
    pub(super) transport: TransportChoice,
    pub(super) protocol: ProtocolChoice,
    pub(super) version: &'static str,
}

/// The ways to run `scenario`, newest first: for a URL, the 2026-07-28 era and every
/// handshake-era version over Streamable HTTP, then 2024-11-05 over legacy HTTP+SSE; for a
/// command, every version over stdio. `protocol` keeps one era, a URL target's `transport`
/// one transport.
pub(super) fn variants(scenario: &Scenario) -> Vec<Variant> {
    let asked = scenario
        .target
        .as_ref()
        .map(|t| {
            if t.command.is_some() {
                TransportChoice::Stdio
            } else {
                t.transport
            }
        })
        .unwrap_or_default();
    let mut versions: Vec<&'static str> = vec![MODERN_VERSION];
    versions.extend(HANDSHAKE_ERA_VERSIONS.iter().rev());
    let mut out = Vec::new();
    for version in versions {
        let protocol = if version == MODERN_VERSION {
            ProtocolChoice::Modern
        } else {
            ProtocolChoice::Handshake
        };
        if scenario.protocol != ProtocolChoice::Auto && scenario.protocol != protocol {
            continue;
        }
        let transport = match asked {
            TransportChoice::Stdio => TransportChoice::Stdio,
            _ if version == LEGACY_SSE_VERSION => TransportChoice::Sse,
            _ => TransportChoice::StreamableHttp,
        };
        if !matches!(asked, TransportChoice::Auto | TransportChoice::Stdio) && transport != asked {
            continue;
        }
        out.push(Variant {
            transport,
            protocol,
            version,
        });
    }
    out
}

/// `scenario` run as `variant`: one attempt, no matrix of its own.
pub(super) fn scenario_for(scenario: &Scenario, variant: Variant) -> Scenario {
    let mut s = scenario.clone();
    s.matrix = false;
    s.wait_until_ready = None;
    s.protocol = variant.protocol;
    s.protocol_version = Some(variant.version.to_owned());
    if let Some(target) = &mut s.target {
        target.transport = variant.transport;
    }
    s
}

/// The entry of one variant's report.
pub(super) fn entry(variant: Variant, report: crate::model::Report) -> MatrixEntry {
    let mut entry = MatrixEntry::of(variant.version, report);
    // A run that failed early may not have got to its transport; say the one it was asked.
    entry.transport = match variant.transport {
        TransportChoice::Sse => TransportKind::Sse,
        TransportChoice::Stdio => TransportKind::Stdio,
        _ => TransportKind::StreamableHttp,
    };
    entry
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::CommandSpec;

    fn names(v: &[Variant]) -> Vec<String> {
        v.iter()
            .map(|v| format!("{} {}", v.transport.as_str(), v.version))
            .collect()
    }

    #[test]
    fn a_url_gets_every_version_over_streamable_http_and_legacy_sse() {
        let s = Scenario::for_url("http://127.0.0.1:1/mcp");
        assert_eq!(
            names(&variants(&s)),
            [
                "streamable-http 2026-07-28",
                "streamable-http 2025-11-25",
                "streamable-http 2025-06-18",
                "streamable-http 2025-03-26",
                "sse 2024-11-05",
            ]
        );
    }

    #[test]
    fn protocol_and_transport_narrow_the_matrix() {
        let s = Scenario::for_url("http://127.0.0.1:1/mcp").protocol(ProtocolChoice::Handshake);
        assert_eq!(variants(&s).len(), 4);
        let s = Scenario::for_url("http://127.0.0.1:1/mcp").protocol(ProtocolChoice::Modern);
        assert_eq!(names(&variants(&s)), ["streamable-http 2026-07-28"]);
        let s = Scenario::for_url("http://127.0.0.1:1/sse").transport(TransportChoice::Sse);
        assert_eq!(names(&variants(&s)), ["sse 2024-11-05"]);
    }

    #[test]
    fn a_command_gets_every_version_over_stdio() {
        let s = Scenario::for_command(CommandSpec::new("server", Vec::<String>::new()));
        let v = variants(&s);
        assert_eq!(v.len(), 5);
        assert!(v.iter().all(|v| v.transport == TransportChoice::Stdio));
        let one = scenario_for(&s.matrix(true), v[4]);
        assert!(!one.matrix);
        assert_eq!(one.protocol_version.as_deref(), Some("2024-11-05"));
        assert_eq!(one.protocol, ProtocolChoice::Handshake);
    }
}
