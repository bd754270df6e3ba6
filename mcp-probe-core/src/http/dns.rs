//! Name resolution that leaves a typed marker in reqwest's error chain, so a DNS failure is
//! told apart from a refused connection without reading error texts.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

use crate::http::timing::ConnRecorder;

/// What kind of network an address belongs to, as far as fetching URLs a server names goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AddrClass {
    /// The internet.
    Public,
    /// A private network: 10/8, 172.16/12, 192.168/16, 100.64/10 (carrier-grade NAT),
    /// fc00::/7 (unique local).
    Private,
    /// This machine: 127/8, ::1.
    Loopback,
    /// Link-local, where cloud metadata services answer: 169.254/16, fe80::/10.
    LinkLocal,
    /// Not a host one fetches from: unspecified, multicast, broadcast, 0/8.
    Unroutable,
}

impl AddrClass {
    /// The class of an address (IPv4-mapped IPv6 addresses as their IPv4 address).
    pub(crate) fn of(ip: IpAddr) -> AddrClass {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
            v4 => v4,
        };
        match ip {
            IpAddr::V4(v4) => {
                let [a, b, ..] = v4.octets();
                if v4.is_loopback() {
                    AddrClass::Loopback
                } else if v4.is_link_local() {
                    AddrClass::LinkLocal
                } else if v4.is_unspecified() || v4.is_multicast() || v4.is_broadcast() || a == 0 {
                    AddrClass::Unroutable
                } else if v4.is_private() || (a == 100 && (64..128).contains(&b)) {
                    AddrClass::Private
                } else {
                    AddrClass::Public
                }
            }
            IpAddr::V6(v6) => {
                let first = v6.segments()[0];
                if v6.is_loopback() {
                    AddrClass::Loopback
                } else if first & 0xffc0 == 0xfe80 {
                    AddrClass::LinkLocal
                } else if v6.is_unspecified() || v6.is_multicast() {
                    AddrClass::Unroutable
                } else if first & 0xfe00 == 0xfc00 {
                    AddrClass::Private
                } else {
                    AddrClass::Public
                }
            }
        }
    }

    fn describe(self) -> &'static str {
        match self {
            AddrClass::Public => "a public address",
            AddrClass::Private => "a private-network address",
            AddrClass::Loopback => "a loopback address",
            AddrClass::LinkLocal => "a link-local address (where cloud metadata services answer)",
            AddrClass::Unroutable => "an address no one fetches from",
        }
    }
}

/// Which addresses URLs learnt from a server (metadata documents, authorization servers,
/// token endpoints) may lead to: public ones always; loopback and private ones only when the
/// target itself is in that range; link-local and unroutable ones never. A server must not
/// turn the probe into a way into the network it runs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct AddressPolicy {
    /// The target is on this machine: loopback addresses are allowed.
    pub(crate) loopback: bool,
    /// The target is on a private network: private addresses are allowed.
    pub(crate) private: bool,
}

impl AddressPolicy {
    /// The policy for URLs learnt from `target`: resolves its host (its addresses decide).
    pub(crate) async fn for_target(target: &Url) -> AddressPolicy {
        let mut policy = AddressPolicy::default();
        let addrs: Vec<IpAddr> = match target.host() {
            Some(Host::Ipv4(ip)) => vec![IpAddr::V4(ip)],
            Some(Host::Ipv6(ip)) => vec![IpAddr::V6(ip)],
            Some(Host::Domain(name)) => tokio::net::lookup_host((name, 0))
                .await
                .map(|found| found.map(|a| a.ip()).collect())
                .unwrap_or_default(),
            None => Vec::new(),
        };
        for ip in addrs {
            match AddrClass::of(ip) {
                AddrClass::Loopback => policy.loopback = true,
                AddrClass::Private => policy.private = true,
                _ => {}
            }
        }
        policy
    }

    /// Why `ip` must not be fetched from, if it must not.
    pub(crate) fn refusal(&self, ip: IpAddr) -> Option<String> {
        let class = AddrClass::of(ip);
        let allowed = match class {
            AddrClass::Public => true,
            AddrClass::Loopback => self.loopback,
            AddrClass::Private => self.private,
            AddrClass::LinkLocal | AddrClass::Unroutable => false,
        };
        if allowed {
            return None;
        }
        let why = match class {
            AddrClass::Loopback | AddrClass::Private => {
                format!("{ip} is {}, and the target is not", class.describe())
            }
            _ => format!("{ip} is {}", class.describe()),
        };
        Some(why)
    }

    /// Why the URL must not be fetched, judged by its host alone (an IP address or
    /// `localhost`); host names are judged when they resolve.
    pub(crate) fn url_refusal(&self, url: &Url) -> Option<String> {
        match url.host() {
            Some(Host::Ipv4(ip)) => self.refusal(IpAddr::V4(ip)),
            Some(Host::Ipv6(ip)) => self.refusal(IpAddr::V6(ip)),
            Some(Host::Domain(name))
                if name.eq_ignore_ascii_case("localhost")
                    || name.eq_ignore_ascii_case("localhost.") =>
            {
                self.refusal(IpAddr::V4(std::net::Ipv4Addr::LOCALHOST))
            }
            _ => None,
        }
    }
}

