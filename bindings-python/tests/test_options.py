"""The options `mcp-probe check` has beyond the basics: stdio, transport, check_auth, TLS,
redirects, OAuth client credentials. Same builder calls and same usage errors as the CLI."""

from __future__ import annotations

import asyncio
import inspect
import re
from pathlib import Path
from typing import Any, Dict

import pytest

import mcp_probe
from mcp_probe import ConfigError, Scenario, ScenarioError, _api

URL = "http://127.0.0.1:8000/mcp"


# --- stdio -------------------------------------------------------------------------------------


def test_stdio_check_of_the_healthy_fixture(stdio_fixture_bin):
    report = mcp_probe.check(command=[str(stdio_fixture_bin), "healthy"], tool="add", arguments={"a": 2, "b": 3},
                             expect_text="5")
    assert report.ok, report
    assert report.transport == "stdio"
    assert report.target == f"stdio:{stdio_fixture_bin} (1 argument)"
    assert [s.name for s in report.steps] == ["handshake", "tools/list", "tools/call"]
    assert report.server is not None and report.server.name == "mcp-probe-stdio-fixture"
    assert report.stderr is not None and "starting (mode healthy)" in report.stderr
    assert report.session.closed == "exited (code 0)"
    assert report.tls is None and report.auth is None


def test_stdio_env_and_cwd_reach_the_server(stdio_fixture_bin, tmp_path):
    report = mcp_probe.check(
        command=(stdio_fixture_bin, "healthy"),  # a tuple, and an os.PathLike program
        env={"MCP_PROBE_FIXTURE_TITLE": "from the test"},
        cwd=tmp_path,
        transport="stdio",
    )
    assert report.ok, report
    # The fixture takes its title from the variable: it arrived, and as an env value it is a
    # secret, blanked out of the report.
    assert report.server is not None and report.server.title == "<redacted>"
    assert "from the test" not in str(report.to_dict())
    missing = mcp_probe.check(command=[str(stdio_fixture_bin), "healthy"], cwd=tmp_path / "missing")
    assert not missing.ok and missing.failure is not None
    assert missing.failure.code == "connect" and "working directory" in missing.failure.message


def test_stdio_check_async_and_scenario(stdio_fixture_bin):
    scenario = Scenario(command=[str(stdio_fixture_bin), "healthy"], tool="echo", arguments={"text": "hi"},
                        expect_text="hi")
    report = asyncio.run(mcp_probe.check_async(scenario=scenario))
    assert report.ok and report.transport == "stdio", report
    assert scenario.check().ok
    assert scenario.url is None
    assert repr(scenario) == (
        f"Scenario(command={str(stdio_fixture_bin)!r}, steps=['handshake', 'listTools', 'callTool echo'])"
    )


def test_a_failing_stdio_server_is_a_report(stdio_fixture_bin):
    report = mcp_probe.check(command=[str(stdio_fixture_bin), "exit_early"], timeout=5)
    assert report.ok is False and report.failure is not None
    assert report.stderr is not None and "configuration missing" in report.stderr


def test_stdio_document_shape(tmp_path):
    doc = Scenario(command=["python3", "server.py", "--quiet"], env={"B": "2", "A": "1"}, cwd=tmp_path).to_dict()
    assert doc["target"] == {
        "transport": "stdio",
        "command": {"program": "python3", "args": ["server.py", "--quiet"], "env": {"A": "1", "B": "2"},
                    "cwd": str(tmp_path)},
    }


def test_command_replaces_the_target_of_a_scenario_like_the_cli():
    base = Scenario(URL, headers={"X-A": "b"}, tool="add")
    doc = Scenario(scenario=base, command=["srv"]).to_dict()
    assert doc["target"]["command"] == {"program": "srv"} and "url" not in doc["target"]
    assert doc["target"]["transport"] == "stdio"


# --- transport, check_auth, OAuth --------------------------------------------------------------


def test_legacy_sse_transport(fixture):
    report = mcp_probe.check(fixture.sse_url("legacy"), transport="sse", tool="add", arguments={"a": 2, "b": 3},
                             expect_text="5")
    assert report.ok, report
    assert report.transport == "sse"
    assert report.session.closed == "closed"


