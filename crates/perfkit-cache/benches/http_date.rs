//! HTTP-date parsing: the cache's own reader (`policy::parse_http_date`) against the
//! `httpdate` crate it replaced, per format.
//!
//! `cargo bench -p perfkit-cache --bench http_date` prints nanoseconds per parse for
//! both, alternating rounds. With arguments `PARSER FORMAT COUNT` (`ours|httpdate`,
//! `imf|rfc850|asctime`, a count) it only parses that many times, so that
//! `valgrind --tool=callgrind` runs with two counts give instructions per parse.

use std::hint::black_box;
use std::time::Instant;

const FORMATS: [(&str, &str); 3] = [
    ("imf", "Sun, 06 Nov 1994 08:49:37 GMT"),
    ("rfc850", "Sunday, 06-Nov-94 08:49:37 GMT"),
    ("asctime", "Sun Nov  6 08:49:37 1994"),
];

fn ours(date: &str) -> bool {
    perfkit_cache::policy::parse_http_date(black_box(date).as_bytes()).is_some()
}

fn httpdate(date: &str) -> bool {
    httpdate::parse_http_date(black_box(date)).is_ok()
}

fn parser(name: &str) -> fn(&str) -> bool {
    match name {
        "ours" => ours,
        "httpdate" => httpdate,
        other => panic!("unknown parser {other:?}: ours or httpdate"),
    }
}

fn run(parse: fn(&str) -> bool, date: &str, count: u64) -> u64 {
    let mut parsed = 0;
    for _ in 0..count {
        parsed += u64::from(parse(date));
    }
    parsed
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    if let [name, format, count] = args.as_slice() {
        let date = FORMATS
            .iter()
            .find(|(f, _)| f == format)
            .unwrap_or_else(|| panic!("unknown format {format:?}"))
            .1;
        let count: u64 = count.parse().expect("a count");
        let parsed = run(parser(name), date, count);
        assert_eq!(parsed, count, "{name} did not parse {date:?}");
        return;
    }
    const COUNT: u64 = 2_000_000;
    for (format, date) in FORMATS {
        for round in 1..=3 {
            let mut line = format!("{format:8} round {round}:");
            for name in ["ours", "httpdate"] {
                let start = Instant::now();
                let parsed = run(parser(name), date, COUNT);
                let ns = start.elapsed().as_nanos() as f64 / COUNT as f64;
                assert_eq!(parsed, COUNT);
                line.push_str(&format!("  {name} {ns:6.1} ns"));
            }
            println!("{line}");
        }
    }
}
