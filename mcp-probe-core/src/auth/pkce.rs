//! PKCE (RFC 7636) with S256, and the `state` of an authorization request: fresh random
//! values for each authorization.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

/// A code verifier and its S256 challenge.
pub(super) struct Pkce {
    /// 43 characters of base64url (32 random bytes), sent only to the token endpoint.
    pub(super) verifier: String,
    /// `BASE64URL(SHA256(verifier))`, sent to the authorization endpoint.
    pub(super) challenge: String,
}

impl Pkce {
    /// A fresh verifier and its challenge.
    pub(super) fn new() -> Self {
        Self::from_verifier(random_text())
    }

    fn from_verifier(verifier: String) -> Self {
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        Pkce {
            verifier,
            challenge,
        }
    }
}

/// 32 random bytes as base64url without padding (43 characters): a verifier or a `state`.
pub(super) fn random_text() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_challenge_is_the_rfc_7636_example() {
        // RFC 7636 Appendix B.
        let pkce = Pkce::from_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".to_owned());
        assert_eq!(
            pkce.challenge,
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        let fresh = Pkce::new();
        assert_eq!(fresh.verifier.len(), 43);
        assert_ne!(fresh.verifier, Pkce::new().verifier);
        assert!(fresh
            .verifier
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    }
}