def test_streamable_http_only_does_not_fall_back(fixture):
    report = mcp_probe.check(fixture.sse_url("legacy"), transport="streamable-http", timeout=5)
    assert report.ok is False and report.transport == "streamable-http"


def test_check_auth_alone(fixture):
    report = mcp_probe.check(fixture.url("auth_ok"), check_auth=True)
    assert report.ok, report
    assert [s.name for s in report.steps] == ["auth"]
    findings = report.steps[0].auth_findings
    assert findings, report
    assert all(f.status == "pass" for f in findings), findings
    assert "pkce_s256" in [f.check for f in findings]


def test_check_auth_runs_first_with_a_tool(fixture, monkeypatch):
    monkeypatch.setenv("MCP_PROBE_TEST_TOKEN", "any-token")
    report = mcp_probe.check(fixture.url("auth_ok"), check_auth=True, tool="add", arguments={"a": 1, "b": 1},
                             bearer_env="MCP_PROBE_TEST_TOKEN")
    assert report.ok, report
    assert [s.name for s in report.steps] == ["auth", "handshake", "tools/list", "tools/call"]


def test_check_auth_finds_a_broken_set_up(fixture):
    report = mcp_probe.check(fixture.url("auth_no_s256"), check_auth=True)
    assert report.ok is False and report.failure is not None
    assert report.failure.code == "auth_check" and report.failure.step == "auth"
    findings = report.steps[0].auth_findings or ()
    assert [f.check for f in findings if f.status == "fail"] == ["pkce_s256"]


def test_expect_surface_fails_on_a_breaking_change(fixture, tmp_path):
    snapshot = tmp_path / "surface.json"
    snapshot.write_text('{"snapshotVersion": 1, "tools": [{"name": "refund"}]}')
    report = mcp_probe.check(fixture.url("json"), expect_surface=snapshot)
    assert not report.ok and report.failure is not None
    assert report.failure.code == "surface_changed"
    assert report.failure.message == (
        'the surface changed in a breaking way: tools.refund: tool "refund" was removed '
        "(1 breaking change, 4 in all)"
    )
    assert report.surface_hash is not None and re.fullmatch(r"sha256:[0-9a-f]{64}", report.surface_hash)
    assert Scenario(URL, expect_surface=snapshot).to_dict()["expectSurface"] == str(snapshot)


def test_check_auth_document_shape():
    assert Scenario(URL, check_auth=True).to_dict()["steps"] == [{"step": "checkAuth"}]
    steps = Scenario(URL, check_auth=True, headers={"authorization": "Bearer t"}, tool="add").to_dict()["steps"]
    assert [s["step"] for s in steps] == ["checkAuth", "handshake", "listTools", "callTool"]


@pytest.mark.parametrize("method", ["basic", "post"])
def test_oauth_client_credentials(fixture, monkeypatch, method):
    monkeypatch.setenv("MCP_PROBE_TEST_SECRET", "fixture-secret")
    report = mcp_probe.check(fixture.url("auth_client_credentials"), oauth_client_id="fixture-client",
                             oauth_client_secret_env="MCP_PROBE_TEST_SECRET", oauth_method=method,
                             oauth_scope="mcp:read", tool="add", arguments={"a": 2, "b": 3}, expect_text="5")
    assert report.ok, report
    assert report.auth is not None and report.auth.method == "client_credentials"
    assert "fixture-secret" not in report.to_json() and "fixture-access-token" not in report.to_json()


def test_oauth_private_key_jwt(fixture, monkeypatch):
    # The fixture's authorization server trusts this test key (mcp-probe-testkit).
    key = Path(__file__).resolve().parents[2] / "mcp-probe-testkit" / "src" / "fixture-client-key.pem"
    monkeypatch.setenv("MCP_PROBE_TEST_KEY", key.read_text())
    report = mcp_probe.check(fixture.url("auth_client_credentials"), oauth_client_id="fixture-client",
                             oauth_client_secret_env="MCP_PROBE_TEST_KEY", oauth_method="private-key-jwt",
                             tool="add", arguments={"a": 2, "b": 3}, expect_text="5")
    assert report.ok, report
    assert report.auth is not None and report.auth.method == "client_credentials"
    assert "PRIVATE KEY" not in report.to_json()
    monkeypatch.setenv("MCP_PROBE_TEST_KEY", "not a key")
    with pytest.raises(ConfigError, match="cannot be used: it holds no PEM private key") as raised:
        mcp_probe.check(fixture.url("auth_client_credentials"), oauth_client_id="fixture-client",
                        oauth_client_secret_env="MCP_PROBE_TEST_KEY", oauth_method="private-key-jwt")
    assert raised.value.code == "credential"


