//! canopy's controllers: the SDK for writing a placement or action controller (a trait for the controller's
//! logic plus the gRPC server harness that serves it), and the built-in controllers. A controller is a
//! function from a request to a response over the services in `canopy_schemas::proto::controller`; it never
//! touches etcd or the resource store.
//!
//! Nothing is implemented yet: the crate is empty until the instantiate issue builds the SDK and the
//! built-in controllers. The gRPC contract it will serve already exists in `canopy-schemas`.
