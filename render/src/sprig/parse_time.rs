//! Go's `time.Parse` by reference layout, for Sprig's `toDate`: the numeric and named elements of
//! [`time`](super::time)'s layouts, with zones given as offsets (`Z07:00`, `-0700`, ...) or as `UTC`/`GMT`.
//! A time without a zone is UTC (Go's `time.Local` on a machine set to UTC).

use super::time::{Chunk, DAYS, MONTHS, Time, days_from_civil, next_chunk};

/// Go's zero `time.Time`, 0001-01-01 00:00:00 UTC, which `toDate` gives for text that does not parse.
pub(crate) fn zero() -> Time {
    Time::utc(days_from_civil(1, 1, 1) * 86_400, 0)
}

#[derive(Default)]
struct Fields {
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
    nanos: u32,
    pm: Option<bool>,
    offset: Option<i32>,
    zone: Option<String>,
}

/// Parses `value` by `layout`.
pub(crate) fn parse(layout: &str, value: &str) -> Result<Time, String> {
    let bad = |what: &str| format!("parsing time {value:?} as {layout:?}: cannot parse {what}");
    let mut f = Fields {
        year: 1,
        month: 1,
        day: 1,
        ..Fields::default()
    };
    let (mut rest_layout, mut v) = (layout, value);
    while let Some((prefix, chunk, tail)) = next_chunk(rest_layout) {
        v = v
            .strip_prefix(prefix)
            .ok_or_else(|| bad(&format!("{v:?} as {prefix:?}")))?;
        v = element(&mut f, chunk, v).ok_or_else(|| bad(&format!("{v:?}")))?;
        rest_layout = tail;
    }
    v = v
        .strip_prefix(rest_layout)
        .ok_or_else(|| bad(&format!("{v:?}")))?;
    if !v.is_empty() {
        return Err(format!("parsing time {value:?}: extra text: {v:?}"));
    }
    if let Some(pm) = f.pm {
        if f.hour > 12 {
            return Err(bad("hour"));
        }
        f.hour = f.hour % 12 + if pm { 12 } else { 0 };
    }
    let in_month = [
        31,
        if leap(f.year) { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&f.month) || f.day < 1 || f.day > in_month[f.month as usize - 1] {
        return Err(format!("parsing time {value:?}: day out of range"));
    }
    if f.hour > 23 || f.minute > 59 || f.second > 59 {
        return Err(format!(
            "parsing time {value:?}: hour, minute or second out of range"
        ));
    }
    let offset = f.offset.unwrap_or(0);
    let local =
        days_from_civil(f.year, f.month, f.day) * 86_400 + f.hour * 3600 + f.minute * 60 + f.second;
    Ok(Time {
        unix: local - i64::from(offset),
        nanos: f.nanos,
        offset,
        zone: f.zone.unwrap_or_else(|| {
            if offset == 0 {
                "UTC".into()
            } else {
                String::new()
            }
        }),
    })
}

fn leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

/// Up to `max` digits (at least `min`) as a number, and the rest.
fn digits(v: &str, min: usize, max: usize) -> Option<(i64, &str)> {
    let n = v.bytes().take(max).take_while(u8::is_ascii_digit).count();
    if n < min {
        return None;
    }
    Some((v[..n].parse().ok()?, &v[n..]))
}

fn named<'a>(v: &'a str, names: &[&str], short: bool) -> Option<(i64, &'a str)> {
    names.iter().enumerate().find_map(|(i, name)| {
        let name = if short { &name[..3] } else { name };
        let head = v.get(..name.len())?;
        head.eq_ignore_ascii_case(name)
            .then(|| (i as i64, &v[name.len()..]))
    })
}

