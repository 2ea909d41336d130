//! Runs a real etcd and a real nats-server (with JetStream) from the test harness until Ctrl-C, and prints
//! where they listen. This is what `canopy` can offer before the engine exists: the two services every
//! later part will use, started the way the tests start them.

use canopy_tests::{EtcdServer, NatsServer};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let etcd = EtcdServer::start().await?;
    let nats = NatsServer::start().await?;
    println!(
        "etcd        {}   (data {})",
        etcd.endpoint(),
        etcd.data_dir().display()
    );
    println!(
        "nats-server {}   (JetStream, monitoring http://127.0.0.1:{})",
        nats.url(),
        nats.monitor_port()
    );
    println!();
    println!(
        "Both are real servers in temporary directories; they stop and their data is removed on Ctrl-C."
    );
    println!("The canopy engine itself does not exist yet (see README.md, Status).");
    tokio::signal::ctrl_c().await?;
    println!("stopping");
    Ok(())
}
