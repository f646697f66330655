//! The `perfkit` binary end to end: config errors and exit codes, `serve` with SIGHUP
//! reload under load and SIGTERM drain, and the demo.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use perfkit_testkit::{free_port, Client, SampleUpstream};
use support::{Launch, Served};

mod support;

const TOKEN: &str = "cli-test-token";

fn perfkit(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_perfkit"));
    command.args(args);
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("perfkit runs")
}

/// `perfkit demo` with `args`, which must succeed; its stdout.
fn demo(args: &[&str]) -> String {
    let output = perfkit(&[&["demo"], args].concat(), &[]);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn config_check_reports_file_line_column_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "perfkit.yml",
        "server:\n  listen: 127.0.0.1:8080\nupstreams:\n  api:\n    servers:\n      - adress: 127.0.0.1:3000\n",
    );
    let output = perfkit(&["config", "check", "-c", path.to_str().unwrap()], &[]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let expected = format!(
        "{}:6:9: upstreams.api.servers[0]: unknown field `adress`",
        path.display()
    );
    assert!(stderr.contains(&expected), "{stderr}");

    let missing = perfkit(&["config", "check", "-c", "/nonexistent/perfkit.yml"], &[]);
    assert_eq!(
        missing.status.code(),
        Some(2),
        "a missing config file is a config error"
    );
    assert!(String::from_utf8_lossy(&missing.stderr)
        .contains("cannot read config file /nonexistent/perfkit.yml"));
}

#[test]
fn config_check_prints_the_effective_config_with_overrides_and_redaction() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "perfkit.yml", "admin:\n  token: hunter2\n");
    let output = perfkit(
        &["config", "check", "-c", path.to_str().unwrap()],
        &[("PERFKIT_SERVER__MAX_BODY_SIZE", "2MiB")],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("max_body_size: 2MiB"), "{stdout}");
    assert!(
        stdout.contains("token: <redacted>") && !stdout.contains("hunter2"),
        "{stdout}"
    );
}