fn element<'a>(f: &mut Fields, chunk: Chunk, v: &'a str) -> Option<&'a str> {
    let (n, rest) = match chunk {
        Chunk::LongYear => digits(v, 4, 4)?,
        Chunk::Year => {
            let (y, rest) = digits(v, 2, 2)?;
            f.year = if y >= 69 { 1900 + y } else { 2000 + y };
            return Some(rest);
        }
        Chunk::LongMonth | Chunk::Month => {
            let (m, rest) = named(v, &MONTHS, matches!(chunk, Chunk::Month))?;
            f.month = m + 1;
            return Some(rest);
        }
        Chunk::LongWeekDay | Chunk::WeekDay => {
            return named(v, &DAYS, matches!(chunk, Chunk::WeekDay)).map(|(_, r)| r);
        }
        Chunk::ZeroMonth
        | Chunk::ZeroDay
        | Chunk::ZeroHour12
        | Chunk::ZeroMinute
        | Chunk::ZeroSecond => digits(v, 2, 2)?,
        Chunk::UnderDay => digits(v.strip_prefix(' ').unwrap_or(v), 1, 2)?,
        Chunk::UnderYearDay | Chunk::ZeroYearDay => return digits(v, 3, 3).map(|(_, r)| r),
        _ => return other(f, chunk, v),
    };
    match chunk {
        Chunk::LongYear => f.year = n,
        Chunk::ZeroMonth => f.month = n,
        Chunk::ZeroDay | Chunk::UnderDay => f.day = n,
        Chunk::ZeroHour12 => f.hour = n,
        Chunk::ZeroMinute => f.minute = n,
        Chunk::ZeroSecond => {
            f.second = n;
            return Some(fraction(f, rest));
        }
        _ => {}
    }
    Some(rest)
}

fn other<'a>(f: &mut Fields, chunk: Chunk, v: &'a str) -> Option<&'a str> {
    match chunk {
        Chunk::NumMonth => digits(v, 1, 2).map(|(n, r)| {
            f.month = n;
            r
        }),
        Chunk::Day => digits(v, 1, 2).map(|(n, r)| {
            f.day = n;
            r
        }),
        Chunk::Hour => digits(v, 1, 2).map(|(n, r)| {
            f.hour = n;
            r
        }),
        Chunk::Hour12 => digits(v, 1, 2).map(|(n, r)| {
            f.hour = n;
            r
        }),
        Chunk::Minute => digits(v, 1, 2).map(|(n, r)| {
            f.minute = n;
            r
        }),
        Chunk::Second => {
            let (n, r) = digits(v, 1, 2)?;
            f.second = n;
            Some(fraction(f, r))
        }
        Chunk::PM | Chunk::Pm => {
            let head = v.get(..2)?;
            f.pm = Some(match head.to_ascii_uppercase().as_str() {
                "AM" => false,
                "PM" => true,
                _ => return None,
            });
            Some(&v[2..])
        }
        Chunk::Tz => {
            let len = v.bytes().take_while(u8::is_ascii_uppercase).count();
            if len < 3 {
                return None;
            }
            f.zone = Some(v[..len].to_string());
            f.offset.get_or_insert(0);
            Some(&v[len..])
        }
        Chunk::Offset {
            z,
            colon,
            seconds,
            hours_only,
        } => {
            if z && let Some(r) = v.strip_prefix('Z') {
                f.offset = Some(0);
                f.zone = Some("UTC".into());
                return Some(r);
            }
            let sign = match v.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let mut r = &v[1..];
            let part = |r: &mut &'a str, sep: bool| -> Option<i64> {
                if sep {
                    *r = r.strip_prefix(':')?;
                }
                let (n, rest) = digits(r, 2, 2)?;
                *r = rest;
                Some(n)
            };
            let h = part(&mut r, false)?;
            let m = if hours_only { 0 } else { part(&mut r, colon)? };
            let s = if seconds { part(&mut r, colon)? } else { 0 };
            f.offset = Some(sign * (h * 3600 + m * 60 + s) as i32);
            Some(r)
        }
        Chunk::Fraction { .. } => Some(fraction(f, v)),
        _ => None,
    }
}

/// A `.123` or `,123` fraction of a second, which Go accepts after seconds whatever the layout says.
fn fraction<'a>(f: &mut Fields, v: &'a str) -> &'a str {
    let Some(after) = v.strip_prefix(['.', ',']) else {
        return v;
    };
    let n = after.bytes().take_while(u8::is_ascii_digit).count();
    if n == 0 {
        return v;
    }
    let mut text = after[..n.min(9)].to_string();
    while text.len() < 9 {
        text.push('0');
    }
    f.nanos = text.parse().unwrap_or(0);
    &after[n..]
}
