//! Open-loop send times: the k-th arrival of a run happens when the integral of the
//! rate reaches k, over consecutive segments whose rate is constant or ramps linearly.

/// One segment of the rate function.
#[derive(Debug, Clone, Copy)]
struct Segment {
    /// Seconds from the run's start.
    start: f64,
    length: f64,
    from: f64,
    to: f64,
    /// Arrivals before this segment.
    before: f64,
}

impl Segment {
    fn arrivals(&self) -> f64 {
        (self.from + self.to) / 2.0 * self.length
    }
}

/// A piecewise-linear arrival rate, from the run's start (warm-up included).
#[derive(Debug, Clone, Default)]
pub(crate) struct Schedule {
    segments: Vec<Segment>,
}

impl Schedule {
    /// Appends `length` seconds ramping from `from` to `to` requests/s (equal: constant).
    /// `length` may be infinite (a request-count run at a constant rate).
    pub fn push(&mut self, length: f64, from: f64, to: f64) {
        let (start, before) = self.segments.last().map_or((0.0, 0.0), |last| {
            (last.start + last.length, last.before + last.arrivals())
        });
        self.segments.push(Segment {
            start,
            length,
            from,
            to,
            before,
        });
    }

    /// Arrivals in the first `seconds` of the schedule.
    pub fn arrivals_until(&self, seconds: f64) -> f64 {
        let mut total = 0.0;
        for segment in &self.segments {
            if seconds <= segment.start {
                break;
            }
            let t = (seconds - segment.start).min(segment.length);
            let slope = if segment.length.is_finite() {
                (segment.to - segment.from) / segment.length
            } else {
                0.0
            };
            total = segment.before + segment.from * t + slope * t * t / 2.0;
        }
        total
    }

    /// When arrival `index` (0-based) is due, in seconds from the start; `None` once the
    /// schedule has ended.
    pub fn time_of(&self, index: u64) -> Option<f64> {
        let n = index as f64;
        let segment = self
            .segments
            .iter()
            .find(|s| n < s.before + s.arrivals() || !s.length.is_finite())?;
        let n = n - segment.before;
        let b = segment.from;
        let a = if segment.length.is_finite() {
            (segment.to - segment.from) / (2.0 * segment.length)
        } else {
            0.0
        };
        let t = if a.abs() < 1e-12 {
            if b <= 0.0 {
                return None;
            }
            n / b
        } else {
            (-b + (b * b + 4.0 * a * n).max(0.0).sqrt()) / (2.0 * a)
        };
        Some(segment.start + t.clamp(0.0, segment.length))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_rate_spaces_arrivals_evenly() {
        let mut schedule = Schedule::default();
        schedule.push(2.0, 100.0, 100.0);
        assert_eq!(schedule.time_of(0), Some(0.0));
        assert!((schedule.time_of(50).unwrap() - 0.5).abs() < 1e-9);
        assert!((schedule.time_of(199).unwrap() - 1.99).abs() < 1e-9);
        assert_eq!(schedule.time_of(200), None);
    }

    #[test]
    fn ramps_follow_the_integral_of_the_rate() {
        let mut schedule = Schedule::default();
        schedule.push(1.0, 100.0, 100.0);
        schedule.push(2.0, 0.0, 200.0); // 200 arrivals, quadratic
        schedule.push(1.0, 50.0, 50.0);
        assert!((schedule.arrivals_until(3.0) - 300.0).abs() < 1e-9);
        // In the ramp, N(t) = 50 t^2 after its start: 50 arrivals at t = 1s into it.
        assert!((schedule.time_of(150).unwrap() - 2.0).abs() < 1e-9);
        assert!((schedule.time_of(325).unwrap() - 3.5).abs() < 1e-9);
        assert_eq!(schedule.time_of(350), None);
        // Times never go backwards.
        let times: Vec<f64> = (0..350).map(|i| schedule.time_of(i).unwrap()).collect();
        assert!(times.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn an_endless_constant_segment_never_ends() {
        let mut schedule = Schedule::default();
        schedule.push(f64::INFINITY, 10.0, 10.0);
        assert_eq!(schedule.time_of(1_000_000), Some(100_000.0));
    }
}
