//! The checker behind the authorization check and token endpoint discovery: it records
//! findings, decides which URLs learnt from the server may be fetched, and fetches metadata
//! documents within the deadline, the size limit and the redirect limit.

use std::time::Duration;

use reqwest::header::{ACCEPT, LOCATION};
use reqwest::{RequestBuilder, Response, StatusCode};
use serde_json::{Map, Value};
use tokio::time::timeout_at;
use url::Url;

use crate::clock::Deadline;
use crate::http::body::too_large;
use crate::http::classify::classify_http_error;
use crate::http::dns::{AddressPolicy, AddressRefused};
use crate::http::errors::find_source;
use crate::model::{AuthCheck, AuthFinding, Failure, FailureCode, FindingStatus, TimeoutPhase};
use crate::urls::shown_text;
use crate::urls::{redact_url, strip_credentials, unsafe_reason};

/// Largest metadata document read.
pub(super) const MAX_METADATA_BYTES: u64 = 256 * 1024;

/// Most redirects followed for one metadata document.
pub(super) const MAX_REDIRECTS: u32 = 3;

/// Longest spent ending a session an unprotected server handed out.
pub(super) const CLEANUP_BUDGET: Duration = Duration::from_secs(2);

/// Why a metadata document could not be had.
pub(super) enum FetchError {
    /// A URL broke the https rule; already reported as `metadata_url_safe`.
    Refused,
    /// Answered with a status other than 200.
    Status(u16),
    /// More than [`MAX_REDIRECTS`] redirects.
    TooManyRedirects,
    /// A redirect without a usable `Location`.
    BadRedirect(String),
    /// The exchange failed (connection, timeout, size); the failure says how.
    Failed(Failure),
    /// The body is not a JSON object.
    NotJson(String),
}

impl FetchError {
    pub(super) fn describe(&self) -> String {
        match self {
            FetchError::Refused => "refused (not https)".to_owned(),
            FetchError::Status(code) => format!("HTTP {code}"),
            FetchError::TooManyRedirects => format!("more than {MAX_REDIRECTS} redirects"),
            FetchError::BadRedirect(why) => why.clone(),
            FetchError::Failed(f) => format!("{} ({})", f.message, f.code.as_str()),
            FetchError::NotJson(why) => why.clone(),
        }
    }

    pub(super) fn cause(&self) -> Option<FailureCode> {
        match self {
            FetchError::Failed(f) => Some(f.code),
            _ => None,
        }
    }
}

pub(super) struct Checker<'a> {
    /// The probe's client, for the target itself.
    pub(super) client: &'a reqwest::Client,
    /// A client that connects only where `guard` allows, for URLs learnt from the server.
    pub(super) metadata: &'a reqwest::Client,
    pub(super) guard: AddressPolicy,
    pub(super) deadline: Deadline,
    pub(super) findings: Vec<AuthFinding>,
    pub(super) failure: Option<Failure>,
    pub(super) requests: u32,
    /// URLs learnt from the server (metadata URL, authorization server, redirect targets).
    pub(super) learnt: u32,
    /// Whether one of them broke the https rule.
    pub(super) refused: bool,
}

impl<'a> Checker<'a> {
    /// A checker that has looked at nothing yet.
    pub(super) fn new(
        client: &'a reqwest::Client,
        metadata: &'a reqwest::Client,
        guard: AddressPolicy,
        deadline: Deadline,
    ) -> Self {
        Checker {
            client,
            metadata,
            guard,
            deadline,
            findings: Vec::new(),
            failure: None,
            requests: 0,
            learnt: 0,
            refused: false,
        }
    }

    pub(super) fn record(
        &mut self,
        check: AuthCheck,
        status: FindingStatus,
        message: String,
        url: Option<&Url>,
        cause: Option<FailureCode>,
    ) {
        let shown = url.map(redact_url);
        if status == FindingStatus::Fail && self.failure.is_none() {
            let mut failure =
                Failure::new(FailureCode::AuthCheck, message.clone()).with_check(check);
            if let Some(shown) = &shown {
                failure = failure.with("url", shown.clone());
            }
            if let Some(cause) = cause {
                failure = failure.with("cause", cause.as_str());
            }
            self.failure = Some(failure);
        }
        self.findings.push(AuthFinding {
            check,
            status,
            message,
            url: shown,
        });
    }

    pub(super) fn pass(&mut self, check: AuthCheck, message: String, url: Option<&Url>) {
        self.record(check, FindingStatus::Pass, message, url, None);
    }

    pub(super) fn warn(&mut self, check: AuthCheck, message: String, url: Option<&Url>) {
        self.record(check, FindingStatus::Warn, message, url, None);
    }

    pub(super) fn fail(&mut self, check: AuthCheck, message: String, url: Option<&Url>) {
        self.record(check, FindingStatus::Fail, message, url, None);
    }

    /// Counts a URL learnt from the server; `false` (and a `metadata_url_safe` failure) when
    /// it must not be fetched.
    pub(super) fn learn(&mut self, url: &Url) -> bool {
        self.learnt = self.learnt.saturating_add(1);
        let Some(why) = self.guard.url_refusal(url).or_else(|| unsafe_reason(url)) else {
            return true;
        };
        self.refuse(url, &why);
        false
    }

