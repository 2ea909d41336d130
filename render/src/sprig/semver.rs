//! Semantic versions and constraints as Sprig's `semver` and `semverCompare` see them (Masterminds semver
//! v3), which charts use mostly to test `.Capabilities.KubeVersion`.
//!
//! - Versions are lenient: a leading `v`, and missing minor or patch (`1.2` is `1.2.0`).
//! - A constraint is `||`-separated alternatives, each a comma- or space-separated list of conditions that
//!   must all hold. Conditions are `=`, `!=`, `>`, `<`, `>=`, `<=` (also `=>`, `=<`), `~` (`~>`), `^`,
//!   hyphen ranges (`1.2 - 1.4.5`) and wildcards (`1.2.x`, `*`).
//! - A version with a pre-release (`1.29.3-eks-1`) satisfies a condition only when the condition's own
//!   version has a pre-release too, which is why charts write `>=1.19.0-0`.

use std::cmp::Ordering;
use std::fmt;

/// A semantic version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    /// Major.
    pub major: u64,
    /// Minor.
    pub minor: u64,
    /// Patch.
    pub patch: u64,
    /// Pre-release identifiers, after `-`; empty for a release.
    pub pre: String,
    /// Build metadata, after `+`; ignored when comparing.
    pub build: String,
}

/// A version or constraint does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Error(String);

impl Version {
    /// Parses a version leniently, as Masterminds' `NewVersion` does.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let bad = || Error(format!("Invalid Semantic Version: {text:?}"));
        let t = text.trim();
        let t = t.strip_prefix('v').unwrap_or(t);
        let (t, build) = t.split_once('+').map_or((t, ""), |(a, b)| (a, b));
        let (core, pre) = t.split_once('-').map_or((t, None), |(a, b)| (a, Some(b)));
        if pre.is_some_and(|p| p.is_empty() || p.split('.').any(str::is_empty)) {
            return Err(bad());
        }
        let pre = pre.unwrap_or_default();
        let mut parts = core.split('.');
        let mut num = |required: bool| -> Result<u64, Error> {
            match parts.next() {
                None if !required => Ok(0),
                Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => {
                    p.parse().map_err(|_| bad())
                }
                _ => Err(bad()),
            }
        };
        let (major, minor, patch) = (num(true)?, num(false)?, num(false)?);
        if parts.next().is_some() {
            return Err(bad());
        }
        Ok(Self {
            major,
            minor,
            patch,
            pre: pre.to_owned(),
            build: build.to_owned(),
        })
    }

    fn core(&self) -> (u64, u64, u64) {
        (self.major, self.minor, self.patch)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if !self.pre.is_empty() {
            write!(f, "-{}", self.pre)?;
        }
        if !self.build.is_empty() {
            write!(f, "+{}", self.build)?;
        }
        Ok(())
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// SemVer 2 precedence: build metadata is ignored, and a pre-release sorts before its release.
impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.core().cmp(&other.core()).then_with(|| {
            match (self.pre.is_empty(), other.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => compare_pre(&self.pre, &other.pre),
            }
        })
    }
}

fn compare_pre(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (a.split('.'), b.split('.'));
    loop {
        match (x.next(), y.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(p), Some(q)) => {
                let order = match (p.parse::<u64>(), q.parse::<u64>()) {
                    (Ok(m), Ok(n)) => m.cmp(&n),
                    (Ok(_), Err(_)) => Ordering::Less,
                    (Err(_), Ok(_)) => Ordering::Greater,
                    (Err(_), Err(_)) => p.cmp(q),
                };
                if order != Ordering::Equal {
                    return order;
                }
            }
        }
    }
}

/// One condition, reduced to a comparison with a version.
#[derive(Debug, Clone)]
struct Condition {
    op: Op,
    version: Version,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Gt,
    Lt,
    Ge,
    Le,
}

impl Condition {
    fn allows(&self, v: &Version) -> bool {
        // Pre-releases only match conditions that name a pre-release themselves.
        if !v.pre.is_empty() && self.version.pre.is_empty() && self.op != Op::Ne {
            return false;
        }
        let order = v.cmp(&self.version);
        match self.op {
            Op::Eq => order == Ordering::Equal,
            Op::Ne => order != Ordering::Equal,
            Op::Gt => order == Ordering::Greater,
            Op::Lt => order == Ordering::Less,
            Op::Ge => order != Ordering::Less,
            Op::Le => order != Ordering::Greater,
        }
    }
}

/// A parsed constraint such as `>=1.19.0-0 <1.30 || ^2`.
#[derive(Debug, Clone)]
pub struct Constraint {
    alternatives: Vec<Vec<Condition>>,
}

impl Constraint {
    /// Parses a constraint.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let alternatives = text
            .split("||")
            .map(parse_group)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { alternatives })
    }

    /// Whether `version` satisfies the constraint.
    pub fn allows(&self, version: &Version) -> bool {
        self.alternatives
            .iter()
            .any(|group| group.iter().all(|c| c.allows(version)))
    }
}

/// `semverCompare constraint version`.
pub fn compare(constraint: &str, version: &str) -> Result<bool, Error> {
    Ok(Constraint::parse(constraint)?.allows(&Version::parse(version)?))
}

