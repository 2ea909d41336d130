//! Durations as people write them, Go's way: `90s`, `10m`, `1h30m`, `2d`, `500ms`. The flags
//! `--events-max-age`, `canopy events --since`, `canopy status --timeout` and `canopy demo --timeout`, and the
//! `since` of `GET /v2/events`, take them.

use std::time::Duration;

/// A duration argument is malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "duration {text:?}: {rule} (write a number and a unit, ms, s, m, h or d, repeated: 90s, 10m, 1h30m)"
)]
pub struct Error {
    /// The argument.
    pub text: String,
    /// The rule it breaks.
    pub rule: &'static str,
}

/// Parses `text` as one or more `<number><unit>` pairs, added up.
pub fn parse(text: &str) -> Result<Duration, Error> {
    let fail = |rule| Error {
        text: text.to_owned(),
        rule,
    };
    if text.is_empty() {
        return Err(fail("must not be empty"));
    }
    let mut total = Duration::ZERO;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(fail("each part must start with a number"));
        }
        let (number, after) = rest.split_at(digits);
        let number: u64 = number
            .parse()
            .map_err(|_| fail("the number is too large"))?;
        let unit_len = after.bytes().take_while(u8::is_ascii_alphabetic).count();
        let (unit, after) = after.split_at(unit_len);
        let unit = match unit {
            "ms" => Duration::from_millis(1),
            "s" => Duration::from_secs(1),
            "m" => Duration::from_secs(60),
            "h" => Duration::from_secs(3600),
            "d" => Duration::from_secs(86_400),
            "" => return Err(fail("each number needs a unit")),
            _ => return Err(fail("the unit must be ms, s, m, h or d")),
        };
        let part = u32::try_from(number)
            .ok()
            .and_then(|n| unit.checked_mul(n))
            .ok_or_else(|| fail("the number is too large"))?;
        total = total
            .checked_add(part)
            .ok_or_else(|| fail("the number is too large"))?;
        rest = after;
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_style_durations_add_up() {
        assert_eq!(parse("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse("2d"), Ok(Duration::from_secs(172_800)));
        assert_eq!(parse("1s500ms"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse("0s"), Ok(Duration::ZERO));
    }

    #[test]
    fn malformed_durations_name_the_rule() {
        for (text, rule) in [
            ("", "must not be empty"),
            ("m", "start with a number"),
            ("10", "needs a unit"),
            ("10x", "ms, s, m, h or d"),
            ("10m-", "start with a number"),
            ("99999999999999999999s", "too large"),
        ] {
            let e = parse(text).unwrap_err();
            assert!(e.rule.contains(rule), "{text:?}: {e}");
            assert!(e.to_string().contains(&format!("{text:?}")), "{e}");
        }
    }
}
