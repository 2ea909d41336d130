//! Go's `fmt` for template values: `Sprint`, `Sprintln` and `Sprintf` with the verbs, flags, width and
//! precision Go supports for the kinds a [`Value`] can hold.

use super::value::Value;

mod float;
mod spec;

pub(crate) use float::format_float;
use spec::Spec;

/// Go's `fmt.Sprint`: operands in `%v`, with a space between two operands when neither is a string.
pub fn sprint(args: &[Value]) -> String {
    let mut out = String::new();
    for (i, a) in args.iter().enumerate() {
        let is_str = |v: &Value| matches!(v, Value::String(_));
        if i > 0 && !is_str(a) && !is_str(&args[i - 1]) {
            out.push(' ');
        }
        out.push_str(&display(a));
    }
    out
}

/// Go's `fmt.Sprintln`: operands in `%v` separated by spaces, then a newline.
pub fn sprintln(args: &[Value]) -> String {
    let parts: Vec<String> = args.iter().map(display).collect();
    parts.join(" ") + "\n"
}

/// Go's `%v` of one value.
pub fn display(v: &Value) -> String {
    Spec::default().format(v, 'v')
}

/// Go's `fmt.Sprintf`, including explicit argument indexes (`%[2]d`, `%[1]*d`).
pub fn sprintf(format: &str, args: &[Value]) -> String {
    let mut p = Printf {
        chars: format.chars().collect(),
        i: 0,
        arg: 0,
        reordered: false,
        good_arg: true,
    };
    let mut out = String::new();
    while p.i < p.chars.len() {
        let c = p.chars[p.i];
        p.i += 1;
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = Spec::default();
        while let Some(&f) = p.chars.get(p.i) {
            match f {
                '+' => spec.plus = true,
                '-' => {
                    spec.minus = true;
                    spec.zero = false;
                }
                '#' => spec.sharp = true,
                ' ' => spec.space = true,
                '0' => spec.zero = !spec.minus,
                _ => break,
            }
            p.i += 1;
        }
        let mut after_index = p.arg_number(args.len());
        if p.chars.get(p.i) == Some(&'*') {
            p.i += 1;
            match p.star_arg(args) {
                Some(w) => {
                    if w < 0 {
                        spec.minus = true;
                        spec.zero = false;
                    }
                    spec.width = Some(w.unsigned_abs() as usize);
                }
                None => out.push_str("%!(BADWIDTH)"),
            }
            after_index = false;
        } else {
            spec.width = p.number();
            if after_index && spec.width.is_some() {
                p.good_arg = false;
            }
        }
        if p.chars.get(p.i) == Some(&'.') {
            p.i += 1;
            if after_index {
                p.good_arg = false;
            }
            after_index = p.arg_number(args.len());
            if p.chars.get(p.i) == Some(&'*') {
                p.i += 1;
                match p.star_arg(args) {
                    Some(n) if n >= 0 => spec.prec = Some(n as usize),
                    Some(_) => spec.prec = None,
                    None => out.push_str("%!(BADPREC)"),
                }
                after_index = false;
            } else {
                spec.prec = Some(p.number().unwrap_or(0));
            }
        }
        if !after_index {
            p.arg_number(args.len());
        }
        let Some(&verb) = p.chars.get(p.i) else {
            out.push_str("%!(NOVERB)");
            break;
        };
        p.i += 1;
        if verb == '%' {
            out.push('%');
        } else if !p.good_arg {
            out.push_str(&format!("%!{verb}(BADINDEX)"));
        } else if let Some(a) = args.get(p.arg) {
            out.push_str(&spec.format(a, verb));
            p.arg += 1;
        } else {
            out.push_str(&format!("%!{verb}(MISSING)"));
        }
    }
    if !p.reordered && p.arg < args.len() {
        let extra: Vec<String> = args[p.arg..]
            .iter()
            .map(|a| format!("{}={}", type_label(a), display(a)))
            .collect();
        out.push_str(&format!("%!(EXTRA {})", extra.join(", ")));
    }
    out
}

/// The cursor of one `sprintf` run.
struct Printf {
    chars: Vec<char>,
    i: usize,
    arg: usize,
    reordered: bool,
    good_arg: bool,
}

impl Printf {
    fn number(&mut self) -> Option<usize> {
        let mut n: Option<usize> = None;
        while let Some(v) = self.chars.get(self.i).and_then(|d| d.to_digit(10)) {
            if n.unwrap_or(0) > 1_000_000 {
                // Go's tooLarge: an absurd number swallows the rest of the format.
                self.i = self.chars.len();
                return None;
            }
            n = Some(n.unwrap_or(0) * 10 + v as usize);
            self.i += 1;
        }
        n
    }

    /// Go's `argNumber`: an optional `[n]` selects argument n (1-based); returns whether one was read.
    fn arg_number(&mut self, nargs: usize) -> bool {
        if self.chars.get(self.i) != Some(&'[') {
            return false;
        }
        self.reordered = true;
        let start = self.i;
        self.i += 1;
        let n = self.number();
        if self.chars.get(self.i) == Some(&']') {
            self.i += 1;
            match n {
                Some(n) if n >= 1 && n <= nargs => {
                    self.arg = n - 1;
                    self.good_arg = true;
                }
                _ => self.good_arg = false,
            }
            return true;
        }
        // No closing bracket: the index is bad.
        self.i = start + 1;
        self.good_arg = false;
        true
    }

    fn star_arg(&mut self, args: &[Value]) -> Option<i64> {
        let v = match args.get(self.arg) {
            Some(Value::Int(w)) if w.unsigned_abs() < 1_000_000 => Some(*w),
            _ => None,
        };
        self.arg += 1;
        v
    }
}

/// The type as `%!verb(TYPE=value)` shows it.
fn type_label(v: &Value) -> String {
    v.type_name()
}

/// Go's `strconv.Quote`.
pub fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x0b' => out.push_str("\\v"),
            '\u{fffd}' => out.push_str("\\ufffd"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if c.is_control() || ('\u{80}'..'\u{a0}').contains(&c) => {
                if (c as u32) < 0x10000 {
                    out.push_str(&format!("\\u{:04x}", c as u32));
                } else {
                    out.push_str(&format!("\\U{:08x}", c as u32));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests;
