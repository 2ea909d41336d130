//! A Server-Sent Events parser (the WHATWG "event stream" format), fed the response body in whatever
//! chunks it arrives in.
//!
//! Lines end with CRLF, LF or CR (a CRLF split across two chunks is one line end). A line starting with
//! `:` is a comment (the server's heartbeats) and is skipped. Otherwise it is `field: value` (one space
//! after the colon is dropped) or a bare `field`. `data` lines accumulate, joined with `\n`; `event` names
//! the message; `id` sets the last event id, which stays in force for later messages; `retry` is kept.
//! A blank line ends a message; a message without data is dropped, as the format says.

/// UTF-8's byte-order mark, which may open the stream.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// One message of the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The `event` field, if the message had one (the default type is `message`).
    pub event: Option<String>,
    /// The `data` lines, joined with `\n`.
    pub data: String,
    /// The last event id when the message ended (set by this message or an earlier one).
    pub id: Option<String>,
}

/// The parser's state between chunks.
#[derive(Debug, Clone, Default)]
pub struct Parser {
    line: Vec<u8>,
    /// The last byte was a CR: an LF right after it belongs to the same line end.
    after_cr: bool,
    /// A line has ended already (a byte-order mark is dropped only from the first).
    started: bool,
    data: Option<String>,
    event: Option<String>,
    last_id: Option<String>,
    retry: Option<u64>,
}

impl Parser {
    /// A parser at the start of a stream.
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds the next bytes of the body; returns the messages they complete, in order.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<Message> {
        let mut out = Vec::new();
        for &b in bytes {
            if std::mem::take(&mut self.after_cr) && b == b'\n' {
                continue;
            }
            match b {
                b'\r' => {
                    self.after_cr = true;
                    self.end_line(&mut out);
                }
                b'\n' => self.end_line(&mut out),
                _ => self.line.push(b),
            }
        }
        out
    }

    /// The reconnection time the server asked for with `retry`, in milliseconds.
    pub fn retry(&self) -> Option<u64> {
        self.retry
    }

    fn end_line(&mut self, out: &mut Vec<Message>) {
        let mut line = std::mem::take(&mut self.line);
        if !std::mem::replace(&mut self.started, true) && line.starts_with(BOM) {
            line.drain(..BOM.len());
        }
        if line.is_empty() {
            self.dispatch(out);
            return;
        }
        if line[0] == b':' {
            return;
        }
        let line = String::from_utf8_lossy(&line);
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line.as_ref(), ""),
        };
        match field {
            "data" => match &mut self.data {
                Some(data) => {
                    data.push('\n');
                    data.push_str(value);
                }
                None => self.data = Some(value.to_owned()),
            },
            "event" => self.event = Some(value.to_owned()),
            "id" if !value.contains('\0') => self.last_id = Some(value.to_owned()),
            "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                self.retry = value.parse().ok();
            }
            _ => {}
        }
    }

    fn dispatch(&mut self, out: &mut Vec<Message>) {
        let event = self.event.take();
        let Some(data) = self.data.take() else {
            return;
        };
        out.push(Message {
            event,
            data,
            id: self.last_id.clone(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(event: Option<&str>, data: &str, id: Option<&str>) -> Message {
        Message {
            event: event.map(str::to_owned),
            data: data.to_owned(),
            id: id.map(str::to_owned),
        }
    }

    fn parse_all(chunks: &[&[u8]]) -> Vec<Message> {
        let mut parser = Parser::new();
        chunks.iter().flat_map(|c| parser.push(c)).collect()
    }

    #[test]
    fn data_lines_join_with_newlines_and_one_leading_space_is_dropped() {
        let got = parse_all(&[b"data: first\ndata:second\ndata:  third\n\n"]);
        assert_eq!(got, vec![message(None, "first\nsecond\n third", None)]);
        let got = parse_all(&[b"data\ndata: x\n\n"]);
        assert_eq!(got, vec![message(None, "\nx", None)]);
    }

    #[test]
    fn comments_are_skipped_and_a_message_without_data_is_dropped() {
        let got = parse_all(&[b": heartbeat\n\n:\nevent: lonely\n\nid: 4\ndata: a\n\n"]);
        assert_eq!(got, vec![message(None, "a", Some("4"))]);
    }

    #[test]
    fn the_event_name_applies_to_one_message_and_the_id_stays() {
        let got =
            parse_all(&[b"id: 7\nevent: cutoff\ndata: {\"last_sequence\": 7}\n\ndata: after\n\n"]);
        assert_eq!(
            got,
            vec![
                message(Some("cutoff"), "{\"last_sequence\": 7}", Some("7")),
                message(None, "after", Some("7")),
            ]
        );
    }

    #[test]
    fn crlf_cr_and_lf_all_end_lines_even_split_across_chunks() {
        let got = parse_all(&[
            b"id: 1\r",
            b"\ndata: a\r\n\r",
            b"\nid: 2\rdata: b\r\rdata: c\n\n",
        ]);
        assert_eq!(
            got,
            vec![
                message(None, "a", Some("1")),
                message(None, "b", Some("2")),
                message(None, "c", Some("2")),
            ]
        );
    }

    #[test]
    fn a_message_split_anywhere_parses_the_same() {
        let body = "\u{feff}id: 12\r\ndata: {\"subject\": \"canopy.dig.p\u{e9}\"}\r\n\r\n: ping\r\nretry: 250\r\n";
        let whole = parse_all(&[body.as_bytes()]);
        assert_eq!(
            whole,
            vec![message(
                None,
                "{\"subject\": \"canopy.dig.p\u{e9}\"}",
                Some("12")
            )]
        );
        for split in 0..body.len() {
            let (a, b) = body.as_bytes().split_at(split);
            assert_eq!(parse_all(&[a, b]), whole, "split at {split}");
        }
        let mut parser = Parser::new();
        parser.push(body.as_bytes());
        assert_eq!(parser.retry(), Some(250));
    }

    #[test]
    fn an_unfinished_message_is_not_delivered() {
        assert_eq!(parse_all(&[b"data: half"]), vec![]);
    }

    #[test]
    fn a_field_without_a_colon_is_the_whole_line_and_unknown_fields_are_ignored() {
        let got = parse_all(&[b"data\nfoo: bar\nid\n\n"]);
        assert_eq!(got, vec![message(None, "", Some(""))]);
    }
}
