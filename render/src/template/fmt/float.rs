//! Go's `strconv.FormatFloat` for the `e`, `f` and `g` formats, built on Rust's exact decimal conversion.

/// Decimal digits (no trailing zeros) and the decimal point position: value = 0.DIGITS × 10^dp.
fn decimal(f: f64, sig: Option<usize>) -> (Vec<u8>, i32) {
    if f == 0.0 {
        return (Vec::new(), 0);
    }
    let s = match sig {
        None => format!("{f:e}"),
        Some(p) => format!("{:.*e}", p.max(1) - 1, f),
    };
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let mut digits: Vec<u8> = mant.bytes().filter(u8::is_ascii_digit).collect();
    while digits.len() > 1 && digits.last() == Some(&b'0') {
        digits.pop();
    }
    (digits, exp + 1)
}

fn fmt_e(digits: &[u8], dp: i32, decimals: usize, upper: bool) -> String {
    let mut out = String::new();
    out.push(digits.first().map_or('0', |d| *d as char));
    if decimals > 0 {
        out.push('.');
        for i in 1..=decimals {
            out.push(digits.get(i).map_or('0', |d| *d as char));
        }
    }
    let exp = if digits.is_empty() { 0 } else { dp - 1 };
    out.push(if upper { 'E' } else { 'e' });
    out.push(if exp < 0 { '-' } else { '+' });
    out.push_str(&format!("{:02}", exp.unsigned_abs()));
    out
}

fn fmt_f(digits: &[u8], dp: i32, decimals: usize) -> String {
    let mut out = String::new();
    if dp > 0 {
        for i in 0..dp as usize {
            out.push(digits.get(i).map_or('0', |d| *d as char));
        }
    } else {
        out.push('0');
    }
    if decimals > 0 {
        out.push('.');
        for i in 0..decimals as i32 {
            let idx = dp + i;
            let d = if idx >= 0 {
                digits.get(idx as usize).map_or('0', |d| *d as char)
            } else {
                '0'
            };
            out.push(d);
        }
    }
    out
}

/// Format a non-negative `f` (the caller adds the sign) with verb `e`, `E`, `f`, `F`, `g` or `G`;
/// `prec` is `None` for the shortest representation that round-trips.
pub(crate) fn format_float(f: f64, verb: char, prec: Option<usize>, sharp: bool) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return "Inf".into();
    }
    match verb {
        'f' | 'F' => format!("{:.*}", prec.unwrap_or(6), f),
        'e' | 'E' => {
            let p = prec.unwrap_or(6);
            let s = format!("{f:.p$e}");
            let (digits, dp) = decimal_from(&s);
            fmt_e(&digits, dp, p, verb == 'E')
        }
        _ => {
            let upper = verb == 'G';
            let (digits, dp) = decimal(f, prec.map(|p| p.max(1)));
            let nd = digits.len();
            let shortest = prec.is_none();
            let mut p = prec.map_or(nd, |p| p.max(1));
            let mut eprec = p;
            if eprec > nd && nd as i32 >= dp {
                eprec = nd;
            }
            if shortest {
                eprec = 6;
            }
            if sharp {
                eprec = prec.unwrap_or(6).max(1);
            }
            let exp = dp - 1;
            if exp < -4 || exp >= eprec as i32 {
                if sharp {
                    return fmt_e(&digits, dp, eprec - 1, upper);
                }
                if p > nd {
                    p = nd;
                }
                return fmt_e(&digits, dp, p.saturating_sub(1), upper);
            }
            if sharp {
                let decimals = (eprec as i32 - dp).max(0) as usize;
                return fmt_f(&digits, dp, decimals);
            }
            if p as i32 > dp {
                p = nd;
            }
            fmt_f(&digits, dp, (p as i32 - dp).max(0) as usize)
        }
    }
}

/// Digits and point position from Rust's `{:e}` output, keeping trailing zeros.
fn decimal_from(s: &str) -> (Vec<u8>, i32) {
    let (mant, exp) = s.split_once('e').unwrap_or((s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    (mant.bytes().filter(u8::is_ascii_digit).collect(), exp + 1)
}

#[cfg(test)]
mod tests {
    use super::format_float;

    #[test]
    fn shortest_g_matches_go() {
        let g = |f| format_float(f, 'g', None, false);
        assert_eq!(g(1e6), "1e+06");
        assert_eq!(g(3.5), "3.5");
        assert_eq!(g(100.0), "100");
        assert_eq!(g(123456789.0), "1.23456789e+08");
        assert_eq!(g(0.0001), "0.0001");
        assert_eq!(g(0.00001), "1e-05");
        assert_eq!(g(0.0), "0");
    }

    #[test]
    fn fixed_precision_formats_match_go() {
        assert_eq!(format_float(3.14259, 'e', Some(2), false), "3.14e+00");
        assert_eq!(format_float(1234.5678, 'E', None, false), "1.234568E+03");
        assert_eq!(format_float(2.5, 'f', Some(0), false), "2");
        assert_eq!(format_float(1234.5678, 'g', Some(3), false), "1.23e+03");
        assert_eq!(format_float(0.5, 'g', Some(3), false), "0.5");
        assert_eq!(format_float(100.0, 'g', Some(3), false), "100");
    }
}