/// A host name resolved only to addresses the [`AddressPolicy`] refuses.
#[derive(Debug, thiserror::Error)]
#[error("{host} was not connected to: {reason}")]
pub(crate) struct AddressRefused {
    pub(crate) host: String,
    pub(crate) reason: String,
}

/// A host name did not resolve.
#[derive(Debug, thiserror::Error)]
#[error("DNS lookup of {host} failed: {reason}")]
pub(crate) struct DnsError {
    pub(crate) host: String,
    pub(crate) reason: String,
}

/// Resolves with the system resolver (as `getaddrinfo` does) on tokio's blocking pool, and
/// marks the DNS phase of the connection being established; a guarded resolver drops the
/// addresses its [`AddressPolicy`] refuses.
#[derive(Debug, Default)]
pub(crate) struct Resolver {
    timing: Option<Arc<ConnRecorder>>,
    guard: Option<AddressPolicy>,
}

impl Resolver {
    /// A resolver that marks the DNS phase in `timing`, connecting only to addresses `guard` allows.
    pub(crate) fn guarded(timing: Arc<ConnRecorder>, guard: Option<AddressPolicy>) -> Self {
        Resolver {
            timing: Some(timing),
            guard,
        }
    }
}

impl Resolve for Resolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        let timing = self.timing.clone();
        let guard = self.guard;
        Box::pin(async move {
            if let Some(t) = &timing {
                t.dns_started();
            }
            let found = tokio::net::lookup_host((host.as_str(), 0)).await;
            if let Some(t) = &timing {
                t.dns_done();
            }
            let found = found.map_err(|e| DnsError {
                host: host.clone(),
                reason: e.to_string(),
            })?;
            let mut addrs: Vec<SocketAddr> = found.collect();
            if addrs.is_empty() {
                return Err(DnsError {
                    host,
                    reason: "no addresses".into(),
                }
                .into());
            }
            if let Some(guard) = guard {
                let refused = addrs.iter().find_map(|a| guard.refusal(a.ip()));
                addrs.retain(|a| guard.refusal(a.ip()).is_none());
                if let (true, Some(reason)) = (addrs.is_empty(), refused) {
                    return Err(AddressRefused { host, reason }.into());
                }
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_classed() {
        let class = |s: &str| AddrClass::of(s.parse().unwrap());
        assert_eq!(class("169.254.169.254"), AddrClass::LinkLocal);
        assert_eq!(class("fe80::1"), AddrClass::LinkLocal);
        assert_eq!(class("::ffff:169.254.169.254"), AddrClass::LinkLocal);
        assert_eq!(class("10.1.2.3"), AddrClass::Private);
        assert_eq!(class("172.31.0.1"), AddrClass::Private);
        assert_eq!(class("192.168.0.1"), AddrClass::Private);
        assert_eq!(class("100.100.100.200"), AddrClass::Private);
        assert_eq!(class("fd00:ec2::254"), AddrClass::Private);
        assert_eq!(class("127.0.0.2"), AddrClass::Loopback);
        assert_eq!(class("::1"), AddrClass::Loopback);
        assert_eq!(class("0.0.0.0"), AddrClass::Unroutable);
        assert_eq!(class("224.0.0.1"), AddrClass::Unroutable);
        assert_eq!(class("93.184.216.34"), AddrClass::Public);
        assert_eq!(class("2606:4700::1111"), AddrClass::Public);
    }

    /// Host names are judged when they resolve: a name that leads only to refused addresses
    /// is not connected to, whatever the URL looked like.
    #[tokio::test]
    async fn a_guarded_resolver_refuses_names_of_refused_addresses() {
        let timing = Arc::new(ConnRecorder::hooked());
        let guarded = Resolver::guarded(Arc::clone(&timing), Some(AddressPolicy::default()));
        let name: Name = "localhost".parse().unwrap();
        let err = match guarded.resolve(name).await {
            Ok(_) => panic!("localhost was resolved for a public target"),
            Err(e) => e,
        };
        let refused = err.downcast_ref::<AddressRefused>().unwrap();
        assert!(refused.reason.contains("loopback"), "{}", refused.reason);
        let local = AddressPolicy {
            loopback: true,
            private: false,
        };
        let allowed = Resolver::guarded(timing, Some(local));
        assert!(allowed.resolve("localhost".parse().unwrap()).await.is_ok());
    }

    #[test]
    fn the_policy_follows_the_target() {
        let public = AddressPolicy::default();
        let local = AddressPolicy {
            loopback: true,
            private: false,
        };
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert!(public.refusal(ip("93.184.216.34")).is_none());
        for refused in ["169.254.169.254", "10.0.0.1", "127.0.0.1", "0.0.0.0"] {
            assert!(public.refusal(ip(refused)).is_some(), "{refused}");
        }
        assert!(local.refusal(ip("127.0.0.1")).is_none());
        assert!(local.refusal(ip("10.0.0.1")).is_some());
        assert!(local.refusal(ip("169.254.169.254")).is_some());
        let url = Url::parse("http://169.254.169.254/latest/meta-data").unwrap();
        assert!(local.url_refusal(&url).unwrap().contains("link-local"));
        let url = Url::parse("http://localhost:8080/.well-known/x").unwrap();
        assert!(local.url_refusal(&url).is_none());
        assert!(public.url_refusal(&url).is_some());
    }
}