def test_oauth_jwt_bearer(fixture, tmp_path):
    doc = Scenario(URL, oauth_flow="jwt-bearer", oauth_client_id="c", oauth_client_secret_file=tmp_path / "jwt").to_dict()
    assert doc["target"]["oauth"] == {"flow": "jwt-bearer", "clientId": "c", "clientSecretFile": str(tmp_path / "jwt")}
    # A JWT the fixture's authorization server did not sign: refused with invalid_grant.
    jwt = tmp_path / "jwt"
    jwt.write_text("eyJhbGciOiJFUzI1NiJ9.eyJhdWQiOiJ4In0.c2lnbmF0dXJl\n")
    report = mcp_probe.check(fixture.url("auth_client_credentials"), oauth_flow="jwt-bearer",
                             oauth_client_id="fixture-client", oauth_client_secret_file=jwt)
    assert report.ok is False and report.failure is not None and report.failure.code == "auth_token"
    assert report.failure.details["oauthError"] == "invalid_grant"
    assert report.auth is not None and report.auth.method == "jwt_bearer"
    assert "c2lnbmF0dXJl" not in report.to_json()


def test_oauth_secret_file_and_token_url(fixture, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("fixture-secret\n")
    token_url = f"http://127.0.0.1:{fixture.port}/as/auth_client_credentials/token"
    report = mcp_probe.check(fixture.url("auth_client_credentials"), oauth_client_id="fixture-client",
                             oauth_client_secret_file=secret, oauth_token_url=token_url)
    assert report.ok, report
    assert report.auth is not None and report.auth.token_endpoint == token_url
    assert report.auth.requests == 1  # no discovery


def test_oauth_with_a_wrong_secret_is_a_report(fixture, monkeypatch):
    monkeypatch.setenv("MCP_PROBE_TEST_SECRET", "wrong")
    report = mcp_probe.check(fixture.url("auth_client_credentials"), oauth_client_id="fixture-client",
                             oauth_client_secret_env="MCP_PROBE_TEST_SECRET")
    assert report.ok is False and report.failure is not None and report.failure.code == "auth_token"


def test_oauth_document_shape(tmp_path):
    doc = Scenario(URL, oauth_client_id="c", oauth_client_secret_file=tmp_path / "s", oauth_method="post",
                   oauth_scope="mcp:read", oauth_token_url="https://as.example/token").to_dict()
    assert doc["target"]["oauth"] == {"clientId": "c", "clientSecretFile": str(tmp_path / "s"), "method": "post",
                                      "scope": "mcp:read", "tokenUrl": "https://as.example/token"}
    doc = Scenario(URL, oauth_client_id="c", oauth_client_secret_env="S", oauth_method="basic").to_dict()
    assert doc["target"]["oauth"] == {"clientId": "c", "clientSecretEnv": "S"}


# --- TLS and redirects -------------------------------------------------------------------------


def test_tls_and_redirect_document_shape(tmp_path):
    doc = Scenario("https://127.0.0.1:8443/mcp", ca_cert=tmp_path / "ca.pem", client_cert="c.pem", client_key="k.pem",
                   insecure=True, cert_warn_days=0, cert_fail_days=7, follow_redirects="same-origin").to_dict()
    assert doc["target"]["tls"] == {"caCert": str(tmp_path / "ca.pem"), "clientCert": "c.pem", "clientKey": "k.pem",
                                    "insecure": True, "certWarnDays": 0, "certFailDays": 7}
    assert doc["target"]["followRedirects"] == "same-origin"
    defaults = Scenario(URL, insecure=False, follow_redirects="none").to_dict()
    assert defaults["target"] == {"url": URL}


def test_tls_files_are_read_when_checking(tmp_path):
    with pytest.raises(ConfigError) as info:
        mcp_probe.check("https://127.0.0.1:1/mcp", ca_cert=tmp_path / "missing.pem")
    assert info.value.code == "setup" and "missing.pem" in str(info.value)


def test_insecure_over_plain_http_changes_nothing(fixture):
    report = mcp_probe.check(fixture.url(), insecure=True, cert_warn_days=30, follow_redirects="same-origin")
    assert report.ok and report.tls is None, report


# --- caller mistakes ---------------------------------------------------------------------------

OAUTH: Dict[str, Any] = {"oauth_client_id": "c", "oauth_client_secret_env": "S"}


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        # The CLI's argument parser: conflicts and requirements.
        ({"url": URL, "command": ["srv"]}, "either `url` or `command`"),
        ({"url": URL, "env": {"A": "1"}}, "`env` needs `command`"),
        ({"url": URL, "cwd": "."}, "`cwd` needs `command`"),
        ({"url": URL, "bearer_env": "T", **OAUTH}, "bearer token (`bearer_env`) or OAuth"),
        ({"url": URL, "bearer_file": "t", **OAUTH}, "bearer token (`bearer_file`) or OAuth"),
        ({"url": URL, "bearer_env": "T", "bearer_file": "t"}, "either `bearer_env` or `bearer_file`"),
        ({"url": URL, "oauth_client_secret_env": "S"}, "`oauth_client_secret_env` needs `oauth_client_id`"),
        ({"url": URL, "oauth_method": "post"}, "`oauth_method` needs `oauth_client_id`"),
        ({"url": URL, "oauth_scope": "s"}, "`oauth_scope` needs `oauth_client_id`"),
        ({"url": URL, "oauth_token_url": "https://x/t"}, "`oauth_token_url` needs `oauth_client_id`"),
        ({"url": URL, **OAUTH, "oauth_client_secret_file": "s"}, "not both"),
        # An Authorization header is a credential too (as in Node and on the command line).
        ({"url": URL, "headers": {"Authorization": "Bearer t"}, **OAUTH}, "`Authorization` header"),
        ({"url": URL, "oauth_client_id": "c"}, "needs `oauth_client_secret_env` or `oauth_client_secret_file`"),
        ({"url": URL, "client_cert": "c.pem"}, "`client_cert` needs `client_key`"),
        ({"url": URL, "client_key": "k.pem"}, "`client_key` needs `client_cert`"),
        # The CLI's own usage errors.
        ({"command": []}, "`command` needs the server's program"),
        ({"command": ["srv"], "insecure": True}, "apply to HTTP targets"),
        ({"command": ["srv"], "follow_redirects": "none"}, "apply to HTTP targets"),
        ({"command": ["srv"], "cert_warn_days": 3}, "apply to HTTP targets"),
        ({"command": ["srv"], "headers": {"X-A": "b"}}, "apply to HTTP targets"),
        ({"command": ["srv"], "bearer_env": "T"}, "apply to HTTP targets"),
        ({"command": ["srv"], **OAUTH}, "apply to HTTP targets"),
        ({"command": ["srv"], "env": {"": "1"}}, "empty variable name"),
        ({"command": ["srv"], "env": {"A=B": "1"}}, "cannot contain"),
        # Values the CLI's parser would not accept.
        ({"url": URL, "transport": "websocket"}, "`transport` must be"),
        ({"url": URL, "follow_redirects": "all"}, "`follow_redirects` must be"),
        ({"url": URL, **OAUTH, "oauth_method": "client_secret_post"}, "`oauth_method` must be"),
        # Python types.
        ({"command": "python server.py"}, "`command` must be a list of str"),
        ({"command": ["python", 3]}, "`command` items must be str"),
        ({"command": ["srv"], "env": {"A": 1}}, "`env` must map str to str"),
        ({"command": ["srv"], "env": ["A=1"]}, "`env` must be a dict"),
        ({"command": ["srv"], "cwd": 3}, "`cwd` must be a path"),
        ({"url": URL, "check_auth": 1}, "`check_auth` must be a bool"),
        ({"url": URL, "insecure": "yes"}, "`insecure` must be a bool"),
        ({"url": URL, "cert_warn_days": -1}, "between 0 and"),
        ({"url": URL, "cert_fail_days": 2**32}, "between 0 and"),
        ({"url": URL, "cert_fail_days": 1.5}, "must be an int"),
        ({"url": URL, "ca_cert": 3}, "`ca_cert` must be a path"),
        ({"url": URL, "transport": 3}, "`transport` must be a str"),
    ],
)
def test_misuse_is_a_config_error_with_invalid_option(options, fragment):
    for build in (mcp_probe.check, Scenario):
        with pytest.raises(ConfigError) as info:
            build(**options)
        assert info.value.code == "invalid_option", info.value
        assert fragment in str(info.value)


