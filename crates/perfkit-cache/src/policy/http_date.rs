//! HTTP-date parsing (RFC 9110 §5.6.7): the IMF-fixdate, the obsolete RFC 850 and
//! asctime formats, each at its exact layout. Robust where the RFC encourages it: day
//! and month names and `GMT` in any case, and a day name that does not match the date
//! is not a reason to reject it (the day name is redundant). Anything else (another
//! zone, a two-digit year in an IMF-fixdate, missing punctuation, doubled spaces, a
//! one-digit hour) is invalid.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

const DAYS: [&[u8; 3]; 7] = [b"mon", b"tue", b"wed", b"thu", b"fri", b"sat", b"sun"];
const LONG_DAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];
const MONTHS: [&[u8; 3]; 12] = [
    b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov", b"dec",
];

/// An HTTP-date in any of the three formats; `None` when it is none of them.
pub fn parse(text: &str) -> Option<SystemTime> {
    let text = text.trim();
    if !text.is_ascii() {
        return None;
    }
    // The fourth byte tells the formats apart: `Sun,` / `Sun ` / `Sunday,`.
    match text.as_bytes().get(3)? {
        b',' => imf_fixdate(text),
        b' ' => asctime(text),
        _ => rfc850(text, SystemTime::now()),
    }
}

/// `Sun, 06 Nov 1994 08:49:37 GMT`
fn imf_fixdate(text: &str) -> Option<SystemTime> {
    let b = text.as_bytes();
    if b.len() != 29 || &b[3..5] != b", " || b[7] != b' ' || b[11] != b' ' || b[16] != b' ' {
        return None;
    }
    short_day(&text[..3])?;
    if !text[25..].eq_ignore_ascii_case(" GMT") {
        return None;
    }
    let day = digits(&text[5..7])?;
    let month = month(&text[8..11])?;
    let year = digits(&text[12..16])?;
    let (h, m, s) = time_of_day(&text[17..25])?;
    at(year, month, day, h, m, s)
}

/// `Sunday, 06-Nov-94 08:49:37 GMT`; a year more than 50 years ahead of `now` is in
/// the previous century (RFC 9110 §5.6.7).
fn rfc850(text: &str, now: SystemTime) -> Option<SystemTime> {
    let comma = text.find(',')?;
    let (name, rest) = (&text[..comma], text[comma..].strip_prefix(", ")?);
    LONG_DAYS
        .iter()
        .any(|n| n.eq_ignore_ascii_case(name))
        .then_some(())?;
    let b = rest.as_bytes();
    if b.len() != 22 || b[2] != b'-' || b[6] != b'-' || b[9] != b' ' {
        return None;
    }
    if !rest[18..].eq_ignore_ascii_case(" GMT") {
        return None;
    }
    let day = digits(&rest[..2])?;
    let month = month(&rest[3..6])?;
    let short = digits(&rest[7..9])?;
    let (h, m, s) = time_of_day(&rest[10..18])?;
    let this_year = year_of(now);
    let mut year = this_year - this_year % 100 + short;
    if year > this_year + 50 {
        year -= 100;
    }
    at(year, month, day, h, m, s)
}

/// `Sun Nov  6 08:49:37 1994` (the day of month is space-padded).
fn asctime(text: &str) -> Option<SystemTime> {
    let b = text.as_bytes();
    if b.len() != 24 || b[3] != b' ' || b[7] != b' ' || b[10] != b' ' || b[19] != b' ' {
        return None;
    }
    short_day(&text[..3])?;
    let month = month(&text[4..7])?;
    let day = match b[8] {
        b' ' => digits(&text[9..10])?,
        _ => digits(&text[8..10])?,
    };
    let (h, m, s) = time_of_day(&text[11..19])?;
    let year = digits(&text[20..24])?;
    at(year, month, day, h, m, s)
}

/// Three ASCII letters, lower-cased.
fn lower3(text: &str) -> Option<[u8; 3]> {
    let b: [u8; 3] = text.as_bytes().try_into().ok()?;
    Some(b.map(|c| c.to_ascii_lowercase()))
}

fn short_day(name: &str) -> Option<()> {
    let name = lower3(name)?;
    DAYS.iter().any(|d| **d == name).then_some(())
}

fn month(name: &str) -> Option<u64> {
    let name = lower3(name)?;
    MONTHS
        .iter()
        .position(|m| **m == name)
        .map(|i| i as u64 + 1)
}

/// One to four ASCII digits.
fn digits(text: &str) -> Option<u64> {
    if text.is_empty() {
        return None;
    }
    text.bytes().try_fold(0, |n, b| {
        b.is_ascii_digit().then(|| n * 10 + u64::from(b - b'0'))
    })
}

/// `08:49:37`, two digits each.
fn time_of_day(text: &str) -> Option<(u64, u64, u64)> {
    let b = text.as_bytes();
    if b.len() != 8 || b[2] != b':' || b[5] != b':' {
        return None;
    }
    let (h, m, s) = (
        digits(&text[..2])?,
        digits(&text[3..5])?,
        digits(&text[6..8])?,
    );
    // 60 is a leap second, as in RFC 9110's `second` rule.
    (h < 24 && m < 60 && s <= 60).then_some((h, m, s))
}