#[test]
fn demo_runs_without_any_external_service() {
    let stdout = demo(&["--listen", "127.0.0.1:0", "--requests", "40"]);
    assert!(
        stdout.contains("statuses: {200: 40}, transport failures: 0"),
        "{stdout}"
    );
    // Caching: a miss, hits, a purge, a miss again, then a stale serve.
    // The X-Cache values of the section that starts with `title`.
    let x_cache = |title: &str| -> Vec<String> {
        stdout
            .lines()
            .skip_while(|l| !l.starts_with(title))
            .skip(1)
            .take_while(|l| l.starts_with("  "))
            .filter_map(|l| l.split("X-Cache: ").nth(1)?.split_whitespace().next())
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(
        x_cache("caching on /catalog"),
        ["MISS", "HIT", "HIT", "HIT", "MISS", "STALE"],
        "{stdout}"
    );
    // Tags: purging `product:1` drops product 1's entry and keeps product 2's.
    assert_eq!(
        x_cache("cache tags and CDN headers"),
        ["MISS", "MISS", "HIT", "HIT", "MISS", "HIT"],
        "{stdout}"
    );
    assert!(
        stdout.contains("X-Cache: HIT   Surrogate-Key: product:2  CDN-Cache-Control: max-age=600"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Cache-Status: perfkit; hit; ttl="),
        "{stdout}"
    );
    assert!(stdout.contains("POST /admin/cache/purge 200"), "{stdout}");

    // The load test: both routes answered without errors, the cached one from the cache.
    let load_line = |name: &str| {
        stdout
            .lines()
            .find(|l| l.trim_start().starts_with(name) && l.contains("req/s"))
            .unwrap_or_else(|| panic!("no load-test line for {name}: {stdout}"))
            .to_owned()
    };
    let cached = load_line("cached");
    assert!(cached.contains("errors 0"), "{cached}");
    assert!(!cached.ends_with("cache hits 0"), "{cached}");
    assert!(load_line("proxied").contains("errors 0"), "{stdout}");

    // `perfkit analyze` on the sample app: its routes, and each rule's classic case.
    let analysis: Vec<&str> = stdout
        .lines()
        .skip_while(|l| !l.starts_with("perfkit analyze on a sample app"))
        .collect();
    let analysis = analysis.join("\n");
    for route in ["/orders/open/", "/rates/{currency}", "/report", "/signup/"] {
        assert!(analysis.contains(route), "{route} missing: {analysis}");
    }
    for (place, rule) in [
        ("shop/views.py:14:", "n-plus-one"),
        ("api/report.js:12:", "n-plus-one"),
        ("api/rates.py:10:", "blocking-call-in-async"),
        ("shop/exports.py:11:", "quadratic-loop"),
        ("shop/exports.py:7:", "connection-leak"),
        ("shop/views.py:20:", "missing-cache"),
        ("shop/views.py:24:", "sync-heavy-handler"),
    ] {
        assert!(
            analysis
                .lines()
                .any(|l| l.contains(place) && l.contains(&format!("[{rule}]"))),
            "no {rule} at {place}: {analysis}"
        );
    }
}

#[test]
fn a_busy_port_is_reported_once_with_its_cause() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "perfkit.yml",
        &format!("server:\n  listen: 127.0.0.1:{port}\nadmin:\n  listen: 127.0.0.1:0\n"),
    );
    let output = perfkit(&["serve", "-c", path.to_str().unwrap()], &[]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let error = stderr
        .lines()
        .find(|l| l.starts_with("error:"))
        .unwrap_or_default();
    assert!(
        error.contains(&format!("cannot listen on 127.0.0.1:{port}")),
        "{stderr}"
    );
    assert_eq!(
        error.matches("in use").count(),
        1,
        "the cause is printed twice: {error}"
    );
}

#[test]
fn demo_moves_to_a_free_port_when_8080_is_taken() {
    // Holds 8080 for the test; if something else already holds it, so much the better.
    let _taken = std::net::TcpListener::bind("127.0.0.1:8080");
    let stdout = demo(&["--requests", "10"]);
    assert!(
        stdout.contains("127.0.0.1:8080 is in use; using a free port"),
        "{stdout}"
    );
    assert!(stdout.contains("statuses: {200: 10}"), "{stdout}");
}

/// `perfkit serve` in front of `upstream`, with `extra` appended to its config.
async fn serve(upstream: &SampleUpstream, extra: &str) -> Served {
    serve_with(upstream, extra, Launch::default()).await
}

/// [`serve`], run as `launch` says.
async fn serve_with(upstream: &SampleUpstream, extra: &str, launch: Launch<'_>) -> Served {
    Served::launch(
        |port, admin_port| serve_config(port, admin_port, upstream) + extra,
        launch,
    )
    .await
}

/// The configuration generation the admin API reports.
async fn generation_of(served: &Served) -> Option<u64> {
    served.admin_json("/admin/upstreams", TOKEN).await?["generation"].as_u64()
}

fn serve_config(port: u16, admin_port: u16, upstream: &SampleUpstream) -> String {
    format!(
        "server:\n  listen: 127.0.0.1:{port}\n  shutdown_grace: 10s\n  header_read_timeout: 1s\nadmin:\n  listen: 127.0.0.1:{admin_port}\n  token: {TOKEN}\n\
         upstreams:\n  app:\n    servers:\n      - address: {}\n\
         routes:\n  - path_prefix: /\n    upstream: app\n",
        upstream.addr()
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_reloads_under_load_with_zero_failed_requests() {
    let blue = SampleUpstream::start_named("blue").await.unwrap();
    let green = SampleUpstream::start_named("green").await.unwrap();
    let mut served = serve(&blue, "").await;

    let running = Arc::new(AtomicBool::new(true));
    let (ok, failed) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let mut load = Vec::new();
    for _ in 0..4 {
        let (url, running, ok, failed) = (
            served.url("/load"),
            running.clone(),
            ok.clone(),
            failed.clone(),
        );
        load.push(tokio::spawn(async move {
            let client = Client::http1();
            while running.load(Ordering::SeqCst) {
                match client.get(&url).await {
                    Ok(reply) if reply.status == 200 => ok.fetch_add(1, Ordering::SeqCst),
                    other => {
                        eprintln!("failed request: {other:?}");
                        failed.fetch_add(1, Ordering::SeqCst)
                    }
                };
            }
        }));
    }

    for round in 0..4u64 {
        let target = if round % 2 == 0 { &green } else { &blue };
        std::fs::write(
            &served.config,
            serve_config(served.port, served.admin_port, target),
        )
        .unwrap();
        let before = ok.load(Ordering::SeqCst);
        served.signal("-HUP");
        let generation = format!("generation={}", round + 2);
        served
            .wait_for_line(|l| l.contains("configuration reloaded") && l.contains(&generation))
            .await;
        // The admin API reports the new generation once the log line is out.
        assert_eq!(generation_of(&served).await, Some(round + 2));
        let deadline = Instant::now() + Duration::from_secs(10);
        while ok.load(Ordering::SeqCst) < before + 50 {
            assert!(
                Instant::now() < deadline,
                "traffic stalled after reload {round}"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    // A broken config is refused and the running one stays.
    std::fs::write(&served.config, "server: [not, a, mapping]\n").unwrap();
    served.signal("-HUP");
    served
        .wait_for_line(|l| l.contains("configuration reload failed"))
        .await;
    // Counted before it is logged.
    let metrics = Client::http1()
        .get(&served.admin_url("/metrics"))
        .await
        .unwrap()
        .text();
    assert!(
        metrics.contains("perfkit_config_reloads_total{result=\"error\"} 1"),
        "the failed reload was not counted:\n{metrics}"
    );
    assert_eq!(generation_of(&served).await, Some(5));

    running.store(false, Ordering::SeqCst);
    for task in load {
        task.await.unwrap();
    }
    assert_eq!(
        failed.load(Ordering::SeqCst),
        0,
        "requests failed during reloads"
    );
    assert!(ok.load(Ordering::SeqCst) >= 200);
    assert!(blue.requests() > 0 && green.requests() > 0);

    served.signal("-TERM");
    assert!(served.wait_exit().await.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_in_flight_requests_finish() {
    let upstream = SampleUpstream::start_named("slow").await.unwrap();
    let mut served = serve(&upstream, "").await;
    let url = served.url("/slow");
    let in_flight = tokio::spawn(async move {
        Client::http1()
            .request(http::Method::GET, &url, &[("x-delay-ms", "800")], "")
            .await
    });
    let deadline = Instant::now() + Duration::from_secs(10);
    while upstream.requests() == 0 {
        assert!(Instant::now() < deadline, "the slow request never arrived");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    served.signal("-TERM");
    let reply = in_flight.await.unwrap().unwrap();
    assert_eq!(reply.status, 200);
    assert!(served.wait_exit().await.success());
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", served.port)).is_err(),
        "still accepting after shutdown"
    );
}

/// CPU time (user + system) the process has used so far.
fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // Fields after the command name (which is in parentheses and may hold spaces).
    let fields: Vec<&str> = stat[stat.rfind(')').unwrap() + 2..].split(' ').collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    // Linux reports these in USER_HZ, 100 per second on every supported platform.
    Duration::from_millis(ticks * 10)
}

/// `prlimit` execs perfkit, so the child's pid is perfkit's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_connection_flood_at_the_fd_limit_neither_spins_nor_locks_clients_out() {
    let upstream = SampleUpstream::start_named("flooded").await.unwrap();
    let launch = Launch {
        wrapper: &["prlimit", "--nofile=128:128"],
        ..Launch::default()
    };
    let served = serve_with(&upstream, "", launch).await;
    let addr = format!("127.0.0.1:{}", served.port);
    // Far more idle connections than the process has descriptors for.
    let mut flood = Vec::new();
    for _ in 0..300 {
        flood.push(tokio::net::TcpStream::connect(&addr).await.unwrap());
    }
    let pid = served.pid();
    let before = cpu_time(pid);
    let window = Instant::now();
    // A legitimate client, queued behind the flood: served once idle ones time out
    // (header_read_timeout: 1s) and free their descriptors.
    let reply = tokio::time::timeout(Duration::from_secs(15), async {
        loop {
            match Client::http1().get(&served.url("/legit")).await {
                Ok(reply) => return reply,
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    })
    .await
    .expect("a legitimate request never got through");
    assert_eq!(reply.status, 200);
    let elapsed = window.elapsed().max(Duration::from_secs(1));
    let used = cpu_time(pid) - before;
    // Spinning on EMFILE would burn a whole core for the whole window.
    assert!(
        used < elapsed / 2,
        "the gateway used {used:?} of CPU in {elapsed:?} while flooded"
    );
    drop(flood);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_also_serves_the_queue_api_when_given_a_queues_file() {
    let upstream = SampleUpstream::start_named("app").await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let api_port = free_port();
    let queues = write(
        dir.path(),
        "queues.yml",
        &format!(
            "backend:\n  sqlite: {}\napi:\n  token: queue-secret\n  listen: 127.0.0.1:{api_port}\nqueues:\n  mail: {{}}\n",
            dir.path().join("jobs.db").display()
        ),
    );
    let launch = Launch {
        args: &["--queues", queues.to_str().unwrap()],
        ..Launch::default()
    };
    let mut served = serve_with(&upstream, "", launch).await;
    // The gateway answers, and so does the queue API, with its token.
    assert_eq!(
        Client::http1().get(&served.url("/")).await.unwrap().status,
        200
    );
    let api = format!("http://127.0.0.1:{api_port}");
    let auth = [("authorization", "Bearer queue-secret")];
    let enqueued = Client::http1()
        .request(
            http::Method::POST,
            &format!("{api}/queues/mail/jobs"),
            &auth,
            r#"{"payload": {"to": "a@example.com"}}"#,
        )
        .await
        .unwrap();
    assert_eq!(enqueued.status, 201, "{}", enqueued.text());
    let stats = Client::http1()
        .request(
            http::Method::GET,
            &format!("{api}/queues/mail/stats"),
            &auth,
            "",
        )
        .await
        .unwrap();
    let stats: serde_json::Value = serde_json::from_slice(&stats.body).unwrap();
    assert_eq!(stats["ready"], 1, "{stats}");
    let refused = Client::http1()
        .get(&format!("{api}/queues/mail/stats"))
        .await
        .unwrap();
    assert_eq!(refused.status, 401);
    served.signal("-TERM");
    assert!(served.wait_exit().await.success());
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", api_port)).is_err(),
        "the queue API still accepts after shutdown"
    );
}

#[test]
fn the_shipped_example_config_is_valid() {
    let shipped = concat!(env!("CARGO_MANIFEST_DIR"), "/../../config/perfkit.yml");
    let output = perfkit(&["config", "check", "-c", shipped], &[]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("hash_key: header:x-user-id"), "{stdout}");
    // The rules come from config/rate-limits.yml beside it.
    assert!(stdout.contains("name: per-ip"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_are_one_event_per_line() {
    let upstream = SampleUpstream::start_named("logged").await.unwrap();
    let extra = "log:\n  format: json\n  access_log: true\n";
    let mut served = serve(&upstream, extra).await;
    let reply = Client::http1().get(&served.url("/logged")).await.unwrap();
    assert_eq!(reply.status, 200);
    served.signal("-TERM");
    assert!(served.wait_exit().await.success());

    let log = served.log();
    let events: Vec<serde_json::Value> = log
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    let message =
        |event: &serde_json::Value| event["fields"]["message"].as_str().unwrap_or("").to_owned();
    assert!(
        events.iter().any(|e| message(e) == "gateway listening"),
        "{log}"
    );
    let access = events
        .iter()
        .find(|e| message(e) == "request")
        .expect("an access log event");
    assert_eq!(access["fields"]["status"], 200);
    assert_eq!(access["fields"]["route"], "/");
    assert_eq!(access["level"], "INFO");
}

#[test]
fn demo_shows_a_client_being_rate_limited_with_its_headers() {
    let stdout = demo(&["--requests", "8", "--listen", "127.0.0.1:0"]);
    assert!(
        stdout.contains(
            r#"  200 RateLimit-Policy: "demo-per-ip";q=3;w=60  RateLimit: "demo-per-ip";r=2;t=20"#
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains(r#"  429 RateLimit-Policy: "demo-per-ip";q=3;w=60  RateLimit: "demo-per-ip";r=0;t=60  Retry-After: 20"#),
        "{stdout}"
    );
}

/// Counted failed reloads, from the admin API's metrics.
async fn failed_reloads(admin_port: u16) -> Option<u64> {
    let reply = Client::http1()
        .get(&format!("http://127.0.0.1:{admin_port}/metrics"))
        .await
        .ok()?;
    let text = reply.text();
    let line = text
        .lines()
        .find(|l| l.starts_with("perfkit_config_reloads_total{result=\"error\"}"))?;
    line.rsplit(' ').next()?.parse().ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_applies_a_changed_cache_yml_and_refuses_a_broken_one_with_its_line() {
    let upstream = SampleUpstream::builder("origin")
        .path(
            "/p",
            perfkit_testkit::Scripted::ok("p").header("cache-control", "max-age=600"),
        )
        .spawn()
        .await
        .unwrap();
    let rules = "routes:\n  app: { x_cache_header: true }\n";
    let mut served = Served::launch(
        |port, admin_port| {
            serve_config(port, admin_port, &upstream).replace(
                "  - path_prefix: /\n",
                "  - name: app\n    path_prefix: /\n",
            )
        },
        Launch {
            files: &[("cache.yml", rules)],
            ..Launch::default()
        },
    )
    .await;
    let cache_yml = served.dir.path().join("cache.yml");
    let base = served.url("");
    let x_cache = |path: &'static str| {
        let url = format!("{base}{path}");
        async move {
            let reply = Client::http1().get(&url).await.unwrap();
            assert_eq!(reply.status, 200, "{path}");
            reply.header("x-cache").unwrap_or("none").to_owned()
        }
    };
    assert_eq!(x_cache("/p").await, "MISS");
    assert_eq!(x_cache("/p").await, "HIT");
    // Under these rules the query is part of the key.
    assert_eq!(x_cache("/p?utm_source=a").await, "MISS");

    // New rules: utm_source leaves the key. The route's entries are flushed.
    let new_rules =
        "routes:\n  app:\n    x_cache_header: true\n    key: { query_deny: [utm_source] }\n";
    std::fs::write(&cache_yml, new_rules).unwrap();
    served.signal("-HUP");
    served
        .wait_for_line(|l| l.contains("configuration reloaded") && l.contains("generation=2"))
        .await;
    assert_eq!(x_cache("/p").await, "MISS", "flushed: the rules changed");
    assert_eq!(
        x_cache("/p?utm_source=b").await,
        "HIT",
        "the new key rule applies"
    );
    assert_eq!(upstream.requests_for("/p"), 3);

    // A broken file is refused, with its file and line; the running rules stay.
    std::fs::write(&cache_yml, format!("{new_rules}max_object_size: 1GiB\n")).unwrap();
    served.signal("-HUP");
    let failed = served
        .wait_for_line(|l| l.contains("configuration reload failed"))
        .await;
    assert!(
        failed.contains("cache.yml:5:1: max_object_size"),
        "the log names the file, line and field: {failed}"
    );
    assert_eq!(failed_reloads(served.admin_port).await, Some(1));
    assert_eq!(generation_of(&served).await, Some(2));
    assert_eq!(x_cache("/p?utm_source=c").await, "HIT", "old rules kept");
    assert_eq!(upstream.requests_for("/p"), 3);
}
