//! Every contender of `compare` passes against the fixture server and does the same work per
//! probe. No timing is asserted.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use mcp_probe_benches::{fleet, Floor, McpProbe, Rmcp};
use mcp_probe_testkit::{FixtureServer, Mode, Received};

/// The requests of the second of two probes (the first may detect the protocol era).
async fn second_probe<F, Fut>(server: &FixtureServer, mut probe: F) -> Vec<Received>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<(), mcp_probe_benches::Error>>,
{
    probe().await.expect("first probe");
    let before = server.log().len();
    probe().await.expect("second probe");
    server.log().split_off(before)
}

fn calls(log: &[Received]) -> Vec<String> {
    log.iter()
        .map(|r| {
            format!(
                "{} {}",
                r.http_method,
                r.rpc_method.as_deref().unwrap_or("-")
            )
        })
        .collect()
}

const FIVE: [&str; 5] = [
    "POST initialize",
    "POST notifications/initialized",
    "POST tools/list",
    "POST tools/call",
    "DELETE -",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_contender_makes_the_same_exchanges() {
    let server = FixtureServer::start().await.unwrap();
    let url = server.url(Mode::Json);

    let probe = McpProbe::new(&url);
    assert_eq!(calls(&second_probe(&server, || probe.probe()).await), FIVE);

    for floor in [
        Floor::new(&url).unwrap(),
        Floor::over_reqwest(&url).unwrap(),
    ] {
        let seen = second_probe(&server, || {
            let floor = floor.clone();
            async move { floor.probe(&mut None).await }
        })
        .await;
        assert_eq!(calls(&seen), FIVE);
    }

    for rmcp in [Rmcp::default_client(&url), Rmcp::pooled(&url)] {
        let seen = calls(&second_probe(&server, || rmcp.probe()).await);
        // The same five, and rmcp's standalone GET stream.
        let mut posts: Vec<&str> = seen
            .iter()
            .map(String::as_str)
            .filter(|c| !c.starts_with("GET"))
            .collect();
        posts.sort_unstable();
        let mut five = FIVE.to_vec();
        five.sort_unstable();
        assert_eq!(posts, five, "{seen:?}");
        assert!(seen.len() <= 6, "{seen:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_small_fleet_of_each_passes() {
    let server = FixtureServer::start().await.unwrap();
    let url = server.url(Mode::Json);
    let probe = std::sync::Arc::new(McpProbe::new(&url));
    fleet(
        20,
        5,
        || (),
        move |()| {
            let probe = std::sync::Arc::clone(&probe);
            async move { probe.probe().await }
        },
    )
    .await
    .unwrap();
    let rmcp = Rmcp::pooled(&url);
    fleet(
        20,
        5,
        || (),
        move |()| {
            let rmcp = rmcp.clone();
            async move { rmcp.probe().await }
        },
    )
    .await
    .unwrap();
    for floor in [
        Floor::new(&url).unwrap(),
        Floor::over_reqwest(&url).unwrap(),
    ] {
        fleet(
            20,
            5,
            || None,
            move |mut kept| {
                let floor = floor.clone();
                async move {
                    floor.probe(&mut kept).await?;
                    Ok(kept)
                }
            },
        )
        .await
        .unwrap();
    }
}
