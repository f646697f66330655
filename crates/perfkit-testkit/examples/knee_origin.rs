//! A [`KneeUpstream`] as a standalone origin for benchmarks (`bench/adaptive.sh`):
//! `knee_origin ADDR WORKERS SERVICE_MS` serves until killed; it prints its address
//! once listening.

use std::time::Duration;

use perfkit_testkit::KneeUpstream;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [addr, workers, service_ms] = args.as_slice() else {
        return Err("usage: knee_origin ADDR WORKERS SERVICE_MS".into());
    };
    let addr = addr.parse()?;
    let workers: usize = workers.parse()?;
    let service = Duration::from_millis(service_ms.parse()?);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let origin = KneeUpstream::bind(addr, workers, service).await?;
        println!("listening on {}", origin.addr());
        std::future::pending::<()>().await;
        Ok::<_, Box<dyn std::error::Error>>(())
    })
}
