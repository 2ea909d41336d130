//! Go's `time.Duration`: its `String` form for whole seconds (`1h2m3s`) and `time.ParseDuration`.

/// Nanoseconds rounded to whole seconds, halves away from zero, as `Duration.Round(time.Second)`.
pub(crate) fn round_to_seconds(nanos: i128) -> i128 {
    let s = 1_000_000_000;
    let rounded = (nanos.abs() + s / 2) / s;
    if nanos < 0 { -rounded } else { rounded }
}

/// Sprig's `durationRound`: the largest whole unit strictly exceeded, of years (365 days), months (30
/// days, written `m` like minutes, as Sprig does), days, hours, minutes and seconds, without a sign;
/// `0s` below a second.
pub(crate) fn round_coarse(nanos: i128) -> String {
    let u = nanos.unsigned_abs();
    let second = 1_000_000_000u128;
    let units = [
        (second * 3600 * 24 * 365, "y"),
        (second * 3600 * 24 * 30, "m"),
        (second * 3600 * 24, "d"),
        (second * 3600, "h"),
        (second * 60, "m"),
        (second, "s"),
    ];
    for (size, name) in units {
        if u > size {
            return format!("{}{name}", u / size);
        }
    }
    "0s".into()
}

/// `Duration.String` of a whole number of seconds: `0s`, `45s`, `1m30s`, `2h0m5s`, with a leading `-`.
pub(crate) fn format_seconds(secs: i128) -> String {
    if secs == 0 {
        return "0s".into();
    }
    let sign = if secs < 0 { "-" } else { "" };
    let a = secs.unsigned_abs();
    let (h, m, s) = (a / 3600, a / 60 % 60, a % 60);
    if h > 0 {
        format!("{sign}{h}h{m}m{s}s")
    } else if m > 0 {
        format!("{sign}{m}m{s}s")
    } else {
        format!("{sign}{s}s")
    }
}

/// `time.ParseDuration`: a signed sequence of decimal numbers with units (`ns`, `us`, `µs`, `ms`, `s`,
/// `m`, `h`), in nanoseconds.
pub(crate) fn parse(text: &str) -> Result<i128, String> {
    let bad = || format!("time: invalid duration {text:?}");
    let (neg, mut rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(bad());
    }
    let mut total: f64 = 0.0;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let num = &rest[..num_len];
        if num.is_empty() || num == "." {
            return Err(bad());
        }
        let value: f64 = num.parse().map_err(|_| bad())?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_len] {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            "" => return Err(format!("time: missing unit in duration {text:?}")),
            u => return Err(format!("time: unknown unit {u:?} in duration {text:?}")),
        };
        rest = &rest[unit_len..];
        total += value * scale;
    }
    if total > i64::MAX as f64 {
        return Err(bad());
    }
    let n = total.round() as i128;
    Ok(if neg { -n } else { n })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_print_and_parse_like_go() {
        assert_eq!(format_seconds(90), "1m30s");
        assert_eq!(format_seconds(3605), "1h0m5s");
        assert_eq!(format_seconds(-5), "-5s");
        assert_eq!(parse("1h30m"), Ok(5_400_000_000_000));
        assert_eq!(parse("-1.5h"), Ok(-5_400_000_000_000));
        assert_eq!(parse("0"), Ok(0));
        assert!(parse("5").is_err());
        assert!(parse("1x").is_err());
        assert_eq!(round_to_seconds(1_500_000_000), 2);
        assert_eq!(round_to_seconds(1_499_999_999), 1);
        assert_eq!(round_to_seconds(-1_500_000_000), -2);
        assert_eq!(round_to_seconds(-4_999_990_000), -5);
        assert_eq!(round_coarse(parse("2h30m").unwrap()), "2h");
        assert_eq!(round_coarse(parse("-49h").unwrap()), "2d");
        assert_eq!(round_coarse(parse("1h").unwrap()), "60m");
        assert_eq!(round_coarse(0), "0s");
    }
}
