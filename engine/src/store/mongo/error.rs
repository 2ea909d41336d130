//! How MongoDB failures become [`store::Error`](crate::store::Error)s. Whether one is retryable is decided
//! here, where it is made, from the driver's error kind, labels and server codes.

use mongodb::error::{
    Error as DriverError, ErrorKind, RETRYABLE_ERROR, RETRYABLE_WRITE_ERROR,
    SYSTEM_OVERLOADED_ERROR, TRANSIENT_TRANSACTION_ERROR, UNKNOWN_TRANSACTION_COMMIT_RESULT,
    WriteFailure,
};

use super::{convert, document};
use crate::store::{Error, Key};

/// Labels the driver or server puts on errors that a later attempt may not hit.
const RETRYABLE_LABELS: [&str; 5] = [
    TRANSIENT_TRANSACTION_ERROR,
    UNKNOWN_TRANSACTION_COMMIT_RESULT,
    RETRYABLE_WRITE_ERROR,
    RETRYABLE_ERROR,
    SYSTEM_OVERLOADED_ERROR,
];

/// Server codes of lost hosts, elections, shutdowns, timeouts and write conflicts.
const RETRYABLE_CODES: [i32; 18] = [
    6,     // HostUnreachable
    7,     // HostNotFound
    24,    // LockTimeout
    50,    // MaxTimeMSExpired
    64,    // WriteConcernFailed (wtimeout)
    89,    // NetworkTimeout
    91,    // ShutdownInProgress
    112,   // WriteConflict
    189,   // PrimarySteppedDown
    251,   // NoSuchTransaction
    262,   // ExceededTimeLimit
    9001,  // SocketException
    10107, // NotWritablePrimary
    11600, // InterruptedAtShutdown
    11602, // InterruptedDueToReplStateChange
    13435, // NotPrimaryNoSecondaryOk
    13436, // NotPrimaryOrSecondary
    46,    // LockBusy
];

/// IllegalOperation, which a standalone mongod answers to a transaction.
const ILLEGAL_OPERATION: i32 = 20;

/// `step` failed in the driver or on the server.
pub(super) fn driver(step: &str, e: &DriverError) -> Error {
    if refuses_transactions(e) {
        return Error::Backend {
            message: format!(
                "{step}: MongoDB refused a transaction ({}). canopy's resource store writes in \
                 multi-document transactions, which need a replica set or a sharded cluster; a \
                 standalone mongod has none (a one-node replica set is enough: start mongod with \
                 --replSet rs0 and run rs.initiate() once)",
                e.kind
            ),
            retryable: false,
        };
    }
    let mut labels: Vec<&String> = e.labels().iter().collect();
    labels.sort();
    let labels = if labels.is_empty() {
        String::new()
    } else {
        let joined: Vec<&str> = labels.iter().map(|l| l.as_str()).collect();
        format!(" [{}]", joined.join(", "))
    };
    Error::Backend {
        message: format!("{step}: {}{labels}", e.kind),
        retryable: is_retryable(e),
    }
}

/// True when the same operation may succeed later: a network failure or timeout, a failover, a write
/// conflict with a concurrent transaction.
pub(super) fn is_retryable(e: &DriverError) -> bool {
    if RETRYABLE_LABELS.iter().any(|l| e.contains_label(l)) {
        return true;
    }
    match e.kind.as_ref() {
        ErrorKind::Io(_)
        | ErrorKind::ConnectionPoolCleared { .. }
        | ErrorKind::ServerSelection { .. }
        | ErrorKind::DnsResolve { .. } => true,
        _ => code(e).is_some_and(|c| RETRYABLE_CODES.contains(&c)),
    }
}

/// True when the deployment cannot run transactions: the driver's own check when it knows the topology,
/// or the server's answer when the driver did not know yet.
fn refuses_transactions(e: &DriverError) -> bool {
    match e.kind.as_ref() {
        ErrorKind::Transaction { message, .. } => {
            message.contains("not supported by this deployment")
        }
        ErrorKind::Command(c) => {
            c.code == ILLEGAL_OPERATION && c.message.contains("Transaction numbers")
        }
        _ => false,
    }
}

/// The server code of a command, write or write-concern failure.
pub(super) fn code(e: &DriverError) -> Option<i32> {
    match e.kind.as_ref() {
        ErrorKind::Command(c) => Some(c.code),
        ErrorKind::Write(WriteFailure::WriteError(w)) => Some(w.code),
        ErrorKind::Write(WriteFailure::WriteConcernError(w)) => Some(w.code),
        ErrorKind::InsertMany(m) => m
            .write_errors
            .as_ref()
            .and_then(|errors| errors.first().map(|w| w.code))
            .or(m.write_concern_error.as_ref().map(|w| w.code)),
        _ => None,
    }
}

/// A stored document that does not read back: corrupt data, never fixed by retrying.
pub(super) fn stored(e: document::Error) -> Error {
    Error::Backend {
        message: e.to_string(),
        retryable: false,
    }
}

/// The body of `key` has no BSON form.
pub(super) fn body(key: &Key, e: convert::Error) -> Error {
    Error::Backend {
        message: format!("encoding the body of {key}: {e}"),
        retryable: false,
    }
}

#[cfg(test)]
mod tests {
    use mongodb::bson::{self, doc};
    use mongodb::error::{CommandError, WriteError};

    use super::*;

    fn command(code: i32, name: &str, message: &str) -> DriverError {
        let c: CommandError =
            bson::from_document(doc! { "code": code, "codeName": name, "errmsg": message })
                .unwrap();
        ErrorKind::Command(c).into()
    }

    #[test]
    fn lost_connections_and_write_conflicts_are_retryable() {
        let io: DriverError = ErrorKind::Io(std::sync::Arc::new(
            std::io::ErrorKind::ConnectionReset.into(),
        ))
        .into();
        assert!(driver("reading", &io).is_retryable());
        assert!(driver("writing", &command(112, "WriteConflict", "conflict")).is_retryable());
        assert!(driver("writing", &command(189, "PrimarySteppedDown", "election")).is_retryable());
        let write: WriteError =
            bson::from_document(doc! { "code": 112, "errmsg": "conflict" }).unwrap();
        let write: DriverError = ErrorKind::Write(WriteFailure::WriteError(write)).into();
        assert!(driver("writing", &write).is_retryable());
    }

    #[test]
    fn other_server_errors_are_terminal_and_name_the_step() {
        let err = driver(
            "inserting",
            &command(11000, "DuplicateKey", "E11000 duplicate key"),
        );
        assert!(!err.is_retryable());
        let message = err.to_string();
        assert!(message.contains("inserting"), "{message}");
        assert!(message.contains("E11000"), "{message}");
    }

    #[test]
    fn a_standalone_server_refusing_transactions_says_what_is_needed() {
        let refused = command(
            ILLEGAL_OPERATION,
            "IllegalOperation",
            "Transaction numbers are only allowed on a replica set member or mongos",
        );
        let err = driver("starting the transaction", &refused);
        assert!(!err.is_retryable());
        let message = err.to_string();
        assert!(message.contains("replica set"), "{message}");
        assert!(message.contains("rs.initiate()"), "{message}");
    }

    #[test]
    fn an_unrelated_illegal_operation_is_not_mistaken_for_a_refused_transaction() {
        let err = driver(
            "writing",
            &command(ILLEGAL_OPERATION, "IllegalOperation", "other"),
        );
        assert!(!err.to_string().contains("rs.initiate()"));
    }
}
