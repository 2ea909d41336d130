//! RFC 3339 times for API bodies, as EMCO's Go `time.Time` marshals them.

use canopy_schemas::Timestamp;

/// `t` as `2026-11-29T10:21:08.123456789Z`.
pub fn rfc3339(t: Timestamp) -> String {
    let nanos = t.unix_nanos();
    let secs = nanos.div_euclid(1_000_000_000);
    let frac = nanos.rem_euclid(1_000_000_000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let (hh, mm, ss) = (rem / 3600, rem % 3600 / 60, rem % 60);
    if frac == 0 {
        format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}Z")
    } else {
        format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}.{frac:09}Z")
    }
}

/// Howard Hinnant's `civil_from_days`: the proleptic Gregorian date of a day count since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants() {
        assert_eq!(
            rfc3339(Timestamp::from_unix_nanos(0)),
            "1970-01-01T00:00:00Z"
        );
        // 2000-02-29 (a leap day in a century leap year), 12:34:56.5
        assert_eq!(
            rfc3339(Timestamp::from_unix_nanos(951_827_696_500_000_000)),
            "2000-02-29T12:34:56.500000000Z"
        );
        assert_eq!(
            rfc3339(Timestamp::from_unix_nanos(-1_000_000_000)),
            "1969-12-31T23:59:59Z"
        );
    }
}
