//! Instants formatted the Go way: by a reference-time layout (`2006-01-02T15:04:05Z07:00`), as Sprig's
//! `date`, `dateInZone`, `htmlDate` and `now` need.
//!
//! Zones are UTC or a fixed offset: charts format `now`, which differs on every render anyway, and canopy
//! renders in UTC. A named zone other than `UTC` is an error from the caller.

use std::time::{SystemTime, UNIX_EPOCH};

/// An instant with the offset it is shown in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Time {
    /// Seconds since the Unix epoch.
    pub unix: i64,
    /// Nanoseconds within the second.
    pub nanos: u32,
    /// Offset from UTC in seconds, east positive.
    pub offset: i32,
    /// The zone's abbreviation, e.g. `UTC`.
    pub zone: String,
}

impl Time {
    /// Now, in UTC.
    pub fn now() -> Self {
        let d = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        Self::utc(d.as_secs() as i64, d.subsec_nanos())
    }

    /// An instant in UTC.
    pub fn utc(unix: i64, nanos: u32) -> Self {
        Self {
            unix,
            nanos,
            offset: 0,
            zone: "UTC".into(),
        }
    }

    /// Go's `time.Time.String()` form, which `%v` prints.
    pub fn go_string(&self) -> String {
        self.format("2006-01-02 15:04:05.999999999 -0700 MST")
    }

    fn civil(&self) -> Civil {
        let local = self.unix + i64::from(self.offset);
        let days = local.div_euclid(86_400);
        let secs = local.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        let weekday = (days + 4).rem_euclid(7) as usize; // 1970-01-01 was a Thursday.
        let yday = days - days_from_civil(year, 1, 1) + 1;
        Civil {
            year,
            month,
            day,
            yday,
            weekday,
            hour: secs / 3600,
            minute: secs / 60 % 60,
            second: secs % 60,
        }
    }

    /// Formats by a Go reference layout.
    pub fn format(&self, layout: &str) -> String {
        let c = self.civil();
        let mut out = String::new();
        let mut rest = layout;
        while !rest.is_empty() {
            match next_chunk(rest) {
                Some((prefix, chunk, tail)) => {
                    out.push_str(prefix);
                    self.write_chunk(&mut out, chunk, &c);
                    rest = tail;
                }
                None => {
                    out.push_str(rest);
                    break;
                }
            }
        }
        out
    }

    fn write_chunk(&self, out: &mut String, chunk: Chunk, c: &Civil) {
        use std::fmt::Write;
        let hour12 = if c.hour % 12 == 0 { 12 } else { c.hour % 12 };
        let _ = match chunk {
            Chunk::LongMonth => write!(out, "{}", MONTHS[c.month as usize - 1]),
            Chunk::Month => write!(out, "{}", &MONTHS[c.month as usize - 1][..3]),
            Chunk::NumMonth => write!(out, "{}", c.month),
            Chunk::ZeroMonth => write!(out, "{:02}", c.month),
            Chunk::LongWeekDay => write!(out, "{}", DAYS[c.weekday]),
            Chunk::WeekDay => write!(out, "{}", &DAYS[c.weekday][..3]),
            Chunk::Day => write!(out, "{}", c.day),
            Chunk::UnderDay => write!(out, "{:>2}", c.day),
            Chunk::ZeroDay => write!(out, "{:02}", c.day),
            Chunk::UnderYearDay => write!(out, "{:>3}", c.yday),
            Chunk::ZeroYearDay => write!(out, "{:03}", c.yday),
            Chunk::Hour => write!(out, "{:02}", c.hour),
            Chunk::Hour12 => write!(out, "{hour12}"),
            Chunk::ZeroHour12 => write!(out, "{hour12:02}"),
            Chunk::Minute => write!(out, "{}", c.minute),
            Chunk::ZeroMinute => write!(out, "{:02}", c.minute),
            Chunk::Second => write!(out, "{}", c.second),
            Chunk::ZeroSecond => write!(out, "{:02}", c.second),
            Chunk::LongYear => write!(out, "{:04}", c.year),
            Chunk::Year => write!(out, "{:02}", c.year.rem_euclid(100)),
            Chunk::PM => write!(out, "{}", if c.hour >= 12 { "PM" } else { "AM" }),
            Chunk::Pm => write!(out, "{}", if c.hour >= 12 { "pm" } else { "am" }),
            Chunk::Tz => write!(out, "{}", self.zone_abbrev()),
            Chunk::Offset {
                z,
                colon,
                seconds,
                hours_only,
            } => {
                if z && self.offset == 0 {
                    write!(out, "Z")
                } else {
                    let sign = if self.offset < 0 { '-' } else { '+' };
                    let a = self.offset.unsigned_abs();
                    let (h, m, s) = (a / 3600, a / 60 % 60, a % 60);
                    let sep = if colon { ":" } else { "" };
                    if hours_only {
                        write!(out, "{sign}{h:02}")
                    } else if seconds {
                        write!(out, "{sign}{h:02}{sep}{m:02}{sep}{s:02}")
                    } else {
                        write!(out, "{sign}{h:02}{sep}{m:02}")
                    }
                }
            }
            Chunk::Fraction { digits, trim, sep } => {
                let full = format!("{:09}", self.nanos);
                let mut frac = full[..digits].to_owned();
                if trim {
                    while frac.ends_with('0') {
                        frac.pop();
                    }
                }
                if frac.is_empty() {
                    Ok(())
                } else {
                    write!(out, "{sep}{frac}")
                }
            }
        };
    }

