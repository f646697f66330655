//! The HTTP caching conformance cases run end to end: each case of
//! `crates/perfkit-cache/tests/rfc9111/*.json` (the library's suite, also run by the
//! library's simulator) goes through a fresh `perfkit serve` gateway in front of a
//! scripted origin. Time is the cache's
//! manual clock, set to each step's time (no sleeps); the origin records what it was
//! asked. The outcome comes from what a client sees: `X-Cache`, `Cache-Status`, the
//! status, `Age`, the body, and whether the origin was contacted.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, UNIX_EPOCH};

use http::Method;
use perfkit_gateway::Gateway;
use perfkit_testkit::{Case, Client, Observed, Reply};

use crate::cache_origin::CacheOrigin;
use crate::support::{eventually, gateway_with, TOKEN};

/// The host every case's requests name (and its `Location`s refer to).
const HOST: &str = "example.test";

fn config(origin: &CacheOrigin, case: &Case) -> String {
    let c = &case.config;
    let mut cache = format!(
        "cache:\n  max_object_size: 64KiB\n  max_variants: 4\n  heuristic_freshness: {}\n  store_set_cookie: {}\n  store_partial: {}\n",
        c.heuristic, c.store_set_cookie, c.store_partial
    );
    if let Some(store) = c.store_error_statuses {
        cache.push_str(&format!("  store_error_statuses: {store}\n"));
    }
    if !c.targeted.is_empty() {
        cache.push_str(&format!("  targeted_fields: [{}]\n", c.targeted.join(", ")));
    }
    let route_cache = if c.uncached_route {
        String::new()
    } else {
        format!(
            "    cache:\n      x_cache_header: true\n      select_language: {}\n",
            c.select_language
        )
    };
    format!(
        "upstreams:\n  app:\n    servers:\n      - address: {}\nroutes:\n  - name: app\n    path_prefix: /\n    upstream: app\n{route_cache}{cache}",
        origin.addr()
    )
}

/// The outcome name a case uses, from what the client saw.
fn outcome(reply: &Reply) -> &'static str {
    let cache_status = reply.header("cache-status").unwrap_or("");
    let x_cache = reply.header("x-cache").unwrap_or("");
    if cache_status.contains("detail=only-if-cached") {
        "gateway-timeout"
    } else if cache_status.contains("detail=stale-if-error") {
        "stale-if-error"
    } else if x_cache == "STALE" {
        "stale"
    } else if x_cache == "HIT" && reply.status == 304 {
        "not-modified"
    } else if x_cache == "HIT" && cache_status.contains("fwd=") {
        "revalidated"
    } else if x_cache == "HIT" {
        "hit"
    } else {
        "forwarded"
    }
}

async fn run_case(case: &Case) -> Result<(), String> {
    let origin = CacheOrigin::start().await;
    let gw = gateway_with(
        "workers: 1",
        &format!("token: {TOKEN}"),
        &config(&origin, case),
    )
    .await;
    let result = run_steps(&gw, &origin, case).await;
    gw.shutdown().await;
    result
}

async fn run_steps(gw: &Gateway, origin: &CacheOrigin, case: &Case) -> Result<(), String> {
    let cache = gw.cache().expect("the cache is enabled");
    let clock = cache.clock().clone();
    origin.use_clock(clock.clone());
    let start = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    let client = Client::http1();
    for (index, step) in case.steps.iter().enumerate() {
        let now = start + Duration::from_secs(step.at);
        clock.set(now);
        origin.begin_step(&step.origin, now);
        if let Some(purge) = &step.purge {
            let body = format!(
                "{{\"url\": \"http://{HOST}{}\", \"soft\": {}}}",
                purge.path, purge.soft
            );
            let reply = client
                .request(
                    Method::POST,
                    &format!("http://{}/admin/cache/purge", gw.admin_addr()),
                    &[("authorization", &format!("Bearer {TOKEN}"))],
                    body,
                )
                .await?;
            if reply.status != 200 {
                return Err(format!("step {index}: purge failed: {}", reply.text()));
            }
        }
        let method = Method::from_bytes(step.request.method.as_bytes()).unwrap();
        let mut headers: Vec<(String, String)> = vec![("host".into(), HOST.into())];
        for (name, value) in &step.request.headers {
            headers.push((name.clone(), perfkit_testkit::template(value, now)));
        }
        let pairs: Vec<(&str, &str)> = headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let url = format!("http://{}{}", gw.addr(), step.request.path);
        let mut request = http::Request::builder().method(method).uri(&url);
        if step.request.http_1_0() {
            request = request.version(http::Version::HTTP_10);
        }
        for (name, value) in &pairs {
            request = request.header(*name, *value);
        }
        let mut request = request
            .body(http_body_util::Full::new(bytes::Bytes::from(
                step.request.body.clone(),
            )))
            .map_err(|e| e.to_string())?;
        // The interim (1xx) responses the client receives before the final one.
        let interim = Arc::new(Mutex::new(Vec::new()));
        let seen_interim = Arc::clone(&interim);
        hyper::ext::on_informational(&mut request, move |response| {
            seen_interim
                .lock()
                .unwrap()
                .push((response.status().as_u16(), response.headers().clone()));
        });
        let reply = client.send(request).await?;
        let interim = std::mem::take(&mut *interim.lock().unwrap());
        // Background work (a stale-while-revalidate refresh) ends before the next step.
        eventually("background fills end", Duration::from_secs(10), || {
            let idle = cache.fills_in_flight() == 0;
            async move { idle }
        })
        .await;
        let requests = origin.requests();
        let cache_status = reply.header("cache-status").unwrap_or("").to_owned();
        let seen = Observed {
            outcome: outcome(&reply),
            status: reply.status.as_u16(),
            headers: &reply.headers,
            body: &reply.body,
            stored: cache_status.split("; ").any(|p| p == "stored"),
            cache_status,
            origin_requests: &requests,
            unscripted: origin.unscripted(),
            unused: origin.unused(),
            interim: &interim,
        };
        perfkit_testkit::check(&step.expect, &seen, now).map_err(|why| {
            format!(
                "step {index} (t={}): {why}; answer {} {:?} {:?}",
                step.at,
                reply.status,
                reply.headers,
                reply.text()
            )
        })?;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_cases_through_the_gateway() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let cases = perfkit_testkit::load_cases(&root.join("../perfkit-cache/tests/rfc9111"));
    let mut failures = Vec::new();
    let mut count = 0;
    for (file, case) in &cases {
        count += 1;
        if let Err(why) = run_case(case).await {
            failures.push(format!("{file} / {}: {why}", case.label()));
        }
    }
    assert!(count >= 200, "only {count} cases found");
    assert!(
        failures.is_empty(),
        "{} of {count} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
