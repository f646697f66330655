//! Baseline comparison: for each endpoint, the per-interval samples of p50, p99 and
//! throughput of two runs go through a two-sided Mann-Whitney U test; a difference
//! counts only when it is both significant and at least a minimum relative size.

use serde::{Deserialize, Serialize};

use crate::database::DatabaseRun;
use crate::summary::{RunResult, Sample};

/// How strict the comparison is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CompareSettings {
    /// Family-wise significance level, split over the metrics (Bonferroni).
    pub alpha: f64,
    /// Smallest relative change of the medians that counts (0.1 = 10%).
    pub min_effect: f64,
}

impl Default for CompareSettings {
    fn default() -> Self {
        CompareSettings {
            alpha: 0.01,
            min_effect: 0.10,
        }
    }
}

/// Fewer intervals than this on either side: no verdict can be reached.
pub const MIN_SAMPLES: usize = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Improved,
    Regressed,
    NoDetectableChange,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Improved => "improved",
            Verdict::Regressed => "regressed",
            Verdict::NoDetectableChange => "no detectable change",
        }
    }
}

/// One metric of one endpoint, baseline against current.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricComparison {
    /// `p50`, `p99` (microseconds) or `rps`.
    pub metric: String,
    pub baseline_median: f64,
    pub current_median: f64,
    /// (current - baseline) / baseline.
    pub change: f64,
    pub p_value: f64,
    pub verdict: Verdict,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EndpointComparison {
    pub endpoint: String,
    pub verdict: Verdict,
    pub metrics: Vec<MetricComparison>,
    /// Why no verdict could be reached, when that is the case.
    pub note: Option<String>,
}

/// Compares every endpoint of `current` that also appears in `baseline`.
pub fn compare(
    baseline: &RunResult,
    current: &RunResult,
    settings: CompareSettings,
) -> Vec<EndpointComparison> {
    current
        .endpoints
        .iter()
        .filter_map(|endpoint| {
            let before = baseline
                .endpoints
                .iter()
                .find(|b| b.name == endpoint.name)?;
            Some(compare_series(
                &endpoint.name,
                &before.series,
                &endpoint.series,
                settings,
            ))
        })
        .collect()
}

/// Compares every pool size of `current` that `baseline` also swept, over the steps'
/// per-interval samples (`rps` is successful queries/s). Each is named `pool N`.
pub fn compare_databases(
    baseline: &DatabaseRun,
    current: &DatabaseRun,
    settings: CompareSettings,
) -> Vec<EndpointComparison> {
    current
        .steps
        .iter()
        .filter_map(|step| {
            let before = baseline
                .steps
                .iter()
                .find(|b| b.pool_size == step.pool_size)?;
            Some(compare_series(
                &format!("pool {}", step.pool_size),
                &before.series,
                &step.series,
                settings,
            ))
        })
        .collect()
}

type Extract = fn(&Sample) -> f64;

