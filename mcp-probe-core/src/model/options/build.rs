//! Applying checked options to a scenario, concern by concern, in the order the command line
//! always has.

use serde_json::Value;

use super::{CheckOptions, OptionsError};
use crate::model::oauth::{OAuthFlow, OAuthSpec};
use crate::model::scenario::{CommandSpec, Scenario};
use crate::model::steps::{CheckAuthStep, Step};

impl CheckOptions {
    /// Applies every option to `s` (after [`CheckOptions::check_rules`]), in the order the
    /// command line always has, and validates the result.
    pub(super) fn build(
        mut self,
        s: Scenario,
        from_document: bool,
    ) -> Result<Scenario, OptionsError> {
        let has_credentials = self.has_credentials();
        let has_tool = self.tool.is_some() || self.expect_surface.is_some();
        let s = self.build_target(s);
        let s = self.build_auth(s)?;
        let s = self.build_tls(s);
        let s = self.build_limits(s);
        let s = self.build_steps(s, has_credentials || has_tool || from_document);
        s.validate()?;
        Ok(s)
    }

    /// The server (a command or a URL), the transport and the protocol era.
    fn build_target(&mut self, mut s: Scenario) -> Scenario {
        if let Some(argv) = self.command.take() {
            let mut argv = argv.into_iter();
            let program = argv.next().unwrap_or_default();
            let mut command = CommandSpec::new(program, argv);
            command.env = self.env.take().unwrap_or_default();
            command.cwd = self.cwd.take();
            s = s.stdio_command(command);
        } else if let Some(url) = self.url.take() {
            s = s.url(url);
        }
        if let Some(t) = self.transport {
            s = s.transport(t);
        }
        if let Some(p) = self.protocol {
            s = s.protocol(p);
        }
        s
    }

    /// Headers, a bearer token and OAuth client credentials.
    fn build_auth(&mut self, mut s: Scenario) -> Result<Scenario, OptionsError> {
        for (name, value) in self.headers.take().into_iter().flatten() {
            s = s.header(name, value);
        }
        if let Some(var) = self.bearer_env.take() {
            s = s.bearer_env(var);
        }
        if let Some(path) = self.bearer_file.take() {
            s = s.bearer_file(path);
        }
        if self.oauth_flow == Some(OAuthFlow::AuthorizationCode) {
            s = s.oauth(self.authorization_code_spec());
        } else if let Some(id) = self.oauth_client_id.take() {
            s = s.oauth(self.oauth_spec(id)?);
        }
        Ok(s)
    }

    /// The OAuth client credentials of client `id`.
    fn oauth_spec(&mut self, id: String) -> Result<OAuthSpec, OptionsError> {
        let secret = (
            self.oauth_client_secret_env.take(),
            self.oauth_client_secret_file.take(),
        );
        let mut oauth = match secret {
            (Some(var), _) => OAuthSpec::secret_from_env(id, var),
            (None, Some(path)) => OAuthSpec::secret_from_file(id, path),
            // `check_rules` refused this.
            (None, None) => return Err(OptionsError::new("oauthClientId", "no secret")),
        };
        if let Some(flow) = self.oauth_flow {
            oauth.flow = flow;
        }
        if let Some(method) = self.oauth_method {
            oauth = oauth.method(method);
        }
        if let Some(scope) = self.oauth_scope.take() {
            oauth = oauth.scope(scope);
        }
        if let Some(url) = self.oauth_token_url.take() {
            oauth = oauth.token_url(url);
        }
        Ok(oauth)
    }

    /// The authorization-code flow's settings.
    fn authorization_code_spec(&mut self) -> OAuthSpec {
        let mut oauth = OAuthSpec::authorization_code();
        oauth.client_id = self.oauth_client_id.take().unwrap_or_default();
        oauth.client_secret_env = self.oauth_client_secret_env.take();
        oauth.client_secret_file = self.oauth_client_secret_file.take();
        if let Some(method) = self.oauth_method {
            oauth = oauth.method(method);
        }
        oauth.scope = self.oauth_scope.take();
        oauth.client_metadata_url = self.oauth_client_metadata_url.take();
        oauth.redirect_uri = self.oauth_redirect_uri.take();
        oauth.refresh_token_env = self.oauth_refresh_token_env.take();
        oauth.refresh_token_file = self.oauth_refresh_token_file.take();
        oauth
    }

    /// Trusted CAs, the client certificate, certificate checks and redirects.
    fn build_tls(&mut self, mut s: Scenario) -> Scenario {
        if let Some(path) = self.ca_cert.take() {
            s = s.ca_cert(path);
        }
        if let (Some(cert), Some(key)) = (self.client_cert.take(), self.client_key.take()) {
            s = s.client_cert(cert, key);
        }
        if self.insecure == Some(true) {
            s = s.insecure(true);
        }
        if let Some(days) = self.cert_warn_days {
            s = s.cert_warn_days(days);
        }
        if let Some(days) = self.cert_fail_days {
            s = s.cert_fail_days(days);
        }
        if let Some(mode) = self.follow_redirects {
            s = s.follow_redirects(mode);
        }
        s
    }

    /// Timeouts, sizes, pages and the protocol version.
    fn build_limits(&mut self, mut s: Scenario) -> Scenario {
        if let Some(d) = self.timeout {
            s = s.timeout(d);
        }
        if let Some(d) = self.connect_timeout {
            s = s.connect_timeout(d);
        }
        if let Some(d) = self.request_timeout {
            s = s.request_timeout(d);
        }
        if let Some(d) = self.wait_until_ready {
            s = s.wait_until_ready(d);
        }
        if let Some(n) = self.max_body_bytes {
            s = s.max_body_bytes(n);
        }
        if let Some(n) = self.max_sse_event_bytes {
            s = s.max_sse_event_bytes(n);
        }
        if let Some(n) = self.max_pages {
            s = s.max_pages(n);
        }
        if let Some(v) = self.protocol_version.take() {
            s = s.protocol_version(v);
        }
        if self.matrix == Some(true) {
            s = s.matrix(true);
        }
        s
    }

    /// The tool call and the auth check; `more_to_do` when credentials, a tool or a scenario
    /// give the probe something to do after the auth check.
    fn build_steps(&mut self, mut s: Scenario, more_to_do: bool) -> Scenario {
        if let Some(tool) = self.tool.take() {
            let arguments = self.arguments.take().unwrap_or_default();
            s = s.call_tool(tool, Value::Object(arguments));
            if let Some(t) = self.expect_text.take() {
                s = s.expect_text(t);
            }
            if let Some(t) = self.expect_contains.take() {
                s = s.expect_contains(t);
            }
            if self.allow_tool_error == Some(true) {
                s = s.allow_tool_error();
            }
        }
        if let Some(path) = self.expect_surface.take() {
            s = s.expect_surface(path);
        }
        if self.strict_schemas == Some(true) {
            s = s.strict_schemas(true);
        }
        if self.check_auth == Some(true) {
            // Without credentials, a tool or a scenario there is nothing to do after the auth
            // check (the server would answer 401), so it is the only step.
            if more_to_do {
                s = s.check_auth();
            } else {
                s.steps = vec![Step::CheckAuth(CheckAuthStep::default())];
            }
        }
        s
    }
}
