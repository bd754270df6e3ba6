//! The client under test of the official MCP conformance suite (`conformance/run.sh`).
//!
//! The suite starts a test server for one client scenario, then runs this program with the
//! server's URL as the last argument and the scenario's name in `MCP_CONFORMANCE_SCENARIO`
//! (scenarios that need data, such as credentials, also get a JSON object in
//! `MCP_CONFORMANCE_CONTEXT`). The program maps the scenario to an mcp-probe [`Scenario`], runs
//! it, prints the report as JSON on stderr and exits 0 when the probe passed, 1 otherwise.
//!
//! ```sh
//! cargo build -p mcp-probe-cli --example conformance_client
//! MCP_CONFORMANCE_SCENARIO=tools_call target/debug/examples/conformance_client http://127.0.0.1:3000/mcp
//! ```

use std::process::ExitCode;

use mcp_probe_core::{OAuthSpec, Scenario};
use serde_json::{json, Value};

/// The environment variable naming the scenario.
const SCENARIO_VAR: &str = "MCP_CONFORMANCE_SCENARIO";
/// The environment variable carrying scenario data (JSON), when the scenario has any.
const CONTEXT_VAR: &str = "MCP_CONFORMANCE_CONTEXT";
/// Where this client puts a client secret from the context for the engine to read (the
/// engine reads secrets only from the environment or a file, never from the scenario).
const SECRET_VAR: &str = "MCP_CONFORMANCE_CLIENT_SECRET";

/// What the suite asked for: the scenario's name, the server's URL and its data.
struct Request {
    scenario: String,
    url: String,
    /// `MCP_CONFORMANCE_CONTEXT` parsed, or `Value::Null` when the suite sent none.
    context: Value,
}

/// The mcp-probe scenario for each conformance client scenario: one arm per scenario.
///
/// `None` for a scenario this client does not know (or whose context lacks what it needs).
fn scenario_for(request: &Request) -> Option<Scenario> {
    let probe = Scenario::for_url(&request.url);
    let scenario = match request.scenario.as_str() {
        // Handshake (then the default tool listing); the suite checks what `initialize` sends.
        "initialize" => probe,
        // The suite's server lists `add_numbers` and counts the call.
        "tools_call" => probe
            .call_tool("add_numbers", json!({"a": 2, "b": 3}))
            .expect_text("The sum of 2 and 3 is 5"),
        // The tool's answer comes only after the client resumes the closed SSE stream.
        "sse-retry" => probe
            .call_tool("test_reconnection", json!({}))
            .expect_text("Reconnection test completed successfully"),
        // OAuth client credentials with client_secret_basic: the token endpoint is discovered
        // from the 401 challenge and the metadata; the suite checks the token request and that
        // the MCP requests carry the token.
        "auth/client-credentials-basic" => {
            let text = |name: &str| request.context.get(name).and_then(Value::as_str);
            let (id, secret) = (text("client_id")?, text("client_secret")?);
            // Safe here: nothing else runs yet that could read the environment concurrently.
            std::env::set_var(SECRET_VAR, secret);
            probe.oauth(OAuthSpec::secret_from_env(id, SECRET_VAR))
        }
        _ => return None,
    };
    Some(scenario)
}

/// Reads the scenario, the URL (the last argument) and the context.
fn request_from_env() -> Result<Request, String> {
    let scenario = std::env::var(SCENARIO_VAR).map_err(|_| format!("{SCENARIO_VAR} is not set"))?;
    let url = std::env::args()
        .skip(1)
        .last()
        .ok_or("usage: conformance_client <server-url> (the URL comes last)")?;
    let context = match std::env::var(CONTEXT_VAR) {
        Ok(text) => serde_json::from_str(&text)
            .map_err(|e| format!("{CONTEXT_VAR} is not valid JSON: {e}"))?,
        Err(_) => Value::Null,
    };
    Ok(Request {
        scenario,
        url,
        context,
    })
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let request = match request_from_env() {
        Ok(request) => request,
        Err(message) => {
            eprintln!("conformance_client: {message}");
            return ExitCode::FAILURE;
        }
    };
    let Some(scenario) = scenario_for(&request) else {
        eprintln!(
            "conformance_client: unknown scenario {:?}; add it to scenario_for()",
            request.scenario
        );
        return ExitCode::FAILURE;
    };
    let report = match mcp_probe_core::check(&scenario).await {
        Ok(report) => report,
        Err(e) => {
            eprintln!("conformance_client: cannot run the probe: {e}");
            return ExitCode::FAILURE;
        }
    };
    eprintln!("{}", report.to_json_pretty());
    if report.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
