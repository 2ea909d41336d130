//! Compiles `proto/` with protox (a protobuf compiler written in Rust), so no system `protoc` is needed,
//! then generates prost messages and tonic clients and servers from the descriptors.

use std::error::Error;

const PROTOS: &[&str] = &[
    "canopy/controller/v1/controller.proto",
    "canopy/rsync/v1/rsync.proto",
];

fn main() -> Result<(), Box<dyn Error>> {
    let descriptors = protox::compile(PROTOS, ["proto"])?;
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        .compile_fds(descriptors)?;
    println!("cargo:rerun-if-changed=proto");
    Ok(())
}
