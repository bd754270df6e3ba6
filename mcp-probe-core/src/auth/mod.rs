//! Authorization: the check of a server's authorization set-up as a client without
//! credentials sees it, the discovery of its token endpoint, and OAuth client credentials
//! (the token request, the token cache) for monitoring protected servers.

mod check;
mod checker;
mod credentials;
mod discovery;
mod token;
mod token_request;
mod well_known;

pub(crate) use check::check_auth;
pub(crate) use credentials::Credentials;
pub(crate) use token::{token_refused, TokenCache, TokenPhase};
