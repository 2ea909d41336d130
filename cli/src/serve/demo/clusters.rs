//! The demo clusters registered with the engine: the cluster provider `demo`, each cluster with its
//! kubeconfig (`POST .../clusters`, multipart), and its region label. A cluster registered by a previous run
//! whose kubeconfig no longer matches edgesim's address is re-pointed in the resource store: EMCO's API has
//! no `PUT` for a cluster, and delete-then-create is refused while a logical cloud references it.

use bytes::Bytes;
use canopy_engine::store::{Key, Put, ResourceStore, Write, key};
use serde_json::json;

use super::{Config, Demo, PROVIDER};
use crate::serve::error::{Error, Result};
use crate::serve::local::Local;

/// The blob that holds a cluster's kubeconfig.
const KUBECONFIG: &str = "kubeconfig";

/// Registers the provider, the clusters and their labels, and re-points stale kubeconfigs.
pub async fn register(
    local: &Local,
    store: &dyn ResourceStore,
    demo: &Demo,
    config: &Config,
) -> Result<()> {
    local
        .post(
            "/cluster-providers",
            &json!({"metadata": {"name": PROVIDER, "description": "canopy serve --demo: edgesim clusters"}}),
        )
        .await?
        .expect("registering the cluster provider demo", &[201, 409])?;
    let clusters = format!("/cluster-providers/{PROVIDER}/clusters");
    for i in 1..=config.clusters {
        let name = super::name(i);
        let kubeconfig = demo.sim.kubeconfig(&name);
        let step = format!("registering the demo cluster {name}");
        let existing = local.get(&format!("{clusters}/{name}")).await?;
        match existing.status {
            404 => {
                local
                    .upload(
                        &clusters,
                        &json!({"metadata": {"name": name}}),
                        kubeconfig.as_bytes(),
                    )
                    .await?
                    .expect(&step, &[201])?;
            }
            200 => repoint(store, &name, kubeconfig.into_bytes()).await?,
            _ => {
                existing.expect(&step, &[200])?;
            }
        }
        local
            .post(
                &format!("{clusters}/{name}/labels"),
                &json!({"clusterLabel": super::region(i)}),
            )
            .await?
            .expect(&format!("labelling the demo cluster {name}"), &[201, 409])?;
    }
    Ok(())
}

/// Replaces the stored kubeconfig of `cluster` when it differs from `kubeconfig`, keeping the record.
async fn repoint(store: &dyn ResourceStore, cluster: &str, kubeconfig: Vec<u8>) -> Result<()> {
    let failed = |source| Error::Kubeconfig {
        cluster: cluster.to_owned(),
        source,
    };
    let k = Key::parse(&key::CLUSTER, &[PROVIDER, cluster]).expect("demo names are valid");
    if store.blob(&k, KUBECONFIG).await.map_err(failed)?.as_deref() == Some(kubeconfig.as_slice()) {
        return Ok(());
    }
    let Some(record) = store.get(&k).await.map_err(failed)? else {
        return Ok(());
    };
    let put = Put {
        key: k,
        data: record.data,
        refs: record.refs,
        claims: record.claims,
        blobs: vec![(KUBECONFIG.to_owned(), Bytes::from(kubeconfig))],
    };
    store
        .write(vec![Write::Replace(put)])
        .await
        .map_err(failed)?;
    tracing::info!(
        cluster,
        "re-pointed the demo cluster's kubeconfig at this run's edgesim"
    );
    Ok(())
}
