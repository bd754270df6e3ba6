//! The checker behind the authorization check and token endpoint discovery: it records
//! findings, decides which URLs learnt from the server may be fetched, and fetches metadata
//! documents within the deadline, the size limit and the redirect limit.

use std::time::Duration;

use reqwest::header::{ACCEPT, LOCATION};
use reqwest::{RequestBuilder, Response, StatusCode};
use serde_json::{Map, Value};
use url::Url;

use crate::clock::Deadline;
use crate::http::body::{read_bounded, too_large, BodyError};
use crate::http::classify::classify_http_error;
use crate::http::dns::{AddressPolicy, AddressRefused};
use crate::http::errors::find_source;
use crate::http::send::{send_before, SendError};
use crate::model::{AuthCheck, AuthFinding, Failure, FailureCode, FindingStatus};
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
    /// Whether the server has no protected resource metadata at all (no `resource_metadata`
    /// in its challenge, nothing at the well-known URLs): a 2025-03-26 server.
    pub(super) no_resource_metadata: bool,
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
            no_resource_metadata: false,
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

    /// Sends a request within the deadline; counts it when it was sent.
    pub(super) async fn send(
        &mut self,
        rb: RequestBuilder,
        what: &str,
    ) -> Result<Response, Failure> {
        self.send_counted(rb)
            .await
            .map_err(|e| e.into_failure(&self.deadline, what))
    }

    /// [`Checker::send`] for a URL learnt from the server: `Err(Ok(why))` when its host
    /// resolved only to addresses the guard refuses.
    pub(super) async fn send_guarded(
        &mut self,
        rb: RequestBuilder,
        what: &str,
    ) -> Result<Response, Result<String, Failure>> {
        match self.send_counted(rb).await {
            Ok(resp) => Ok(resp),
            Err(SendError::Failed(e)) => match find_source::<AddressRefused>(&e) {
                Some(refused) => Err(Ok(refused.reason.clone())),
                None => Err(Err(classify_http_error(&e, what, &self.deadline))),
            },
            Err(e) => Err(Err(e.into_failure(&self.deadline, what))),
        }
    }

    /// Sends within the deadline, counting the request unless the deadline had passed.
    async fn send_counted(&mut self, rb: RequestBuilder) -> Result<Response, SendError> {
        let result = send_before(rb, &self.deadline).await;
        if !matches!(result, Err(SendError::Expired)) {
            self.requests = self.requests.saturating_add(1);
        }
        result
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
            let resp = self.get_document(&url, &what).await?;
            if resp.url() != &url {
                // A client that followed a redirect on its own: judge where it went.
                let landed = resp.url().clone();
                if !self.learn(&landed) {
                    return Err(FetchError::Refused);
                }
                url = landed;
            }
            if !resp.status().is_redirection() {
                return self.read_document(resp, &what).await;
            }
            redirects += 1;
            url = self.follow_redirect(&url, &resp, redirects)?;
        }
    }

    /// One GET of a metadata document from a URL learnt from the server.
    async fn get_document(&mut self, url: &Url, what: &str) -> Result<Response, FetchError> {
        let rb = self
            .metadata
            .get(url.clone())
            .header(ACCEPT, "application/json");
        match self.send_guarded(rb, what).await {
            Ok(resp) => Ok(resp),
            Err(Ok(refused)) => {
                self.refuse(url, &refused);
                Err(FetchError::Refused)
            }
            Err(Err(failure)) => Err(FetchError::Failed(failure)),
        }
    }

    /// Where the `redirects`-th redirect of a fetch leads, when it may be followed.
    fn follow_redirect(
        &mut self,
        url: &Url,
        resp: &Response,
        redirects: u32,
    ) -> Result<Url, FetchError> {
        let status = resp.status();
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
        if redirects > MAX_REDIRECTS {
            return Err(FetchError::TooManyRedirects);
        }
        let mut next = match url.join(location) {
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
        strip_credentials(&mut next);
        Ok(next)
    }

    /// The JSON object a metadata answer that is no redirect carries.
    async fn read_document(
        &self,
        resp: Response,
        what: &str,
    ) -> Result<Map<String, Value>, FetchError> {
        let status = resp.status();
        if status != StatusCode::OK {
            return Err(FetchError::Status(status.as_u16()));
        }
        let body = read_bounded(resp, &self.deadline, MAX_METADATA_BYTES, what)
            .await
            .map_err(|e| {
                FetchError::Failed(match e {
                    BodyError::TooLarge { .. } => {
                        too_large(what, "metadata document", MAX_METADATA_BYTES)
                    }
                    BodyError::Failed { failure, .. } => failure,
                })
            })?;
        match serde_json::from_slice::<Value>(&body) {
            Ok(Value::Object(doc)) => Ok(doc),
            Ok(other) => Err(FetchError::NotJson(format!(
                "a JSON {} instead of an object",
                crate::text::kind(&other)
            ))),
            Err(_) => Err(FetchError::NotJson(format!(
                "not JSON: {}",
                crate::text::snippet(&body, 80)
            ))),
        }
    }
}
