//! What a job queue's crash tests check at the end: a file to which each job
//! execution appended its id (one per line), held against the ids that were
//! acknowledged: which never ran, and how many ran more than once.

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::Path;

/// Executions per job id, read from a file of one id per line.
#[derive(Debug, Default)]
pub struct Executions {
    runs: BTreeMap<u64, usize>,
}

impl Executions {
    /// Reads `path`; a line that is not an id is an error naming it.
    pub fn read(path: &Path) -> io::Result<Executions> {
        let mut runs = BTreeMap::new();
        for line in std::fs::read_to_string(path)?.lines() {
            let id = line.trim().parse().map_err(|_| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("{}: `{line}` is not a job id", path.display()),
                )
            })?;
            *runs.entry(id).or_default() += 1;
        }
        Ok(Executions { runs })
    }

    /// The acknowledged ids that never ran.
    pub fn missing<'a>(&self, acked: &'a BTreeSet<u64>) -> Vec<&'a u64> {
        acked
            .iter()
            .filter(|id| !self.runs.contains_key(id))
            .collect()
    }

    /// Executions beyond the first, over all jobs (at-least-once allows them).
    pub fn duplicates(&self) -> usize {
        self.runs.values().map(|n| n - 1).sum()
    }

    /// All executions.
    pub fn total(&self) -> usize {
        self.runs.values().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::Executions;

    #[test]
    fn counts_missing_and_repeated_executions() {
        let dir = std::env::temp_dir().join(format!("perfkit-executions-{}", crate::free_port()));
        std::fs::write(&dir, "1\n2\n2\n4\n").unwrap();
        let runs = Executions::read(&dir).unwrap();
        let acked = [1, 2, 3].into_iter().collect();
        assert_eq!(runs.missing(&acked), vec![&3]);
        assert_eq!(runs.duplicates(), 1);
        assert_eq!(runs.total(), 4);
        std::fs::write(&dir, "1\nx\n").unwrap();
        let err = Executions::read(&dir).unwrap_err();
        assert!(err.to_string().contains("`x` is not a job id"), "{err}");
        let _ = std::fs::remove_file(&dir);
    }
}
