//! One `%` directive: its flags, width and precision, and how it formats each kind of value.

use super::{display, format_float, quote, type_label};
use crate::template::value::Value;

/// Flags, width and precision of one directive.
#[derive(Clone, Copy, Default, Debug)]
pub(crate) struct Spec {
    pub(crate) plus: bool,
    pub(crate) minus: bool,
    pub(crate) sharp: bool,
    pub(crate) space: bool,
    pub(crate) zero: bool,
    pub(crate) width: Option<usize>,
    pub(crate) prec: Option<usize>,
}

impl Spec {
    /// Format `v` with `verb`.
    pub(crate) fn format(&self, v: &Value, verb: char) -> String {
        if verb == 'T' {
            return self.pad(&v.type_name());
        }
        if verb == 'v' && self.sharp {
            return self.pad(&go_syntax(v, true));
        }
        match v {
            Value::Nil => match verb {
                'v' => self.pad("<nil>"),
                _ => format!("%!{verb}(<nil>)"),
            },
            Value::Bool(b) => match verb {
                't' | 'v' => self.pad(&b.to_string()),
                _ => self.bad(v, verb),
            },
            Value::Int(i) => self.int(*i, verb).unwrap_or_else(|| self.bad(v, verb)),
            Value::Float(f) => self.float(*f, verb).unwrap_or_else(|| self.bad(v, verb)),
            Value::String(s) => self.string(s, verb).unwrap_or_else(|| self.bad(v, verb)),
            Value::List(items) => {
                let parts: Vec<String> = items.iter().map(|i| self.format(i, verb)).collect();
                format!("[{}]", parts.join(" "))
            }
            Value::Map(m) => {
                let parts: Vec<String> = m
                    .entries()
                    .iter()
                    .map(|(k, v)| {
                        format!(
                            "{}:{}",
                            self.format(&Value::String(k.clone()), verb),
                            self.format(v, verb)
                        )
                    })
                    .collect();
                format!("map[{}]", parts.join(" "))
            }
            Value::Object(o) => match verb {
                'v' | 's' => self.pad(&o.display()),
                _ => self.bad(v, verb),
            },
            Value::Func(f) => match verb {
                'v' | 'p' => self.pad(&format!("{:p}", std::sync::Arc::as_ptr(&f.0) as *const ())),
                _ => self.bad(v, verb),
            },
        }
    }

    fn bad(&self, v: &Value, verb: char) -> String {
        format!("%!{verb}({}={})", type_label(v), display(v))
    }

    /// Pad to the width with spaces (or zeros with the `0` flag), on the right with `-`.
    pub(crate) fn pad(&self, s: &str) -> String {
        let n = s.chars().count();
        let Some(w) = self.width.filter(|w| *w > n) else {
            return s.to_string();
        };
        let fill = w - n;
        if self.minus {
            format!("{s}{}", " ".repeat(fill))
        } else if self.zero {
            format!("{}{s}", "0".repeat(fill))
        } else {
            format!("{}{s}", " ".repeat(fill))
        }
    }

    /// Pad a signed number: zeros go between the sign and the digits.
    fn pad_number(&self, sign: &str, body: &str) -> String {
        let n = sign.chars().count() + body.chars().count();
        match self.width {
            Some(w) if self.zero && !self.minus && w > n => {
                format!("{sign}{}{body}", "0".repeat(w - n))
            }
            _ => Spec {
                zero: false,
                ..*self
            }
            .pad(&format!("{sign}{body}")),
        }
    }

