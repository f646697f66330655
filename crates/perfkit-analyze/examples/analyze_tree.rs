//! Runs the analyzer on one tree and prints how many files it parsed and how many
//! findings it made: the analyze path alone, without the `perfkit` binary, for profiling
//! (`cargo build --release -p perfkit-analyze --example analyze_tree`, then
//! `valgrind --tool=callgrind target/release/examples/analyze_tree TREE 1`).
//!
//!   analyze_tree TREE [THREADS] [--json]     (--json prints the whole analysis)

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(root) = args.next() else {
        eprintln!("usage: analyze_tree TREE [THREADS]");
        std::process::exit(2);
    };
    let threads = args.next().and_then(|t| t.parse().ok()).unwrap_or(0);
    let json = args.next().is_some_and(|a| a == "--json");
    let options = perfkit_analyze::Options {
        threads,
        ..Default::default()
    };
    match perfkit_analyze::analyze(std::path::Path::new(&root), &options, &|_| {}) {
        Ok(analysis) if json => match serde_json::to_string_pretty(&analysis) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(1);
            }
        },
        Ok(analysis) => println!(
            "{} files, {} findings",
            analysis.files,
            analysis.findings.len()
        ),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
