//! RFC 3339 times for API bodies, as EMCO's Go `time.Time` marshals them, and read back from queries.

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

/// Parses an RFC 3339 time (`2026-11-29T10:21:08Z`, `2026-11-29T11:21:08.5+01:00`); the error says which
/// rule the text breaks.
pub fn parse_rfc3339(text: &str) -> Result<Timestamp, &'static str> {
    const SHAPE: &str = "must be an RFC 3339 time such as 2026-11-29T10:21:08Z";
    let b = text.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return Err(SHAPE);
    }
    if b[13] != b':' || b[16] != b':' {
        return Err(SHAPE);
    }
    let num = |from: usize, to: usize| digits(text.get(from..to).ok_or(SHAPE)?).ok_or(SHAPE);
    let (y, mo, d) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    let (h, mi, s) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    let mut rest = text.get(19..).ok_or(SHAPE)?;
    let mut nanos = 0i64;
    if let Some(frac) = rest.strip_prefix('.') {
        let len = frac.bytes().take_while(u8::is_ascii_digit).count();
        if len == 0 || len > 9 {
            return Err("fractional seconds must have 1 to 9 digits");
        }
        let scale = 10i64.pow(9 - u32::try_from(len).unwrap_or(9));
        nanos = digits(&frac[..len]).ok_or(SHAPE)? * scale;
        rest = &frac[len..];
    }
    let offset_minutes = match rest.as_bytes() {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            const OFFSET: &str = "the offset must be +hh:mm or -hh:mm";
            let minutes =
                digits(&rest[1..3]).ok_or(OFFSET)? * 60 + digits(&rest[4..6]).ok_or(OFFSET)?;
            if *sign == b'-' { -minutes } else { minutes }
        }
        _ => return Err("must end with Z or an offset such as +01:00"),
    };
    let days_in_month = match mo {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) => 29,
        2 => 28,
        _ => return Err("the month must be 01 to 12"),
    };
    if d < 1 || d > days_in_month || h > 23 || mi > 59 || s > 60 {
        return Err("the date or time of day is out of range");
    }
    // A leap second (:60) counts as the next second, as most systems do.
    let secs = days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s - offset_minutes * 60;
    secs.checked_mul(1_000_000_000)
        .and_then(|n| n.checked_add(nanos))
        .map(Timestamp::from_unix_nanos)
        .ok_or("is outside the years 1678 to 2262")
}

/// The value of a run of ASCII digits.
fn digits(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Howard Hinnant's `days_from_civil`: days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
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

    #[test]
    fn parsing_inverts_formatting_and_applies_offsets() {
        for nanos in [
            0,
            951_827_696_500_000_000,
            -1_000_000_000,
            1_795_000_000_123_456_789,
        ] {
            let t = Timestamp::from_unix_nanos(nanos);
            assert_eq!(parse_rfc3339(&rfc3339(t)), Ok(t), "{}", rfc3339(t));
        }
        assert_eq!(
            parse_rfc3339("2000-02-29T13:34:56.5+01:00"),
            Ok(Timestamp::from_unix_nanos(951_827_696_500_000_000))
        );
        assert_eq!(
            parse_rfc3339("1970-01-01t00:00:00-00:30"),
            Ok(Timestamp::from_unix_nanos(1_800_000_000_000))
        );
    }

    #[test]
    fn malformed_times_name_the_rule() {
        for (text, rule) in [
            ("2026-11-29", "RFC 3339"),
            ("2026-11-29T10:21:08", "RFC 3339"),
            ("2026-11-29T10:21:08+0100", "offset"),
            ("2026-13-01T00:00:00Z", "month"),
            ("2026-02-29T00:00:00Z", "out of range"),
            ("2026-11-29T24:00:00Z", "out of range"),
            ("2026-11-29T10:21:08.Z", "fractional"),
            ("2026-1x-29T10:21:08Z", "RFC 3339"),
        ] {
            let e = parse_rfc3339(text).unwrap_err();
            assert!(e.contains(rule), "{text:?}: {e}");
        }
    }
}