def test_misuse_raises_from_check_async_too():
    with pytest.raises(ConfigError) as info:
        asyncio.run(mcp_probe.check_async(URL, command=["srv"]))
    assert info.value.code == "invalid_option"


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        # What the engine finds wrong with the scenario the options make.
        ({"url": URL, "scenario": {"target": {"bearerEnv": "T"}}, **OAUTH}, "not both"),
        ({"command": ["srv"], "check_auth": True}, "needs a URL target"),
        ({"url": URL, "transport": "stdio"}, "needs a `command`"),
        ({"scenario": {"target": {"command": {"program": "srv"}}}, "url": URL}, "needs the stdio transport"),
    ],
)
def test_engine_rejections_are_scenario_errors(options, fragment):
    with pytest.raises(ScenarioError) as info:
        mcp_probe.check(**options)
    assert info.value.code == "invalid_scenario"
    assert fragment in str(info.value)


def test_engine_error_codes_for_new_options():
    with pytest.raises(ConfigError) as info:
        mcp_probe.check(URL, **OAUTH, oauth_token_url="ftp://as.example/token")
    assert info.value.code == "invalid_url"


def test_env_values_are_not_echoed(stdio_fixture_bin):
    with pytest.raises(ConfigError) as info:
        mcp_probe.check(command=[str(stdio_fixture_bin)], env={"=": "top-secret"})
    assert "top-secret" not in str(info.value)


