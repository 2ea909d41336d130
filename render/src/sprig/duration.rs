//! Go's `time.Duration`: its `String` form for whole seconds (`1h2m3s`) and `time.ParseDuration`.

/// Nanoseconds rounded to whole seconds, halves away from zero, as `Duration.Round(time.Second)`.
pub(crate) fn round_to_seconds(nanos: i128) -> i128 {
    let s = 1_000_000_000;
    let r = nanos.rem_euclid(s);
    let down = nanos - r;
    if r + r < s { down / s } else { down / s + 1 }
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
    }
}
