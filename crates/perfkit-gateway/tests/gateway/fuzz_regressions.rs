//! Replays the fuzz targets' seeds and every input they ever found (`fuzz/seeds/`,
//! `fuzz/regressions/`) through the same entry points, on stable, in the normal suite.

use std::path::Path;

fn replay(target: &str, run: fn(&[u8])) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let mut replayed = 0;
    for kind in ["seeds", "regressions"] {
        let Ok(entries) = std::fs::read_dir(root.join(kind).join(target)) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            let input = std::fs::read(&path).unwrap();
            // A panic here names the file through the test's output.
            eprintln!("replaying {}", path.display());
            run(&input);
            replayed += 1;
        }
    }
    replayed
}

#[test]
fn fuzz_inputs_replay_without_panics() {
    use perfkit_gateway::fuzzing;
    assert!(replay("upstream_response", fuzzing::upstream_response) >= 5);
    assert!(replay("body_decoder", fuzzing::body_decoder) >= 2);
    assert!(replay("forwarded_headers", fuzzing::forwarded_headers) >= 1);
    assert!(replay("config", fuzzing::config) >= 2);
}
