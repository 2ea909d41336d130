//! Dates: `now`, `date`, `dateInZone`, `htmlDate`, `htmlDateInZone`, `unixEpoch`, `dateModify`, `ago`,
//! `duration` and `toDate`.
//!
//! Times are [`time::Time`](super::time::Time) values held in a template as a `time.Time` object. Zones are
//! UTC (also what `Local` means: canopy renders in UTC) and the fixed `Etc/GMT±N` zones. Any other name
//! of the IANA time-zone database is an error, since canopy carries no database; a name that is no zone
//! at all means UTC, as in Sprig.

use std::sync::Arc;

use crate::template::{Funcs, Object, Value};

use super::args::{Out, exact, string};
use super::duration;
use super::parse_time;
use super::time::Time;

/// A Go `time.Time` as a template value.
#[derive(Debug)]
pub struct GoTime(pub Time);

impl Object for GoTime {
    fn type_name(&self) -> &str {
        "time.Time"
    }
    fn has_method(&self, name: &str) -> bool {
        [
            "Unix",
            "UnixNano",
            "Nanosecond",
            "Format",
            "UTC",
            "String",
            "Zone",
        ]
        .contains(&name)
    }
    fn call_method(&self, name: &str, args: &[Value]) -> Result<Value, String> {
        let t = &self.0;
        match (name, args) {
            ("Unix", []) => Ok(Value::Int(t.unix)),
            ("UnixNano", []) => Ok(Value::Int(
                t.unix
                    .wrapping_mul(1_000_000_000)
                    .wrapping_add(i64::from(t.nanos)),
            )),
            ("Nanosecond", []) => Ok(Value::Int(i64::from(t.nanos))),
            ("Format", [layout]) => Ok(t.format(string(layout)?).into()),
            ("UTC", []) => Ok(time_value(Time::utc(t.unix, t.nanos))),
            ("String", []) => Ok(t.go_string().into()),
            ("Zone", []) => Ok(Value::list(vec![
                t.zone.clone().into(),
                Value::Int(i64::from(t.offset)),
            ])),
            _ => Err(format!("wrong number of args for {name}")),
        }
    }
    fn display(&self) -> String {
        self.0.go_string()
    }
}

/// A time as a template value.
pub(crate) fn time_value(t: Time) -> Value {
    Value::Object(Arc::new(GoTime(t)))
}

/// The time a `time.Time` object holds.
pub(crate) fn as_time(v: &Value) -> Option<Time> {
    let Value::Object(o) = v else { return None };
    if o.type_name() != "time.Time" {
        return None;
    }
    let unix = match o.call_method("Unix", &[]).ok()? {
        Value::Int(i) => i,
        _ => return None,
    };
    let nanos = match o.call_method("Nanosecond", &[]).ok()? {
        Value::Int(i) => u32::try_from(i).ok()?,
        _ => return None,
    };
    let (zone, offset) = match o.call_method("Zone", &[]).ok()? {
        Value::List(l) => match l.as_slice() {
            [Value::String(z), Value::Int(off)] => (z.clone(), i32::try_from(*off).ok()?),
            _ => return None,
        },
        _ => return None,
    };
    Some(Time {
        unix,
        nanos,
        offset,
        zone,
    })
}

fn time_arg(v: &Value) -> Result<Time, String> {
    as_time(v).ok_or_else(|| {
        format!(
            "wrong type for value; expected time.Time; got {}",
            v.type_name()
        )
    })
}