fn compare_series(
    name: &str,
    baseline: &[Sample],
    current: &[Sample],
    settings: CompareSettings,
) -> EndpointComparison {
    // (metric, value, whether higher is better)
    let metrics: [(&str, Extract, bool); 3] = [
        ("p50", |s| s.p50 as f64, false),
        ("p99", |s| s.p99 as f64, false),
        ("rps", |s| s.rps, true),
    ];
    let busy = |samples: &[Sample]| -> Vec<Sample> {
        samples.iter().filter(|s| s.requests > 0).cloned().collect()
    };
    let (baseline, current) = (busy(baseline), busy(current));
    if baseline.len() < MIN_SAMPLES || current.len() < MIN_SAMPLES {
        return EndpointComparison {
            endpoint: name.to_owned(),
            verdict: Verdict::NoDetectableChange,
            metrics: Vec::new(),
            note: Some(format!(
                "too few intervals with traffic ({} baseline, {} now; need {MIN_SAMPLES}): \
                 run longer or use a shorter sample_interval",
                baseline.len(),
                current.len()
            )),
        };
    }
    let alpha = settings.alpha / metrics.len() as f64;
    let mut results = Vec::new();
    for (metric, extract, higher_is_better) in metrics {
        let a: Vec<f64> = baseline.iter().map(extract).collect();
        let b: Vec<f64> = current.iter().map(extract).collect();
        let (ma, mb) = (median(&a), median(&b));
        let change = if ma > 0.0 { (mb - ma) / ma } else { 0.0 };
        let p_value = mann_whitney_p(&a, &b);
        let verdict = if p_value >= alpha || change.abs() < settings.min_effect {
            Verdict::NoDetectableChange
        } else if (change > 0.0) == higher_is_better {
            Verdict::Improved
        } else {
            Verdict::Regressed
        };
        results.push(MetricComparison {
            metric: metric.to_owned(),
            baseline_median: ma,
            current_median: mb,
            change,
            p_value,
            verdict,
        });
    }
    let verdict = if results.iter().any(|m| m.verdict == Verdict::Regressed) {
        Verdict::Regressed
    } else if results.iter().any(|m| m.verdict == Verdict::Improved) {
        Verdict::Improved
    } else {
        Verdict::NoDetectableChange
    };
    EndpointComparison {
        endpoint: name.to_owned(),
        verdict,
        metrics: results,
        note: None,
    }
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    if n == 0 {
        0.0
    } else if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

/// Two-sided p-value of the Mann-Whitney U test (normal approximation with tie and
/// continuity corrections; fine from about 5 samples a side).
pub fn mann_whitney_p(a: &[f64], b: &[f64]) -> f64 {
    let (n1, n2) = (a.len() as f64, b.len() as f64);
    if a.is_empty() || b.is_empty() {
        return 1.0;
    }
    let mut all: Vec<(f64, bool)> = a
        .iter()
        .map(|v| (*v, true))
        .chain(b.iter().map(|v| (*v, false)))
        .collect();
    all.sort_by(|x, y| x.0.total_cmp(&y.0));
    let n = all.len();
    let mut rank_sum_a = 0.0;
    let mut ties = 0.0;
    let mut i = 0;
    while i < n {
        let mut j = i;
        while j + 1 < n && all[j + 1].0 == all[i].0 {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        let t = (j - i + 1) as f64;
        ties += t * t * t - t;
        rank_sum_a += rank * all[i..=j].iter().filter(|(_, from_a)| *from_a).count() as f64;
        i = j + 1;
    }
    let u = rank_sum_a - n1 * (n1 + 1.0) / 2.0;
    let mean = n1 * n2 / 2.0;
    let total = n1 + n2;
    let variance = n1 * n2 / 12.0 * ((total + 1.0) - ties / (total * (total - 1.0)));
    if variance <= 0.0 {
        return 1.0;
    }
    let z = ((u - mean).abs() - 0.5).max(0.0) / variance.sqrt();
    erfc(z / std::f64::consts::SQRT_2).min(1.0)
}

/// The complementary error function (Chebyshev fit, fractional error below 1.2e-7).
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let answer = t * poly.exp();
    if x >= 0.0 {
        answer
    } else {
        2.0 - answer
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erfc_matches_known_values() {
        assert!((erfc(0.0) - 1.0).abs() < 1e-6);
        assert!((erfc(1.0) - 0.157_299_207).abs() < 1e-6);
        assert!((erfc(2.0) - 0.004_677_735).abs() < 1e-6);
    }

    #[test]
    fn mann_whitney_separates_shifted_samples_and_not_equal_ones() {
        let a: Vec<f64> = (0..20).map(|i| 100.0 + f64::from(i % 7)).collect();
        let shifted: Vec<f64> = a.iter().map(|v| v + 10.0).collect();
        assert!(mann_whitney_p(&a, &shifted) < 1e-6);
        assert!(mann_whitney_p(&a, &a) > 0.9);
        // Textbook case: U = 3 for n1 = n2 = 5 gives two-sided p ~ 0.075 (normal approx).
        let x = [1.0, 2.0, 3.0, 4.0, 8.0];
        let y = [5.0, 6.0, 7.0, 9.0, 10.0];
        let p = mann_whitney_p(&x, &y);
        assert!((0.05..0.11).contains(&p), "{p}");
    }

    fn samples(p50: &[u64]) -> Vec<Sample> {
        p50.iter()
            .map(|v| Sample {
                requests: 10,
                rps: 100.0,
                p50: *v,
                p99: v * 2,
                ..Sample::default()
            })
            .collect()
    }

    #[test]
    fn verdicts_need_significance_and_effect_size() {
        let base = samples(&[1000, 1010, 990, 1005, 995, 1002, 998, 1001]);
        let slower = samples(&[1200, 1210, 1190, 1205, 1195, 1202, 1198, 1201]);
        let tiny = samples(&[1020, 1030, 1010, 1025, 1015, 1022, 1018, 1021]);
        let s = CompareSettings::default();
        assert_eq!(
            compare_series("e", &base, &slower, s).verdict,
            Verdict::Regressed
        );
        assert_eq!(
            compare_series("e", &slower, &base, s).verdict,
            Verdict::Improved
        );
        // Significant but 2%: below the minimum effect.
        assert_eq!(
            compare_series("e", &base, &tiny, s).verdict,
            Verdict::NoDetectableChange
        );
        let few = compare_series("e", &base[..3], &slower, s);
        assert_eq!(few.verdict, Verdict::NoDetectableChange);
        assert!(few.note.unwrap().contains("too few intervals"));
    }
}
