//! HTTP as a probe speaks it: a client per probe (TLS options, timed connections, recorded
//! certificates, a guarded resolver), the resolved target, what went wrong with an exchange,
//! what an unwanted answer means, sends within a deadline, bounded body reads, challenges,
//! and the step log.

pub(crate) mod answer;
pub(crate) mod body;
pub(crate) mod challenge;
pub(crate) mod classify;
pub(crate) mod client;
pub(crate) mod dns;
pub(crate) mod errors;
pub(crate) mod log;
pub(crate) mod send;
pub(crate) mod target;
pub(crate) mod timing;
pub(crate) mod tls;
