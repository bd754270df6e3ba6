//! `private_key_jwt` client authentication (RFC 7523 §2.2, as SEP-1046 asks for it): the client
//! proves who it is with a short-lived JWT signed by its private key instead of a secret.
//!
//! Signed with ring, the cryptography the probe's TLS already uses: a JWT is three base64url
//! parts, and a JWT library would bring a second cryptography stack for these few lines.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use ring::rand::SystemRandom;
use ring::signature::{
    EcdsaKeyPair, RsaKeyPair, ECDSA_P256_SHA256_FIXED_SIGNING, ECDSA_P384_SHA384_FIXED_SIGNING,
    RSA_PKCS1_SHA256,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::PrivateKeyDer;
use serde_json::json;

use crate::http::target::secret_tag;

/// `client_assertion_type` of a JWT client assertion (RFC 7523 §2.2).
pub(super) const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// How long an assertion is valid: long enough for the token request it is made for.
const LIFETIME: Duration = Duration::from_secs(300);

/// A client's private key, ready to sign assertions: EC P-256 (`ES256`), EC P-384 (`ES384`) or
/// RSA (`RS256`). Never shown: `Debug` names the algorithm only.
pub(crate) struct ClientKey {
    signer: Signer,
    rng: SystemRandom,
}

enum Signer {
    Ec(EcdsaKeyPair, &'static str),
    Rsa(RsaKeyPair),
}

impl std::fmt::Debug for ClientKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ClientKey({})", self.algorithm())
    }
}

impl ClientKey {
    /// Reads a PEM private key: PKCS#8 (`BEGIN PRIVATE KEY`, EC P-256, P-384 or RSA) or PKCS#1
    /// (`BEGIN RSA PRIVATE KEY`). `Err` says what is wrong, without any of the key.
    pub(crate) fn from_pem(pem: &str) -> Result<ClientKey, String> {
        let der = PrivateKeyDer::from_pem_slice(pem.as_bytes())
            .map_err(|_| "it holds no PEM private key".to_owned())?;
        let rng = SystemRandom::new();
        let signer = match &der {
            PrivateKeyDer::Pkcs8(key) => {
                let bytes = key.secret_pkcs8_der();
                if let Ok(pair) =
                    EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, bytes, &rng)
                {
                    Signer::Ec(pair, "ES256")
                } else if let Ok(pair) =
                    EcdsaKeyPair::from_pkcs8(&ECDSA_P384_SHA384_FIXED_SIGNING, bytes, &rng)
                {
                    Signer::Ec(pair, "ES384")
                } else {
                    Signer::Rsa(RsaKeyPair::from_pkcs8(bytes).map_err(|_| {
                        "its PKCS#8 key is neither EC P-256, EC P-384 nor RSA (2048 to 8192 bits)"
                            .to_owned()
                    })?)
                }
            }
            PrivateKeyDer::Pkcs1(key) => Signer::Rsa(
                RsaKeyPair::from_der(key.secret_pkcs1_der())
                    .map_err(|_| "its RSA key cannot be used (2048 to 8192 bits are)".to_owned())?,
            ),
            _ => {
                return Err(
                    "it holds a SEC1 EC key (BEGIN EC PRIVATE KEY): convert it to \
                            PKCS#8 (openssl pkcs8 -topk8 -nocrypt)"
                        .to_owned(),
                )
            }
        };
        Ok(ClientKey { signer, rng })
    }

    /// The JWS algorithm: `ES256`, `ES384` or `RS256`.
    pub(crate) fn algorithm(&self) -> &'static str {
        match &self.signer {
            Signer::Ec(_, alg) => alg,
            Signer::Rsa(_) => "RS256",
        }
    }

    /// A signed assertion: issuer and subject `client_id`, audience `audience` (the
    /// authorization server's issuer, or the token endpoint), a random `jti`, valid for
    /// [`LIFETIME`] from `now`.
    pub(crate) fn assertion(
        &self,
        client_id: &str,
        audience: &str,
        now: SystemTime,
    ) -> Result<String, String> {
        let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        let iat = now
            .duration_since(UNIX_EPOCH)
            .map_err(|_| "the clock is before 1970".to_owned())?
            .as_secs();
        let header = json!({"alg": self.algorithm(), "typ": "JWT"});
        let claims = json!({
            "iss": client_id,
            "sub": client_id,
            "aud": audience,
            "jti": super::pkce::random_text(),
            "iat": iat,
            "exp": iat + LIFETIME.as_secs(),
        });
        let signing_input = format!(
            "{}.{}",
            b64(header.to_string().as_bytes()),
            b64(claims.to_string().as_bytes())
        );
        let signature = match &self.signer {
            Signer::Ec(pair, _) => pair
                .sign(&self.rng, signing_input.as_bytes())
                .map(|s| s.as_ref().to_vec())
                .map_err(|_| "the EC signature failed".to_owned())?,
            Signer::Rsa(pair) => {
                let mut signature = vec![0; pair.public().modulus_len()];
                pair.sign(
                    &RSA_PKCS1_SHA256,
                    &self.rng,
                    signing_input.as_bytes(),
                    &mut signature,
                )
                .map_err(|_| "the RSA signature failed".to_owned())?;
                signature
            }
        };
        Ok(format!("{signing_input}.{}", b64(&signature)))
    }
}

