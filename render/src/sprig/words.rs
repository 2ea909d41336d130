//! Word-level string transforms that Sprig takes from `goutils` and `xstrings`: title case, initials,
//! abbreviation, wrapping and the snake, kebab and camel cases.

/// Go's `strings.Title`: the first letter after a separator is upper-cased.
pub(crate) fn title(s: &str) -> String {
    let mut prev = ' ';
    s.chars()
        .map(|c| {
            let out = if is_title_separator(prev) {
                upper(c)
            } else {
                c
            };
            prev = c;
            out
        })
        .collect()
}

fn is_title_separator(c: char) -> bool {
    if c.is_ascii() {
        return !(c.is_ascii_alphanumeric() || c == '_');
    }
    !c.is_alphanumeric() && c.is_whitespace()
}

/// `goutils.Uncapitalize`: the first letter of each whitespace-separated word lower-cased.
pub(crate) fn untitle(s: &str) -> String {
    let mut next = true;
    s.chars()
        .map(|c| {
            if c.is_whitespace() {
                next = true;
                c
            } else if next {
                next = false;
                lower(c)
            } else {
                c
            }
        })
        .collect()
}

/// `goutils.Initials`: the first character of each whitespace-separated word.
pub(crate) fn initials(s: &str) -> String {
    let mut gap = true;
    let mut out = String::new();
    for c in s.chars() {
        if c.is_whitespace() {
            gap = true;
        } else if gap {
            out.push(c);
            gap = false;
        }
    }
    out
}

/// `goutils.SwapCase`.
pub(crate) fn swap_case(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_uppercase() {
                lower(c)
            } else if c.is_lowercase() {
                upper(c)
            } else {
                c
            }
        })
        .collect()
}

/// Go's `unicode.ToUpper`: a one-to-one mapping, so a letter whose upper case is several letters (`ß`)
/// stays as it is.
pub(crate) fn upper(c: char) -> char {
    let mut up = c.to_uppercase();
    match (up.next(), up.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

/// Go's `unicode.ToLower`, one-to-one like [`upper`]; `İ` becomes `i`, as in Go.
pub(crate) fn lower(c: char) -> char {
    if c == '\u{130}' {
        return 'i';
    }
    let mut low = c.to_lowercase();
    match (low.next(), low.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

fn is_connector(c: char) -> bool {
    c == '-' || c == '_' || c.is_whitespace()
}

/// `xstrings.ToCamelCase`: connectors (`-`, `_`, spaces) dropped and the next letter upper-cased, other
/// letters lower-cased; leading and doubled connectors are kept.
pub(crate) fn camel_case(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    let mut r0 = None;
    for c in chars.by_ref() {
        if !is_connector(c) {
            r0 = Some(upper(c));
            break;
        }
        out.push(c);
    }
    let Some(mut r0) = r0 else {
        return out;
    };
    for c in chars {
        let r1 = r0;
        r0 = c;
        if is_connector(r0) && is_connector(r1) {
            out.push(r1);
            continue;
        }
        if is_connector(r1) {
            r0 = upper(r0);
        } else {
            r0 = lower(r0);
            out.push(r1);
        }
    }
    out.push(r0);
    out
}

/// `xstrings.ToSnakeCase` and `ToKebabCase`: each connector (`_`, `-`, white space) becomes `connector`,
/// other punctuation stays, letters are lower-cased, and `connector` is put between words that touch:
/// at a lower-to-upper change, before the last capital of an acronym (`HTTPServer`), and around numbers
/// (`HTTP2xx` is `http_2xx`, but `Bld4Floor` is `bld4_floor` and a number at the end stays attached).
pub(crate) fn to_lower_case(s: &str, connector: char) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        if is_connector(c) {
            out.push(connector);
            continue;
        }
        if i > 0 && chars[i - 1].is_alphanumeric() && c.is_alphanumeric() && boundary(&chars, i) {
            out.push(connector);
        }
        out.push(lower(c));
    }
    out
}

/// Whether a new word starts at `i`, both `i` and the character before being alphanumeric.
fn boundary(chars: &[char], i: usize) -> bool {
    let (p, c) = (chars[i - 1], chars[i]);
    let at = |j: usize| chars.get(j).copied();
    let lower_at = |j: usize| at(j).is_some_and(char::is_lowercase);
    // A capital that starts a capitalised word (`Floor`), as opposed to one inside an acronym.
    let title_at = |j: usize| at(j).is_some_and(char::is_uppercase) && lower_at(j + 1);
    let is_digit = |ch: char| ch.is_ascii_digit();
    if p.is_lowercase() && c.is_uppercase() {
        return true;
    }
    if p.is_uppercase() && c.is_uppercase() {
        return lower_at(i + 1);
    }
    if !is_digit(p) && is_digit(c) {
        let after = (i..chars.len()).find(|&j| !is_digit(chars[j]));
        return match after {
            None => false,
            Some(j) => !title_at(j),
        };
    }
    if is_digit(p) && c.is_uppercase() {
        return title_at(i);
    }
    false
}

/// `goutils.AbbreviateFull`: at most `width` bytes with `...` marking what was cut, keeping the text from
/// `offset` when it can. `None` where goutils returns an error (too small a width), which Sprig shows as "".
pub(crate) fn abbreviate(s: &str, offset: i64, width: i64) -> Option<String> {
    let len = s.len() as i64;
    if s.is_empty() {
        return Some(String::new());
    }
    if width < 4 {
        return None;
    }
    if len <= width {
        return Some(s.to_string());
    }
    let mut offset = offset.min(len);
    if len - offset < width - 3 {
        offset = len - (width - 3);
    }
    let cut = |a: i64, b: i64| {
        String::from_utf8_lossy(&s.as_bytes()[a as usize..b as usize]).into_owned()
    };
    if offset <= 4 {
        return Some(cut(0, width - 3) + "...");
    }
    if width < 7 {
        return None;
    }
    if offset + width - 3 < len {
        let rest = abbreviate(&cut(offset, len), 0, width - 3)?;
        return Some(format!("...{rest}"));
    }
    Some(format!("...{}", cut(len - (width - 3), len)))
}

/// `goutils.WrapCustom`: lines of at most `width` bytes broken at spaces, joined by `newline`. Words
/// longer than a line are split when `long_words` is set and otherwise left whole.
pub(crate) fn wrap(s: &str, width: i64, newline: &str, long_words: bool) -> String {
    if s.is_empty() {
        return String::new();
    }
    let width = width.max(1) as usize;
    let b = s.as_bytes();
    let cut = |a: usize, z: usize| String::from_utf8_lossy(&b[a..z]).into_owned();
    let mut out = String::new();
    let mut offset = 0;
    while b.len() - offset > width {
        if b[offset] == b' ' {
            offset += 1;
            continue;
        }
        let end = width + offset + 1;
        if let Some(space) = b[offset..end].iter().rposition(|&c| c == b' ') {
            out += &cut(offset, offset + space);
            out += newline;
            offset += space + 1;
        } else if long_words {
            out += &cut(offset, offset + width);
            out += newline;
            offset += width;
        } else {
            let end = width + offset;
            match b[end..].iter().position(|&c| c == b' ') {
                None => {
                    out += &cut(offset, b.len());
                    offset = b.len();
                }
                Some(i) => {
                    out += &cut(offset, end + i);
                    out += newline;
                    offset = end + i + 1;
                }
            }
        }
    }
    out + &cut(offset, b.len())
}
