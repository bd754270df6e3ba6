//! Authorization: the check of a server's authorization set-up as a client without
//! credentials sees it, the discovery of its authorization server, and the OAuth grants a
//! monitor can run without a person (client credentials, with a secret or a private key; a
//! workload's JWT; the authorization-code flow with PKCE against servers that approve without
//! one; refresh tokens), with the token cache.

mod assertion;
mod authorization;
mod check;
mod checker;
mod code_flow;
mod credentials;
mod discovery;
mod pkce;
mod refresh;
mod registration;
mod token;
mod token_request;
mod well_known;

pub(crate) use assertion::ClientKeys;
pub(crate) use check::check_auth;
pub(crate) use credentials::Credentials;
pub(crate) use token::{token_refused, StepUp, TokenCache, TokenPhase, MAX_STEP_UPS};
pub(crate) use token_request::judge_answer;