/// The keys a prober's probes sign with, each parsed once: every probe reads its secret again
/// (the file may have changed), but loading a key is work (ring checks an RSA key's parts),
/// which a fleet of probes with one key need not repeat.
#[derive(Debug, Default)]
pub(crate) struct ClientKeys {
    /// A keyed hash of each key's PEM text with the key; the most recently used last.
    parsed: Mutex<Vec<(u64, Arc<ClientKey>)>>,
}

impl ClientKeys {
    /// How many keys are kept; the least recently used goes first.
    const KEPT: usize = 8;

    /// The key `pem` holds, as [`ClientKey::from_pem`] reads it: parsed now, or by an earlier
    /// probe. A key that cannot be used is not kept.
    pub(crate) fn get(&self, pem: &str) -> Result<Arc<ClientKey>, String> {
        let tag = secret_tag(pem);
        let lock = || self.parsed.lock().unwrap_or_else(PoisonError::into_inner);
        {
            let mut parsed = lock();
            if let Some(at) = parsed.iter().position(|(t, _)| *t == tag) {
                let entry = parsed.remove(at);
                let key = Arc::clone(&entry.1);
                parsed.push(entry);
                return Ok(key);
            }
        }
        // Parsed without the lock held: other probes' keys need not wait for this one.
        let key = Arc::new(ClientKey::from_pem(pem)?);
        let mut parsed = lock();
        if !parsed.iter().any(|(t, _)| *t == tag) {
            if parsed.len() >= Self::KEPT {
                parsed.remove(0);
            }
            parsed.push((tag, Arc::clone(&key)));
        }
        Ok(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::signature::{
        KeyPair, UnparsedPublicKey, ECDSA_P256_SHA256_FIXED, RSA_PKCS1_2048_8192_SHA256,
    };
    use serde_json::Value;

    fn pkcs8_pem(alg: &'static rcgen::SignatureAlgorithm) -> String {
        rcgen::KeyPair::generate_for(alg).unwrap().serialize_pem()
    }

    fn parts(jwt: &str) -> (Value, Value, Vec<u8>, String) {
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let pieces: Vec<&str> = jwt.split('.').collect();
        assert_eq!(pieces.len(), 3, "{jwt}");
        let header = serde_json::from_slice(&b64.decode(pieces[0]).unwrap()).unwrap();
        let claims = serde_json::from_slice(&b64.decode(pieces[1]).unwrap()).unwrap();
        let signature = b64.decode(pieces[2]).unwrap();
        (
            header,
            claims,
            signature,
            format!("{}.{}", pieces[0], pieces[1]),
        )
    }

    #[test]
    fn an_es256_assertion_verifies_with_the_public_key_and_names_the_client() {
        let pem = pkcs8_pem(&rcgen::PKCS_ECDSA_P256_SHA256);
        let key = ClientKey::from_pem(&pem).unwrap();
        assert_eq!(format!("{key:?}"), "ClientKey(ES256)");
        let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let jwt = key
            .assertion("probe-client", "https://as.example", now)
            .unwrap();
        let (header, claims, signature, input) = parts(&jwt);
        assert_eq!(header, json!({"alg": "ES256", "typ": "JWT"}));
        assert_eq!(claims["iss"], "probe-client");
        assert_eq!(claims["sub"], "probe-client");
        assert_eq!(claims["aud"], "https://as.example");
        assert_eq!(claims["iat"], 1_800_000_000u64);
        assert_eq!(claims["exp"], 1_800_000_300u64);
        assert!(claims["jti"].as_str().is_some_and(|j| j.len() >= 16));
        let Signer::Ec(pair, _) = &key.signer else {
            panic!("not an EC key")
        };
        let public = UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, pair.public_key().as_ref());
        public.verify(input.as_bytes(), &signature).unwrap();
        let mut tampered = input.into_bytes();
        tampered[0] ^= 1;
        assert!(public.verify(&tampered, &signature).is_err());
        // A new jti every time.
        let again = parts(&key.assertion("probe-client", "a", now).unwrap()).1;
        assert_ne!(again["jti"], claims["jti"]);
    }

    #[test]
    fn other_keys_sign_with_their_algorithm() {
        let p384 = ClientKey::from_pem(&pkcs8_pem(&rcgen::PKCS_ECDSA_P384_SHA384)).unwrap();
        assert_eq!(p384.algorithm(), "ES384");
        let jwt = p384.assertion("c", "a", SystemTime::now()).unwrap();
        assert_eq!(parts(&jwt).0["alg"], "ES384");

        let rsa = ClientKey::from_pem(RSA_PKCS8).unwrap();
        assert_eq!(rsa.algorithm(), "RS256");
        let (header, _, signature, input) =
            parts(&rsa.assertion("c", "a", SystemTime::now()).unwrap());
        assert_eq!(header["alg"], "RS256");
        let Signer::Rsa(pair) = &rsa.signer else {
            panic!("not an RSA key")
        };
        UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, pair.public().as_ref())
            .verify(input.as_bytes(), &signature)
            .unwrap();
        // The same key as PKCS#1 (BEGIN RSA PRIVATE KEY) signs alike.
        let pkcs1 = ClientKey::from_pem(RSA_PKCS1).unwrap();
        assert_eq!(pkcs1.algorithm(), "RS256");
        let (_, _, signature, input) =
            parts(&pkcs1.assertion("c", "a", SystemTime::now()).unwrap());
        UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, pair.public().as_ref())
            .verify(input.as_bytes(), &signature)
            .unwrap();
    }

    #[test]
    fn unusable_keys_are_refused_without_showing_them() {
        assert_eq!(
            ClientKey::from_pem("s3cret-not-a-key").unwrap_err(),
            "it holds no PEM private key"
        );
        let ed25519 = pkcs8_pem(&rcgen::PKCS_ED25519);
        assert_eq!(
            ClientKey::from_pem(&ed25519).unwrap_err(),
            "its PKCS#8 key is neither EC P-256, EC P-384 nor RSA (2048 to 8192 bits)"
        );
        let sec1 = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIA==\n-----END EC PRIVATE KEY-----\n";
        assert!(ClientKey::from_pem(sec1)
            .unwrap_err()
            .starts_with("it holds a SEC1 EC key"));
    }

    #[test]
    fn a_key_is_parsed_once_per_prober_and_the_least_recently_used_goes_first() {
        let keys = ClientKeys::default();
        let first = pkcs8_pem(&rcgen::PKCS_ECDSA_P256_SHA256);
        let a = keys.get(&first).unwrap();
        // The same PEM text again: the key parsed before, not a new one.
        assert!(Arc::ptr_eq(&a, &keys.get(&first).unwrap()));
        // Another key is another entry.
        let rsa = keys.get(RSA_PKCS8).unwrap();
        assert_eq!(rsa.algorithm(), "RS256");
        assert!(!Arc::ptr_eq(&a, &rsa));
        // An unusable key is an error each time, and not kept.
        assert_eq!(
            keys.get("s3cret-not-a-key").unwrap_err(),
            "it holds no PEM private key"
        );
        assert_eq!(lock_len(&keys), 2);
        // Filling the cache drops the least recently used: RSA_PKCS8, since `first` was used
        // after it.
        assert!(Arc::ptr_eq(&a, &keys.get(&first).unwrap()));
        for _ in 0..ClientKeys::KEPT - 1 {
            keys.get(&pkcs8_pem(&rcgen::PKCS_ECDSA_P256_SHA256))
                .unwrap();
        }
        assert_eq!(lock_len(&keys), ClientKeys::KEPT);
        assert!(Arc::ptr_eq(&a, &keys.get(&first).unwrap()));
        assert!(!Arc::ptr_eq(&rsa, &keys.get(RSA_PKCS8).unwrap()));
        assert_eq!(lock_len(&keys), ClientKeys::KEPT);
    }

    fn lock_len(keys: &ClientKeys) -> usize {
        keys.parsed.lock().unwrap().len()
    }

    /// A 2048-bit RSA key made for this test (`openssl genpkey -algorithm RSA`), PKCS#8, and
    /// the same key as PKCS#1 (`openssl rsa -traditional`).
    const RSA_PKCS8: &str = include_str!("../../tests/data/rsa-2048-pkcs8.pem");
    const RSA_PKCS1: &str = include_str!("../../tests/data/rsa-2048-pkcs1.pem");
}
