//! Benchmark: builds one AppContext (3 apps × 10 resources) on 1,000 and on 10,000 clusters in a real etcd
//! started by the test harness, and prints the build time, the key and value bytes written, and etcd's
//! database size.
//!
//! Run with `CANOPY_ETCD_BIN=... cargo run --release -p canopy-engine --example appcontext_bench`.

use std::collections::BTreeMap;
use std::time::Instant;

use canopy_engine::appcontext::{
    self, App, AppContext, Manifest, Manifests, Meta, Placed, Placement,
};
use canopy_engine::context::etcd;
use canopy_schemas::ContextId;
use canopy_schemas::name::{AppName, ClusterRef};
use canopy_tests::EtcdServer;

/// One DIG of 3 apps with 10 resources each, placed on `clusters` clusters with the same bodies on all.
fn dig(id: u64, clusters: usize) -> anyhow::Result<AppContext> {
    let refs = (0..clusters)
        .map(|c| Ok(format!("provider1+cluster{c}").parse::<ClusterRef>()?))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mut apps = Vec::new();
    for a in 0..3 {
        let manifests = Manifests {
            resources: (0..10)
                .map(|i| Manifest {
                    api_version: "apps/v1".into(),
                    kind: "Deployment".into(),
                    name: format!("app{a}-r{i}"),
                    namespace: Some("default".into()),
                    body: format!(
                        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app{a}-r{i}\n\
                         spec:\n  replicas: 1\n  template:\n    spec:\n      containers:\n      \
                         - name: c\n        image: nginx:1.25\n"
                    )
                    .into_bytes(),
                })
                .collect(),
            ..Manifests::default()
        };
        apps.push(App {
            name: AppName::new(format!("app{a}"))?,
            depends_on: Vec::new(),
            placement: Placement {
                clusters: (refs.iter())
                    .map(|r| Placed {
                        cluster: r.clone(),
                        group: None,
                        score: None,
                    })
                    .collect(),
                dropped: Vec::new(),
            },
            clusters: refs
                .iter()
                .map(|r| (r.clone(), manifests.clone()))
                .collect::<BTreeMap<_, _>>(),
        });
    }
    Ok(AppContext {
        id: ContextId::new(id),
        meta: Meta {
            project: "proj".parse()?,
            composite_app: "ca".parse()?,
            version: "v1".parse()?,
            dig: "dig".parse()?,
            revision: canopy_schemas::Revision::FIRST,
            namespace: "default".into(),
            logical_cloud: None,
            for_cloud: false,
        },
        apps,
    })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    for (id, clusters) in [(1, 1_000), (2, 10_000)] {
        let server = EtcdServer::start().await?;
        let store = etcd::Config::new([server.endpoint()]).connect().await?;
        let ctx = dig(id, clusters)?;
        let started = Instant::now();
        let written = appcontext::write(&store, &ctx).await?;
        let elapsed = started.elapsed();
        let mut client = etcd_client::Client::connect([server.endpoint()], None).await?;
        let status = client.status().await?;
        println!(
            "{clusters} clusters: {} keys in {} txns, {:.2?}, {} key+value bytes, etcd db size {} bytes \
             ({} in use)",
            written.keys,
            written.txns,
            elapsed,
            written.bytes,
            status.db_size(),
            status.raft_used_db_size(),
        );
    }
    Ok(())
}