fn is_leap(year: u64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn month_days(year: u64, month: u64) -> u64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Seconds since the epoch for a valid calendar date from 1970 on.
fn at(year: u64, month: u64, day: u64, h: u64, m: u64, s: u64) -> Option<SystemTime> {
    if !(1970..=9999).contains(&year) || day == 0 || day > month_days(year, month) {
        return None;
    }
    Some(
        UNIX_EPOCH
            + Duration::from_secs(
                days_since_epoch(year, month, day) * 86_400 + h * 3600 + m * 60 + s,
            ),
    )
}

/// Days from 1970-01-01 to a date (the proleptic Gregorian calendar, years from 1970).
fn days_since_epoch(year: u64, month: u64, day: u64) -> u64 {
    // Years counted from March, so that the leap day ends a year.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y / 400;
    let year_of_era = y - era * 400;
    let shifted_month = (month + 9) % 12; // March = 0
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

fn year_of(time: SystemTime) -> u64 {
    let days = time
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
        / 86_400;
    // An estimate from the mean year, corrected by at most one either way.
    let mut year = 1970 + days * 400 / 146_097;
    while days_since_epoch(year, 1, 1) > days {
        year -= 1;
    }
    while days_since_epoch(year + 1, 1, 1) <= days {
        year += 1;
    }
    year
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(text: &str) -> Option<u64> {
        parse(text).map(|t| t.duration_since(UNIX_EPOCH).unwrap().as_secs())
    }

    #[test]
    fn the_three_formats_name_the_same_instant() {
        let expected = Some(784_111_777);
        assert_eq!(secs("Sun, 06 Nov 1994 08:49:37 GMT"), expected);
        assert_eq!(secs("Sunday, 06-Nov-94 08:49:37 GMT"), expected);
        assert_eq!(secs("Sun Nov  6 08:49:37 1994"), expected);
        assert_eq!(secs("Tue, 19 Jan 2038 03:14:08 GMT"), Some(1 << 31));
        assert_eq!(secs("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(secs("Tue, 29 Feb 2000 00:00:00 GMT"), Some(951_782_400));
    }

    #[test]
    fn names_in_any_case_and_a_mismatched_day_name_are_accepted() {
        let expected = secs("Thu, 18 Aug 2050 02:01:18 GMT");
        assert!(expected.is_some());
        assert_eq!(secs("THU, 18 AUG 2050 02:01:18 gmt"), expected);
        assert_eq!(secs("Mon, 18 Aug 2050 02:01:18 GMT"), expected);
        assert_eq!(secs("Thu Aug 18 02:01:18 2050"), expected);
    }

    #[test]
    fn rfc850_years_more_than_50_years_ahead_are_in_the_past_century() {
        let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000); // 2027
        let year = |text: &str| rfc850(text, now).map(year_of);
        assert_eq!(year("Thursday, 18-Aug-50 02:01:18 GMT"), Some(2050));
        assert_eq!(year("Thursday, 18-Aug-77 02:01:18 GMT"), Some(2077));
        assert_eq!(year("Thursday, 18-Aug-78 02:01:18 GMT"), Some(1978));
    }

    #[test]
    fn the_year_of_any_day_matches_counting_years() {
        let mut start = 0; // days since the epoch of 1 January of `year`
        for year in 1970..2500u64 {
            let length = if is_leap(year) { 366 } else { 365 };
            for day in [start, start + 59, start + length - 1] {
                let time = UNIX_EPOCH + Duration::from_secs(day * 86_400 + 86_399);
                assert_eq!(year_of(time), year, "day {day}");
            }
            assert_eq!(days_since_epoch(year, 1, 1), start);
            start += length;
        }
    }

    #[test]
    fn malformed_dates_are_invalid() {
        for text in [
            "Thu, 18 Aug 2050 02:01:18 UTC",
            "Thu, 18 Aug 2050 02:01:18 AEST",
            "Thu, 18 Aug 50 02:01:18 GMT",
            "Thu 18 Aug 2050 02:01:18 GMT",
            "Thu, 18  Aug  2050 02:01:18 GMT",
            "Thu, 18-Aug-2050 02:01:18 GMT",
            "Thu, 18 Aug 2050 02.01.18 GMT",
            "Thu, 18 Aug 2050 2:01:18 GMT",
            "Thu, 31 Feb 2050 02:01:18 GMT",
            "Thu, 18 Aug 2050 24:01:18 GMT",
            "Xyz, 18 Aug 2050 02:01:18 GMT",
            "Thu, 18 Abc 2050 02:01:18 GMT",
            "Thu, 18 Aug 1969 02:01:18 GMT",
            "Thu, 18 Aug 2050 02:01:18 GMTX",
            "Thursday, 18-Aug-2050 02:01:18 GMT",
            "Thu Aug 18 02:01:18 50",
            "0",
            "",
        ] {
            assert_eq!(parse(text), None, "{text}");
        }
    }
}
