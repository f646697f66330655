//! HTTP push and command delivery: how statuses and exit codes map to ack, retry and
//! permanent failure, against a real sample upstream and real processes.

use std::collections::BTreeMap;

use perfkit_queue::{
    Backoff, CommandDelivery, Delivery, Handler, HandlerError, HttpDelivery, Job, JobState,
    PERMANENT_EXIT,
};
use perfkit_testkit::SampleUpstream;

fn job(payload: &str) -> Job {
    Job {
        id: 42,
        queue: "mail".into(),
        payload: payload.as_bytes().to_vec(),
        priority: 0,
        run_at: 0,
        deadline: None,
        max_attempts: 3,
        backoff: Backoff::default(),
        timeout_ms: None,
        unique_key: None,
        idempotency_key: None,
        tags: Vec::new(),
        state: JobState::Leased,
        attempts: 2,
        errors: Vec::new(),
        created_at: 0,
        started_at: None,
        finished_at: None,
        lease_until: None,
    }
}

fn http(upstream: &SampleUpstream, status: Option<&str>) -> Delivery {
    let mut headers = BTreeMap::new();
    if let Some(status) = status {
        headers.insert("x-status".to_owned(), status.to_owned());
    }
    let url = format!("http://{}/jobs/mail", upstream.addr());
    Delivery::Http(Box::new(HttpDelivery::new(&url, &headers).unwrap()))
}

#[tokio::test]
async fn http_statuses_decide_the_outcome() {
    let upstream = SampleUpstream::start_named("app").await.unwrap();
    assert_eq!(
        http(&upstream, None).handle(job(r#"{"to":"a"}"#)).await,
        Ok(())
    );
    for (status, retry) in [
        ("503", true),
        ("500", true),
        ("429", true),
        ("404", false),
        ("400", false),
    ] {
        let outcome = http(&upstream, Some(status)).handle(job("{}")).await;
        match (outcome, retry) {
            (Err(HandlerError::Retry(message)), true)
            | (Err(HandlerError::Permanent(message)), false) => {
                assert!(message.contains(status), "{message}")
            }
            (other, _) => panic!("status {status}: {other:?}"),
        }
    }
    assert_eq!(upstream.requests(), 6);
    let closed = format!("http://{}/", perfkit_testkit::free_port());
    let closed = Delivery::Http(Box::new(
        HttpDelivery::new(
            &closed.replace("http://", "http://127.0.0.1:"),
            &BTreeMap::new(),
        )
        .unwrap(),
    ));
    assert!(matches!(
        closed.handle(job("{}")).await,
        Err(HandlerError::Retry(_))
    ));
}

fn command(script: &str) -> Delivery {
    Delivery::Command(CommandDelivery::new(vec!["sh".into(), "-c".into(), script.into()]).unwrap())
}

#[tokio::test]
async fn exit_codes_decide_the_outcome() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let script = format!(
        r#"cat > {0}; echo " $PERFKIT_QUEUE $PERFKIT_JOB_ID $PERFKIT_ATTEMPT" >> {0}"#,
        out.display()
    );
    assert_eq!(command(&script).handle(job("payload")).await, Ok(()));
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "payload mail 42 2\n"
    );
    match command("echo oops >&2; exit 3").handle(job("")).await {
        Err(HandlerError::Retry(message)) => assert!(message.contains("oops"), "{message}"),
        other => panic!("{other:?}"),
    }
    let permanent = format!("exit {PERMANENT_EXIT}");
    assert!(matches!(
        command(&permanent).handle(job("")).await,
        Err(HandlerError::Permanent(_))
    ));
    let missing =
        Delivery::Command(CommandDelivery::new(vec!["/nonexistent/program".into()]).unwrap());
    assert!(matches!(
        missing.handle(job("")).await,
        Err(HandlerError::Retry(_))
    ));
    assert!(CommandDelivery::new(Vec::new()).is_err());
}