    fn zone_abbrev(&self) -> String {
        if !self.zone.is_empty() {
            return self.zone.clone();
        }
        let a = self.offset.unsigned_abs();
        let sign = if self.offset < 0 { '-' } else { '+' };
        if a.is_multiple_of(3600) {
            format!("{sign}{:02}", a / 3600)
        } else {
            format!("{sign}{:02}{:02}", a / 3600, a / 60 % 60)
        }
    }
}

struct Civil {
    year: i64,
    month: i64,
    day: i64,
    yday: i64,
    weekday: usize,
    hour: i64,
    minute: i64,
    second: i64,
}

pub(crate) const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
pub(crate) const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day number.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Chunk {
    LongMonth,
    Month,
    NumMonth,
    ZeroMonth,
    LongWeekDay,
    WeekDay,
    Day,
    UnderDay,
    ZeroDay,
    UnderYearDay,
    ZeroYearDay,
    Hour,
    Hour12,
    ZeroHour12,
    Minute,
    ZeroMinute,
    Second,
    ZeroSecond,
    LongYear,
    Year,
    PM,
    Pm,
    Tz,
    Offset {
        z: bool,
        colon: bool,
        seconds: bool,
        hours_only: bool,
    },
    Fraction {
        digits: usize,
        trim: bool,
        sep: char,
    },
}

