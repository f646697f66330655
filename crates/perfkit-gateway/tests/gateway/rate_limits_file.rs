//! `rate-limits.yml` beside the config file: read at start and on every reload
//! (what SIGHUP runs), with errors pointing into it.

use perfkit_gateway::Gateway;
use perfkit_testkit::{Client, SampleUpstream};

use crate::rate_limits::{config_dir, loopback_config};
use crate::support::{single_group, url};

async fn statuses(gateway: &Gateway, count: usize) -> Vec<u16> {
    let client = Client::http1();
    let mut all = Vec::new();
    for _ in 0..count {
        all.push(
            client
                .get(&url(gateway, "/x"))
                .await
                .unwrap()
                .status
                .as_u16(),
        );
    }
    all
}

#[tokio::test]
async fn the_rate_limits_file_is_read_at_start_and_on_reload() {
    let upstream = SampleUpstream::start_named("a").await.unwrap();
    let (dir, path) = config_dir("rate-limits-file", &upstream);
    let yaml = single_group("round_robin", &[&upstream], "");
    std::fs::write(&path, loopback_config(&yaml)).unwrap();
    let limits = dir.join("rate-limits.yml");
    let rules =
        |rate: u64| format!("rules:\n  - name: per-ip\n    limit: {{rate: {rate}, period: 1h}}\n");
    std::fs::write(&limits, rules(2)).unwrap();
    let config = perfkit_config::Config::load(&path).unwrap();
    let gateway = Gateway::start(config, Some(path.clone())).await.unwrap();
    assert_eq!(statuses(&gateway, 3).await, [200, 200, 429]);

    std::fs::write(&limits, rules(4)).unwrap();
    assert_eq!(gateway.reload().await.unwrap(), 2);
    // A changed limit starts its counts afresh.
    assert_eq!(statuses(&gateway, 5).await, [200, 200, 200, 200, 429]);

    // A broken file fails the reload, names its line and column, and the running
    // limits stay.
    std::fs::write(
        &limits,
        "rules:\n  - name: per-ip\n    limit: {rate: 0, period: 1h}\n",
    )
    .unwrap();
    let error = gateway.reload().await.unwrap_err().to_string();
    assert!(
        error.contains(&format!("{}:3:13: rules[0].limit.rate", limits.display())),
        "{error}"
    );
    assert_eq!(statuses(&gateway, 1).await, [429]);
    gateway.shutdown().await;
    std::fs::remove_dir_all(&dir).unwrap();
}