fn parse_group(text: &str) -> Result<Vec<Condition>, Error> {
    let text = text.trim();
    if let Some((low, high)) = text.split_once(" - ") {
        let mut out = expand(Op::Ge, low.trim())?;
        out.extend(expand(Op::Le, high.trim())?);
        return Ok(out);
    }
    // Join an operator separated from its version by spaces (`>= 1.2`), then split on commas and spaces.
    let mut tokens: Vec<String> = Vec::new();
    for token in text
        .split([',', ' '])
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        match tokens.last_mut() {
            Some(last) if last.chars().all(|c| "<>=!~^".contains(c)) => last.push_str(token),
            _ => tokens.push(token.to_owned()),
        }
    }
    if tokens.is_empty() {
        return Err(Error(format!("improper constraint: {text:?}")));
    }
    let mut out = Vec::new();
    for token in tokens {
        let split = token
            .find(|c: char| !"<>=!~^".contains(c))
            .unwrap_or(token.len());
        let (op, version) = token.split_at(split);
        let op = match op {
            "" | "=" => "=",
            "=>" => ">=",
            "=<" => "<=",
            "~>" => "~",
            other => other,
        };
        out.extend(match op {
            "~" => tilde(version)?,
            "^" => caret(version)?,
            "=" => expand(Op::Eq, version)?,
            "!=" => expand(Op::Ne, version)?,
            ">" => expand(Op::Gt, version)?,
            "<" => expand(Op::Lt, version)?,
            ">=" => expand(Op::Ge, version)?,
            "<=" => expand(Op::Le, version)?,
            other => {
                return Err(Error(format!(
                    "improper constraint: unknown operator {other:?} in {text:?}"
                )));
            }
        });
    }
    Ok(out)
}

/// A version that may have wildcards or missing parts: how many leading parts are fixed, and the version.
fn partial(text: &str) -> Result<(usize, Version), Error> {
    let t = text.strip_prefix('v').unwrap_or(text);
    if matches!(t, "*" | "x" | "X" | "") {
        return Ok((0, Version::parse("0.0.0")?));
    }
    let (core, rest) = t.find(['-', '+']).map_or((t, ""), |i| t.split_at(i));
    let parts: Vec<&str> = core.split('.').collect();
    let fixed = parts
        .iter()
        .take_while(|p| !matches!(**p, "x" | "X" | "*"))
        .count()
        .min(3);
    let mut filled: Vec<&str> = parts[..fixed].to_vec();
    while filled.len() < 3 {
        filled.push("0");
    }
    let version = Version::parse(&format!("{}{rest}", filled.join(".")))?;
    Ok((fixed.min(parts.len()), version))
}

fn cond(op: Op, version: Version) -> Condition {
    Condition { op, version }
}

fn bump(v: &Version, part: usize) -> Version {
    let (a, b, c) = v.core();
    let (major, minor, patch) = match part {
        0 => (a + 1, 0, 0),
        1 => (a, b + 1, 0),
        _ => (a, b, c + 1),
    };
    Version {
        major,
        minor,
        patch,
        pre: String::new(),
        build: String::new(),
    }
}

/// A plain comparison, where wildcards and missing parts widen the version into a range.
fn expand(op: Op, text: &str) -> Result<Vec<Condition>, Error> {
    let (fixed, v) = partial(text)?;
    if fixed == 3 {
        return Ok(vec![cond(op, v)]);
    }
    if fixed == 0 {
        // `*`: anything (but `!=*` and `<*` nothing).
        return Ok(match op {
            Op::Eq | Op::Ge | Op::Le => vec![cond(Op::Ge, v)],
            Op::Gt | Op::Ne | Op::Lt => vec![cond(Op::Lt, v)],
        });
    }
    let next = bump(&v, fixed - 1);
    Ok(match op {
        // `1.2` and `1.2.x` mean the whole of 1.2.
        Op::Eq => vec![cond(Op::Ge, v), cond(Op::Lt, next)],
        Op::Ne => {
            return Err(Error(format!(
                "improper constraint: != with a wildcard version {text:?}"
            )));
        }
        // `>1.2` is past all of 1.2; `<=1.2` includes all of it.
        Op::Gt => vec![cond(Op::Ge, next)],
        Op::Le => vec![cond(Op::Lt, next)],
        Op::Ge => vec![cond(Op::Ge, v)],
        Op::Lt => vec![cond(Op::Lt, v)],
    })
}

fn tilde(text: &str) -> Result<Vec<Condition>, Error> {
    let (fixed, v) = partial(text)?;
    let upper = if fixed <= 1 { bump(&v, 0) } else { bump(&v, 1) };
    Ok(vec![cond(Op::Ge, v), cond(Op::Lt, upper)])
}

fn caret(text: &str) -> Result<Vec<Condition>, Error> {
    let (fixed, v) = partial(text)?;
    let upper = match (v.major, v.minor, fixed) {
        (0, _, 0 | 1) => bump(&v, 0),
        (0, 0, 2) => bump(&v, 1),
        (0, 0, _) => bump(&v, 2),
        (0, _, _) => bump(&v, 1),
        _ => bump(&v, 0),
    };
    Ok(vec![cond(Op::Ge, v), cond(Op::Lt, upper)])
}

#[cfg(test)]
mod tests;
