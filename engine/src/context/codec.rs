//! The embedded store's byte encodings: a key's state (revisions, version, value) and a history event.
//!
//! - state: `create_revision | mod_revision | version` (each i64, little-endian), then the value;
//! - event: kind (`0` put, `1` delete), then the key's length (u32) and the key, then the new state's
//!   length (u32) and the new state, then the previous state if any (the rest).

use super::{Event, EventKind, Key, KeyValue, Revision};

const HEADER: usize = 24;

/// Encodes the state of `kv` (everything but its key).
pub(crate) fn encode_state(kv: &KeyValue) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER + kv.value.len());
    out.extend_from_slice(&kv.create_revision.0.to_le_bytes());
    out.extend_from_slice(&kv.mod_revision.0.to_le_bytes());
    out.extend_from_slice(&kv.version.to_le_bytes());
    out.extend_from_slice(&kv.value);
    out
}

/// Decodes a state written by [`encode_state`] for `key`; `None` when it is malformed.
pub(crate) fn decode_state(key: Key, bytes: &[u8]) -> Option<KeyValue> {
    let int = |at: usize| Some(i64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?));
    Some(KeyValue {
        key,
        create_revision: Revision(int(0)?),
        mod_revision: Revision(int(8)?),
        version: int(16)?,
        value: bytes.get(HEADER..)?.to_vec(),
    })
}

/// Encodes an event for the history table.
pub(crate) fn encode_event(event: &Event) -> Vec<u8> {
    let key = event.kv.key.as_bytes();
    let state = encode_state(&event.kv);
    let mut out = Vec::with_capacity(9 + key.len() + state.len());
    out.push(match event.kind {
        EventKind::Put => 0,
        EventKind::Delete => 1,
    });
    out.extend_from_slice(&(key.len() as u32).to_le_bytes());
    out.extend_from_slice(key);
    out.extend_from_slice(&(state.len() as u32).to_le_bytes());
    out.extend_from_slice(&state);
    if let Some(prev) = &event.prev {
        out.extend_from_slice(&encode_state(prev));
    }
    out
}

/// Decodes an event written by [`encode_event`]; `None` when it is malformed.
pub(crate) fn decode_event(bytes: &[u8]) -> Option<Event> {
    let kind = match bytes.first()? {
        0 => EventKind::Put,
        1 => EventKind::Delete,
        _ => return None,
    };
    let len =
        |at: usize| Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?) as usize);
    let key_len = len(1)?;
    let key = Key::new(bytes.get(5..5 + key_len)?);
    let state_at = 5 + key_len;
    let state_len = len(state_at)?;
    let state = bytes.get(state_at + 4..state_at + 4 + state_len)?;
    let rest = bytes.get(state_at + 4 + state_len..)?;
    let prev = if rest.is_empty() {
        None
    } else {
        Some(decode_state(key.clone(), rest)?)
    };
    Some(Event {
        kind,
        kv: decode_state(key, state)?,
        prev,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kv(value: &str, version: i64) -> KeyValue {
        KeyValue {
            key: Key::from("/a/b"),
            value: value.into(),
            create_revision: Revision(2),
            mod_revision: Revision(version + 1),
            version,
        }
    }

    #[test]
    fn events_round_trip_with_and_without_prev() {
        for prev in [None, Some(kv("old", 1))] {
            let event = Event {
                kind: EventKind::Put,
                kv: kv("new", 2),
                prev,
            };
            assert_eq!(decode_event(&encode_event(&event)), Some(event));
        }
    }
}
