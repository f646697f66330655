//! Swapping configuration under load: no request fails, new requests use the new config.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use perfkit_testkit::{Client, SampleUpstream};

use crate::support::*;

#[tokio::test]
async fn reload_under_load_drops_no_request() {
    let old = SampleUpstream::builder("old")
        .latency(std::time::Duration::from_millis(2))
        .spawn()
        .await
        .unwrap();
    let new = SampleUpstream::start_named("new").await.unwrap();
    let gw = Arc::new(gateway(&single_group("round_robin", &[&old], "")).await);
    let running = Arc::new(AtomicBool::new(true));
    let (ok, failed) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let mut load = Vec::new();
    for _ in 0..4 {
        let (gw, running, ok, failed) = (gw.clone(), running.clone(), ok.clone(), failed.clone());
        load.push(tokio::spawn(async move {
            let client = Client::http1();
            while running.load(Ordering::SeqCst) {
                match client.get(&url(&gw, "/load")).await {
                    Ok(reply) if reply.status == 200 => ok.fetch_add(1, Ordering::SeqCst),
                    _ => failed.fetch_add(1, Ordering::SeqCst),
                };
            }
        }));
    }
    for round in 0..6 {
        let target = if round % 2 == 0 { &new } else { &old };
        let yaml = format!(
            "server:\n  listen: {}\nadmin:\n  listen: {}\n{}",
            gw.addr(),
            gw.admin_addr(),
            single_group("round_robin", &[target], "")
        );
        let config =
            perfkit_config::Config::parse_with_env("r.yml".as_ref(), &yaml, Vec::new()).unwrap();
        let before = ok.load(Ordering::SeqCst);
        assert_eq!(gw.reload_with(config).await.unwrap(), round + 2);
        eventually(
            "traffic flows after the reload",
            std::time::Duration::from_secs(5),
            || {
                let ok = ok.clone();
                async move { ok.load(Ordering::SeqCst) > before + 20 }
            },
        )
        .await;
    }
    running.store(false, Ordering::SeqCst);
    for task in load {
        task.await.unwrap();
    }
    assert_eq!(failed.load(Ordering::SeqCst), 0);
    assert!(new.requests() > 0 && old.requests() > 0);
    assert_eq!(gw.generation(), 7);
}