    /// Records that a URL learnt from the server was not fetched, and why.
    pub(super) fn refuse(&mut self, url: &Url, why: &str) {
        self.refused = true;
        self.fail(
            AuthCheck::MetadataUrlSafe,
            format!(
                "refused to fetch {}: {why}; URLs learnt from the server must be https \
                 (loopback hosts excepted) and lead only where the target is (never to \
                 link-local addresses; to private or loopback ones only from a target there)",
                redact_url(url)
            ),
            Some(url),
        );
    }

    pub(super) async fn send(
        &mut self,
        rb: RequestBuilder,
        what: &str,
    ) -> Result<Response, Failure> {
        if self.deadline.passed() {
            return Err(self.deadline.timeout(TimeoutPhase::Headers, what));
        }
        self.requests = self.requests.saturating_add(1);
        match timeout_at(self.deadline.at, rb.send()).await {
            Err(_) => Err(self.deadline.timeout(TimeoutPhase::Headers, what)),
            Ok(Err(e)) => Err(classify_http_error(&e, what, &self.deadline)),
            Ok(Ok(resp)) => Ok(resp),
        }
    }

    /// [`Checker::send`] for a URL learnt from the server: `Err(Ok(why))` when its host
    /// resolved only to addresses the guard refuses.
    pub(super) async fn send_guarded(
        &mut self,
        rb: RequestBuilder,
        what: &str,
    ) -> Result<Response, Result<String, Failure>> {
        if self.deadline.passed() {
            return Err(Err(self.deadline.timeout(TimeoutPhase::Headers, what)));
        }
        self.requests = self.requests.saturating_add(1);
        match timeout_at(self.deadline.at, rb.send()).await {
            Err(_) => Err(Err(self.deadline.timeout(TimeoutPhase::Headers, what))),
            Ok(Err(e)) => match find_source::<AddressRefused>(&e) {
                Some(refused) => Err(Ok(refused.reason.clone())),
                None => Err(Err(classify_http_error(&e, what, &self.deadline))),
            },
            Ok(Ok(resp)) => Ok(resp),
        }
    }

    /// GETs a JSON object, following at most [`MAX_REDIRECTS`] redirects, each checked
    /// against the https rule.
    pub(super) async fn fetch_json(
        &mut self,
        start: Url,
    ) -> Result<Map<String, Value>, FetchError> {
        let mut url = start;
        strip_credentials(&mut url);
        let mut redirects = 0;
        loop {
            let what = format!("GET {}", redact_url(&url));
            let rb = self
                .metadata
                .get(url.clone())
                .header(ACCEPT, "application/json");
            let resp = match self.send_guarded(rb, &what).await {
                Ok(resp) => resp,
                Err(Ok(refused)) => {
                    self.refuse(&url, &refused);
                    return Err(FetchError::Refused);
                }
                Err(Err(failure)) => return Err(FetchError::Failed(failure)),
            };
            if resp.url() != &url {
                // A client that followed a redirect on its own: judge where it went.
                let landed = resp.url().clone();
                if !self.learn(&landed) {
                    return Err(FetchError::Refused);
                }
                url = landed;
            }
            let status = resp.status();
            if status.is_redirection() {
                let Some(location) = resp
                    .headers()
                    .get(LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .map(str::trim)
                else {
                    return Err(FetchError::BadRedirect(format!(
                        "HTTP {} without a Location",
                        status.as_u16()
                    )));
                };
                redirects += 1;
                if redirects > MAX_REDIRECTS {
                    return Err(FetchError::TooManyRedirects);
                }
                let next = match url.join(location) {
                    Ok(next) if matches!(next.scheme(), "http" | "https") => next,
                    _ => {
                        return Err(FetchError::BadRedirect(format!(
                            "HTTP {} to an unusable Location {}",
                            status.as_u16(),
                            shown_text(location)
                        )))
                    }
                };
                if !self.learn(&next) {
                    return Err(FetchError::Refused);
                }
                url = next;
                strip_credentials(&mut url);
                continue;
            }
            if status != StatusCode::OK {
                return Err(FetchError::Status(status.as_u16()));
            }
            let body = self
                .read_body(resp, &what)
                .await
                .map_err(FetchError::Failed)?;
            return match serde_json::from_slice::<Value>(&body) {
                Ok(Value::Object(doc)) => Ok(doc),
                Ok(other) => Err(FetchError::NotJson(format!(
                    "a JSON {} instead of an object",
                    crate::text::kind(&other)
                ))),
                Err(_) => Err(FetchError::NotJson(format!(
                    "not JSON: {}",
                    crate::text::snippet(&body, 80)
                ))),
            };
        }
    }

    /// Reads a whole body within the deadline and [`MAX_METADATA_BYTES`].
    pub(super) async fn read_body(
        &self,
        mut resp: Response,
        what: &str,
    ) -> Result<Vec<u8>, Failure> {
        if resp
            .content_length()
            .is_some_and(|len| len > MAX_METADATA_BYTES)
        {
            return Err(too_large(what, "metadata document", MAX_METADATA_BYTES));
        }
        let mut buf = Vec::new();
        loop {
            match timeout_at(self.deadline.at, resp.chunk()).await {
                Err(_) => return Err(self.deadline.timeout(TimeoutPhase::Body, what)),
                Ok(Err(e)) => return Err(classify_http_error(&e, what, &self.deadline)),
                Ok(Ok(None)) => return Ok(buf),
                Ok(Ok(Some(chunk))) => {
                    if (buf.len() + chunk.len()) as u64 > MAX_METADATA_BYTES {
                        return Err(too_large(what, "metadata document", MAX_METADATA_BYTES));
                    }
                    buf.extend_from_slice(&chunk);
                }
            }
        }
    }
}