def test_the_plugin_takes_the_new_options(pytester, stdio_fixture_bin):
    pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.mcp_probe(command=[{str(stdio_fixture_bin)!r}, "healthy"])
        def test_stdio(mcp_probe):
            report = mcp_probe.assert_healthy(tool="add", arguments={{"a": 1, "b": 1}}, expect_text="2")
            assert report.transport == "stdio"
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_every_option_of_the_model_is_a_keyword_option():
    """Every option of the engine's options model (`CheckOptions::NAMES` in mcp-probe-core) is
    a keyword option of `check`, `check_async` and `Scenario`, typed in `CheckOptions`, and
    reaches the engine under its canonical name."""
    source = (Path(__file__).resolve().parents[2] / "mcp-probe-core" / "src" / "model" / "options" / "mod.rs").read_text()
    body = source.split("pub const NAMES: &'static [&'static str] = &[", 1)[1].split("];", 1)[0]
    names = re.findall(r'"([A-Za-z]+)"', body)
    assert len(names) > 30 and "maxPages" in names
    snake = {re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), name): name for name in names}
    typed = set(mcp_probe.CheckOptions.__annotations__) | {"url"}
    for function in (mcp_probe.check, mcp_probe.check_async, Scenario.__init__):
        parameters = set(inspect.signature(function).parameters)
        assert not set(snake) - parameters, (function, set(snake) - parameters)
    assert not set(snake) - typed, set(snake) - typed
    # Each is sent to the engine under its canonical name (which refuses names it does not know).
    sent = set(_api._OPTIONS) | {"url", "scenario"}
    assert sent == set(snake), sent ^ set(snake)
    for name, canonical in snake.items():
        assert _api._camel(name) == canonical


def test_options_reach_the_engine_under_their_canonical_names():
    built = Scenario(URL, max_pages=7, oauth_client_id="c", oauth_client_secret_env="S", oauth_scope="s",
                     request_timeout=1.5, tool="add", expect_contains="3").to_dict()
    assert built["limits"]["maxPages"] == 7
    assert built["target"]["oauth"]["scope"] == "s"
    assert built["timeouts"]["request"] == "1s 500ms"
