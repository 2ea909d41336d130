//! A raw reader of Server-Sent Events: the response body's bytes, split into lines and blocks by hand, so
//! the tests check the wire format itself.

use std::time::Duration;

use canopy_schemas::event::Delivery;

/// How long a test waits for the next block before it fails.
const PATIENCE: Duration = Duration::from_secs(60);

/// One block of the stream (the lines up to a blank line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// Comment lines only (`:...`): a heartbeat.
    Comment,
    /// An event.
    Message {
        /// `id:`, if any.
        id: Option<String>,
        /// `event:`, if any.
        event: Option<String>,
        /// Every `data:` line, in order.
        data: Vec<String>,
    },
}

/// A subscription's response body, read block by block.
pub struct Sse {
    response: reqwest::Response,
    pending: Vec<u8>,
    ended: bool,
}

impl Sse {
    pub fn new(response: reqwest::Response) -> Self {
        Self {
            response,
            pending: Vec::new(),
            ended: false,
        }
    }

    /// The next block, or None when the server ended the stream. Fails the test after [`PATIENCE`].
    pub async fn block(&mut self) -> Option<Block> {
        loop {
            if let Some(end) = find_blank_line(&self.pending) {
                let text = String::from_utf8(self.pending[..end].to_vec()).expect("UTF-8");
                self.pending.drain(..end + 2);
                return Some(parse_block(&text));
            }
            if self.ended {
                assert!(
                    self.pending.is_empty(),
                    "a partial block at the end: {:?}",
                    String::from_utf8_lossy(&self.pending)
                );
                return None;
            }
            let chunk = tokio::time::timeout(PATIENCE, self.response.chunk())
                .await
                .expect("the stream stalled")
                .expect("reading the stream");
            match chunk {
                Some(bytes) => self.pending.extend_from_slice(&bytes),
                None => self.ended = true,
            }
        }
    }

    /// The next event block, skipping heartbeats.
    pub async fn message(&mut self) -> Option<Block> {
        loop {
            match self.block().await? {
                Block::Comment => {}
                m => return Some(m),
            }
        }
    }

    /// The next `n` deliveries; each must be a plain event.
    pub async fn deliveries(&mut self, n: usize) -> Vec<Delivery> {
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            let block = self.message().await.expect("the stream ended early");
            out.push(delivery(&block));
        }
        out
    }

    /// Every delivery until the stream ends, then asserts it ended without a cutoff.
    pub async fn until_end(&mut self) -> Vec<Delivery> {
        let mut out = Vec::new();
        while let Some(block) = self.message().await {
            out.push(delivery(&block));
        }
        out
    }
}

/// The delivery a block carries, checking the wire format: `id:` is its sequence, no `event:` field, and
/// one `data:` line of JSON.
pub fn delivery(block: &Block) -> Delivery {
    let Block::Message { id, event, data } = block else {
        panic!("not an event: {block:?}");
    };
    assert_eq!(event, &None, "a delivery has no event field: {block:?}");
    assert_eq!(data.len(), 1, "a delivery is one data line: {block:?}");
    let d: Delivery = serde_json::from_str(&data[0]).expect("data is a Delivery");
    assert_eq!(id.as_deref(), Some(d.sequence.to_string().as_str()));
    assert_eq!(d.subject, d.event.subject().as_str());
    d
}

fn find_blank_line(bytes: &[u8]) -> Option<usize> {
    bytes.windows(2).position(|w| w == b"\n\n")
}

fn parse_block(text: &str) -> Block {
    let (mut id, mut event, mut data, mut fields) = (None, None, Vec::new(), 0);
    for line in text.split('\n') {
        if line.starts_with(':') {
            continue;
        }
        fields += 1;
        let (name, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value).to_owned();
        match name {
            "id" => id = Some(value),
            "event" => event = Some(value),
            "data" => data.push(value),
            other => panic!("unexpected SSE field {other:?} in {text:?}"),
        }
    }
    if fields == 0 {
        Block::Comment
    } else {
        Block::Message { id, event, data }
    }
}
