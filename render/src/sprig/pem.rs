//! PEM blocks as Go's `encoding/pem` writes and reads them: 64-character base64 lines between `-----BEGIN
//! TYPE-----` and `-----END TYPE-----`, each line ending in `\n`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// A PEM block of `label` around `der`, as Go's `pem.EncodeToMemory` writes it.
pub(crate) fn encode(label: &str, der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in body.as_bytes().chunks(64) {
        // Base64 is ASCII, so every chunk is valid UTF-8.
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// The first well-formed PEM block in `text` as `(label, bytes)`, like Go's `pem.Decode`: text before
/// the block is skipped, `Key: value` headers are ignored, and a block whose body is not base64 is passed
/// over for the next one.
pub(crate) fn decode(text: &str) -> Option<(String, Vec<u8>)> {
    const BEGIN: &str = "-----BEGIN ";
    let mut rest = text;
    while let Some(start) = rest.find(BEGIN) {
        let after = &rest[start + BEGIN.len()..];
        rest = after;
        // The type line: `-----BEGIN TYPE-----` alone on its line.
        let line_end = after.find('\n').unwrap_or(after.len());
        let type_line = after[..line_end].trim_end_matches([' ', '\t', '\r']);
        let Some(label) = type_line.strip_suffix("-----") else {
            continue;
        };
        let body_and_end = &after[line_end..];
        let end_marker = format!("-----END {label}-----");
        let Some(end) = body_and_end.find(&end_marker) else {
            continue;
        };
        let body: String = body_and_end[..end]
            .lines()
            .filter(|line| !line.contains(':'))
            .flat_map(|line| line.chars().filter(|c| !c.is_ascii_whitespace()))
            .collect();
        if let Ok(bytes) = STANDARD.decode(body) {
            return Some((label.to_string(), bytes));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_with_64_character_lines() {
        let der: Vec<u8> = (0..=200).collect();
        let pem = encode("TEST", &der);
        assert!(pem.starts_with("-----BEGIN TEST-----\n"));
        assert!(pem.ends_with("\n-----END TEST-----\n"));
        assert!(pem.lines().all(|l| l.len() <= 64 || l.starts_with("-----")));
        assert_eq!(decode(&pem), Some(("TEST".into(), der.clone())));
        let noisy = format!("junk\nProc-Type: x\n{pem}trailer");
        assert_eq!(decode(&noisy), Some(("TEST".into(), der)));
        assert_eq!(decode("-----BEGIN X-----\n!!!\n-----END X-----\n"), None);
        assert_eq!(decode("no pem here"), None);
    }
}