/// Finds the first layout element: (text before it, the element, text after it), following Go's
/// `nextStdChunk`.
pub(crate) fn next_chunk(layout: &str) -> Option<(&str, Chunk, &str)> {
    const TABLE: &[(&str, Chunk)] = &[
        ("January", Chunk::LongMonth),
        ("Jan", Chunk::Month),
        ("Monday", Chunk::LongWeekDay),
        ("Mon", Chunk::WeekDay),
        ("MST", Chunk::Tz),
        ("2006", Chunk::LongYear),
        ("__2", Chunk::UnderYearDay),
        ("_2", Chunk::UnderDay),
        ("002", Chunk::ZeroYearDay),
        ("01", Chunk::ZeroMonth),
        ("02", Chunk::ZeroDay),
        ("03", Chunk::ZeroHour12),
        ("04", Chunk::ZeroMinute),
        ("05", Chunk::ZeroSecond),
        ("06", Chunk::Year),
        ("15", Chunk::Hour),
        ("PM", Chunk::PM),
        ("pm", Chunk::Pm),
        (
            "Z070000",
            Chunk::Offset {
                z: true,
                colon: false,
                seconds: true,
                hours_only: false,
            },
        ),
        (
            "Z07:00:00",
            Chunk::Offset {
                z: true,
                colon: true,
                seconds: true,
                hours_only: false,
            },
        ),
        (
            "Z07:00",
            Chunk::Offset {
                z: true,
                colon: true,
                seconds: false,
                hours_only: false,
            },
        ),
        (
            "Z0700",
            Chunk::Offset {
                z: true,
                colon: false,
                seconds: false,
                hours_only: false,
            },
        ),
        (
            "Z07",
            Chunk::Offset {
                z: true,
                colon: false,
                seconds: false,
                hours_only: true,
            },
        ),
        (
            "-070000",
            Chunk::Offset {
                z: false,
                colon: false,
                seconds: true,
                hours_only: false,
            },
        ),
        (
            "-07:00:00",
            Chunk::Offset {
                z: false,
                colon: true,
                seconds: true,
                hours_only: false,
            },
        ),
        (
            "-07:00",
            Chunk::Offset {
                z: false,
                colon: true,
                seconds: false,
                hours_only: false,
            },
        ),
        (
            "-0700",
            Chunk::Offset {
                z: false,
                colon: false,
                seconds: false,
                hours_only: false,
            },
        ),
        (
            "-07",
            Chunk::Offset {
                z: false,
                colon: false,
                seconds: false,
                hours_only: true,
            },
        ),
        ("1", Chunk::NumMonth),
        ("2", Chunk::Day),
        ("3", Chunk::Hour12),
        ("4", Chunk::Minute),
        ("5", Chunk::Second),
    ];
    let bytes = layout.as_bytes();
    for i in 0..bytes.len() {
        let rest = &layout[i..];
        if !layout.is_char_boundary(i) {
            continue;
        }
        // Fractional seconds: `.000`/`,000` keep zeros, `.999`/`,999` trim them, after a separator.
        if (rest.starts_with('.') || rest.starts_with(',')) && rest.len() > 1 {
            let digit = rest.as_bytes()[1];
            if digit == b'0' || digit == b'9' {
                let n = rest[1..].bytes().take_while(|b| *b == digit).count();
                let next_is_digit = rest.as_bytes().get(1 + n).is_some_and(u8::is_ascii_digit);
                if !next_is_digit {
                    let chunk = Chunk::Fraction {
                        digits: n.min(9),
                        trim: digit == b'9',
                        sep: rest.as_bytes()[0] as char,
                    };
                    return Some((&layout[..i], chunk, &rest[1 + n..]));
                }
            }
        }
        for (token, chunk) in TABLE {
            if let Some(after) = rest.strip_prefix(token) {
                // Go: `Jan`/`Mon` must not run into lower-case letters (`Janet`), except the long forms.
                if matches!(chunk, Chunk::Month | Chunk::WeekDay)
                    && after.starts_with(|c: char| c.is_ascii_lowercase())
                {
                    continue;
                }
                return Some((&layout[..i], *chunk, after));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Go's reference time, Mon Jan 2 15:04:05 MST 2006, is 1136239445 seconds after the epoch.
    fn reference() -> Time {
        Time {
            unix: 1_136_239_445,
            nanos: 123_400_000,
            offset: -7 * 3600,
            zone: "MST".into(),
        }
    }

    #[test]
    fn the_reference_time_formats_as_its_own_layout() {
        let t = reference();
        for layout in [
            "Mon Jan _2 15:04:05 MST 2006",
            "2006-01-02T15:04:05Z07:00",
            "Monday, 02-Jan-06 15:04:05 MST",
            "3:04PM",
            "January 2, 2006",
        ] {
            assert_eq!(
                t.format(layout),
                layout.replace("_2", " 2").replace("Z07:00", "-07:00"),
                "{layout}"
            );
        }
    }

    #[test]
    fn fractions_offsets_and_days_follow_go() {
        let t = reference();
        assert_eq!(t.format("05.000"), "05.123");
        assert_eq!(t.format("05.999999"), "05.1234");
        assert_eq!(t.format("05,00000"), "05,12340");
        assert_eq!(t.format("-0700 -07 Z0700"), "-0700 -07 -0700");
        assert_eq!(t.format("002 __2 pm"), "002   2 pm");
        let utc = Time::utc(0, 0);
        assert_eq!(
            utc.format("2006-01-02T15:04:05Z07:00 Mon"),
            "1970-01-01T00:00:00Z Thu"
        );
        assert_eq!(utc.go_string(), "1970-01-01 00:00:00 +0000 UTC");
        let leap = Time::utc(951_782_400, 0); // 2000-02-29
        assert_eq!(
            leap.format("2006-01-02 Monday 002"),
            "2000-02-29 Tuesday 060"
        );
        assert_eq!(Time::utc(-86_400, 0).format("2006-01-02"), "1969-12-31");
    }

    #[test]
    fn words_that_merely_start_like_tokens_stay_text() {
        assert_eq!(reference().format("Janet Monet"), "Janet Monet");
    }
}