    fn sign(&self, negative: bool) -> &'static str {
        if negative {
            "-"
        } else if self.plus {
            "+"
        } else if self.space {
            " "
        } else {
            ""
        }
    }

    fn int(&self, i: i64, verb: char) -> Option<String> {
        let u = i.unsigned_abs();
        let (digits, prefix) = match verb {
            'd' | 'v' => (u.to_string(), ""),
            'b' => (format!("{u:b}"), if self.sharp { "0b" } else { "" }),
            'o' => (format!("{u:o}"), if self.sharp { "0" } else { "" }),
            'O' => (format!("{u:o}"), "0o"),
            'x' => (format!("{u:x}"), if self.sharp { "0x" } else { "" }),
            'X' => (format!("{u:X}"), if self.sharp { "0X" } else { "" }),
            'c' => return Some(self.pad(&char_of(i).to_string())),
            'q' => return Some(self.pad(&quote_rune(char_of(i)))),
            'U' => {
                let mut s = format!("U+{u:04X}");
                if self.sharp {
                    s.push_str(&format!(" '{}'", char_of(i)));
                }
                return Some(self.pad(&s));
            }
            _ => return None,
        };
        let mut digits = digits;
        if let Some(p) = self.prec {
            if p == 0 && u == 0 {
                digits.clear();
            } else if digits.len() < p {
                digits = "0".repeat(p - digits.len()) + &digits;
            }
        } else if self.zero
            && !self.minus
            && let Some(w) = self.width
        {
            let sign_len = self.sign(i < 0).len();
            if w > digits.len() + sign_len {
                digits = "0".repeat(w - digits.len() - sign_len) + &digits;
            }
        }
        let prefix = if verb == 'o' && digits.starts_with('0') {
            ""
        } else {
            prefix
        };
        let body = format!("{}{prefix}{digits}", self.sign(i < 0));
        Some(
            Spec {
                zero: false,
                ..*self
            }
            .pad(&body),
        )
    }

    fn float(&self, f: f64, verb: char) -> Option<String> {
        let (verb, prec) = match verb {
            'v' => ('g', self.prec),
            'e' | 'E' | 'f' | 'F' => (verb, Some(self.prec.unwrap_or(6))),
            'g' | 'G' => (verb, self.prec),
            _ => return None,
        };
        let s = format_float(f.abs(), verb, prec, self.sharp);
        if f.is_nan() {
            let sign = if self.plus {
                "+"
            } else if self.space {
                " "
            } else {
                ""
            };
            return Some(
                Spec {
                    zero: false,
                    ..*self
                }
                .pad(&format!("{sign}NaN")),
            );
        }
        let sign = if f.is_infinite() && !f.is_sign_negative() && !self.space {
            "+"
        } else {
            self.sign(f.is_sign_negative())
        };
        if f.is_infinite() {
            return Some(
                Spec {
                    zero: false,
                    ..*self
                }
                .pad(&format!("{sign}{s}")),
            );
        }
        Some(self.pad_number(sign, &s))
    }

    fn string(&self, s: &str, verb: char) -> Option<String> {
        let truncated = |s: &str| match self.prec {
            Some(p) => s.chars().take(p).collect::<String>(),
            None => s.to_string(),
        };
        Some(match verb {
            's' | 'v' => self.pad(&truncated(s)),
            'q' => {
                let t = truncated(s);
                if self.sharp && !t.contains('`') && !t.chars().any(|c| c.is_control() && c != '\t')
                {
                    self.pad(&format!("`{t}`"))
                } else {
                    self.pad(&quote(&t))
                }
            }
            'x' | 'X' => {
                let bytes = s.as_bytes();
                let bytes = &bytes[..self.prec.unwrap_or(bytes.len()).min(bytes.len())];
                let mut out = String::new();
                for (i, b) in bytes.iter().enumerate() {
                    if self.space && i > 0 {
                        out.push(' ');
                    }
                    if self.sharp && (self.space || i == 0) {
                        out.push_str(if verb == 'x' { "0x" } else { "0X" });
                    }
                    if verb == 'x' {
                        out.push_str(&format!("{b:02x}"));
                    } else {
                        out.push_str(&format!("{b:02X}"));
                    }
                }
                self.pad(&out)
            }
            _ => return None,
        })
    }
}

fn char_of(i: i64) -> char {
    u32::try_from(i)
        .ok()
        .and_then(char::from_u32)
        .unwrap_or('\u{fffd}')
}

/// Go's `strconv.QuoteRune`.
fn quote_rune(c: char) -> String {
    match c {
        '\'' => "'\\''".into(),
        '"' => "'\"'".into(),
        c => {
            let q = quote(&c.to_string());
            format!("'{}'", &q[1..q.len() - 1])
        }
    }
}

/// Go's `%#v`: values as Go source. `top` tells whether `v` is the operand itself rather than an element
/// of an `interface{}` container, where nil prints as `interface {}(nil)`.
fn go_syntax(v: &Value, top: bool) -> String {
    match v {
        Value::Nil if top => "<nil>".into(),
        Value::Nil => "interface {}(nil)".into(),
        Value::String(s) => quote(s),
        Value::List(items) => {
            let parts: Vec<String> = items.iter().map(|i| go_syntax(i, false)).collect();
            format!("[]interface {{}}{{{}}}", parts.join(", "))
        }
        Value::Map(m) => {
            let parts: Vec<String> = m
                .entries()
                .iter()
                .map(|(k, v)| format!("{}:{}", quote(k), go_syntax(v, false)))
                .collect();
            format!("map[string]interface {{}}{{{}}}", parts.join(", "))
        }
        other => display(other),
    }
}