/// Registers the date functions.
pub(crate) fn register(f: &mut Funcs) {
    f.insert("now", |_, a| {
        exact(a, 0)?;
        Ok(time_value(Time::now()))
    });
    f.insert("date", |_, a| {
        exact(a, 2)?;
        format_in_zone(string(&a[0])?, &a[1], "Local")
    });
    for name in ["dateInZone", "date_in_zone"] {
        f.insert(name, |_, a| {
            exact(a, 3)?;
            format_in_zone(string(&a[0])?, &a[1], string(&a[2])?)
        });
    }
    f.insert("htmlDate", |_, a| {
        exact(a, 1)?;
        format_in_zone("2006-01-02", &a[0], "Local")
    });
    f.insert("htmlDateInZone", |_, a| {
        exact(a, 2)?;
        format_in_zone("2006-01-02", &a[0], string(&a[1])?)
    });
    f.insert("unixEpoch", |_, a| {
        exact(a, 1)?;
        Ok(time_arg(&a[0])?.unix.to_string().into())
    });
    f.insert("ago", |_, a| {
        exact(a, 1)?;
        let t = match &a[0] {
            Value::Int(secs) => Time::utc(*secs, 0),
            v => as_time(v).unwrap_or_else(Time::now),
        };
        let nanos = since(&t);
        Ok(duration::format_seconds(duration::round_to_seconds(nanos)).into())
    });
    f.insert("durationRound", |_, a| {
        exact(a, 1)?;
        let nanos = match &a[0] {
            Value::String(s) => duration::parse(s).unwrap_or(0),
            Value::Int(i) => i128::from(*i),
            v => match as_time(v) {
                Some(t) => since(&t),
                None => 0,
            },
        };
        Ok(duration::round_coarse(nanos).into())
    });
    f.insert("duration", |_, a| {
        exact(a, 1)?;
        let secs = match &a[0] {
            Value::String(s) => s.parse().unwrap_or(0),
            Value::Int(i) => *i,
            _ => 0,
        };
        Ok(duration::format_seconds(i128::from(secs)).into())
    });
    for name in [
        "dateModify",
        "date_modify",
        "mustDateModify",
        "must_date_modify",
    ] {
        let must = name.starts_with("must");
        f.insert(name, move |_, a| {
            exact(a, 2)?;
            let t = time_arg(&a[1])?;
            match duration::parse(string(&a[0])?) {
                Ok(nanos) => Ok(time_value(add(&t, nanos))),
                Err(e) if must => Err(e),
                Err(_) => Ok(time_value(t)),
            }
        });
    }
    for (name, must) in [("toDate", false), ("mustToDate", true)] {
        f.insert(name, move |_, a| {
            exact(a, 2)?;
            match parse_time::parse(string(&a[0])?, string(&a[1])?) {
                Ok(t) => Ok(time_value(t)),
                Err(e) if must => Err(e),
                Err(_) => Ok(time_value(parse_time::zero())),
            }
        });
    }
}

/// Nanoseconds from `t` to now.
fn since(t: &Time) -> i128 {
    let now = Time::now();
    i128::from(now.unix - t.unix) * 1_000_000_000 + i128::from(now.nanos) - i128::from(t.nanos)
}

fn add(t: &Time, nanos: i128) -> Time {
    let total = i128::from(t.unix) * 1_000_000_000 + i128::from(t.nanos) + nanos;
    Time {
        unix: total.div_euclid(1_000_000_000) as i64,
        nanos: total.rem_euclid(1_000_000_000) as u32,
        offset: t.offset,
        zone: t.zone.clone(),
    }
}

/// Sprig's `dateInZone`: a time, or an int of Unix seconds; anything else means now.
fn format_in_zone(layout: &str, date: &Value, zone: &str) -> Out {
    let t = match date {
        Value::Int(secs) => Time::utc(*secs, 0),
        v => as_time(v).unwrap_or_else(Time::now),
    };
    let (abbrev, offset) = zone_offset(zone)?;
    let shown = Time {
        offset,
        zone: abbrev,
        ..t
    };
    Ok(shown.format(layout).into())
}

/// Whether `zone` names a zone of the IANA database, which Go would load but canopy cannot.
fn is_tz_database_name(zone: &str) -> bool {
    const AREAS: &[&str] = &[
        "Africa/",
        "America/",
        "Antarctica/",
        "Arctic/",
        "Asia/",
        "Atlantic/",
        "Australia/",
        "Brazil/",
        "Canada/",
        "Chile/",
        "Etc/",
        "Europe/",
        "Indian/",
        "Mexico/",
        "Pacific/",
        "US/",
    ];
    const NAMES: &[&str] = &[
        "CET", "CST6CDT", "EET", "EST", "EST5EDT", "HST", "MET", "MST", "MST7MDT", "PST8PDT", "WET",
    ];
    AREAS.iter().any(|a| zone.starts_with(a)) || NAMES.contains(&zone)
}

/// The abbreviation and offset of a zone canopy knows: UTC, `Local` (UTC) and `Etc/GMT±N`.
fn zone_offset(zone: &str) -> Result<(String, i32), String> {
    match zone {
        "" | "UTC" | "Local" | "Etc/UTC" => Ok(("UTC".into(), 0)),
        "GMT" | "Etc/GMT" | "Etc/GMT0" | "Etc/GMT+0" | "Etc/GMT-0" => Ok(("GMT".into(), 0)),
        _ => {
            let hours = zone
                .strip_prefix("Etc/GMT")
                .filter(|h| h.starts_with(['+', '-']))
                .and_then(|h| h.parse::<i32>().ok())
                .filter(|h| (-14..=12).contains(h));
            match hours {
                // POSIX-style names: Etc/GMT+2 is two hours west of Greenwich.
                Some(h) => Ok((format!("{:+03}", -h), -h * 3600)),
                None if is_tz_database_name(zone) => Err(format!(
                    "time zone {zone:?}: canopy formats dates only in UTC and Etc/GMT±N zones"
                )),
                // Go's LoadLocation fails for a name that is no zone, and Sprig then uses UTC.
                None => Ok(("UTC".into(), 0)),
            }
        }
    }
}
