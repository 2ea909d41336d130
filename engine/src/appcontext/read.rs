//! Reads an AppContext back: its meta data, app order and dependencies, each app's placement, and each
//! cluster's resources, hooks and CRDs with their bodies resolved from the blobs.

use std::collections::{BTreeMap, HashMap};

use canopy_schemas::ContextId;
use canopy_schemas::name::{AppName, ClusterRef};

use super::keys::ContextKeys;
use super::model::{App, AppContext, Dependency, Hook, Manifest, Manifests, Meta, Placement};
use super::record::{AppsRecord, ClusterRecord, Entry, Status, decode};
use super::{BlobHash, Error, Result};
use crate::context::{ContextStore, Key};

/// Bodies already read, by app and hash.
/// Resource bodies already read, by app and hash: identical bodies are read once.
pub type BlobCache = HashMap<(AppName, BlobHash), Vec<u8>>;

type Blobs = BlobCache;

/// A reader of one complete AppContext.
pub struct Reader<'a, S: ?Sized> {
    store: &'a S,
    id: ContextId,
    keys: ContextKeys,
    /// The context's status, read when it was opened.
    pub status: Status,
}

impl<'a, S: ContextStore + ?Sized> Reader<'a, S> {
    /// Opens context `id`; [`Error::Incomplete`] when it has no `status` key (absent, or half-written).
    pub async fn open(store: &'a S, id: ContextId) -> Result<Self> {
        let keys = ContextKeys::new(id);
        let status = match get(store, &keys.status()).await {
            Ok(status) => status,
            Err(Error::Missing(_)) => return Err(Error::Incomplete(id)),
            Err(e) => return Err(e),
        };
        Ok(Self {
            store,
            id,
            keys,
            status,
        })
    }

    /// What the context was built from.
    pub async fn meta(&self) -> Result<Meta> {
        get(self.store, &self.keys.meta()).await
    }

    /// The apps in deployment order, each with its dependencies.
    pub async fn apps(&self) -> Result<Vec<(AppName, Vec<Dependency>)>> {
        let record: AppsRecord = get(self.store, &self.keys.apps()).await?;
        Ok(record.apps)
    }

    /// Where `app` is placed: its clusters with their groups and scores.
    pub async fn placement(&self, app: &AppName) -> Result<Placement> {
        get(self.store, &self.keys.clusters(app)).await
    }

    /// What `app` deploys on `cluster`, in order, with bodies.
    pub async fn manifests(&self, app: &AppName, cluster: &ClusterRef) -> Result<Manifests> {
        self.manifests_with(app, cluster, &mut Blobs::new()).await
    }

    /// The resources `app` deploys on `cluster`, in order, without their bodies: `(apiVersion, kind, name)`.
    pub async fn resource_ids(
        &self,
        app: &AppName,
        cluster: &ClusterRef,
    ) -> Result<Vec<(String, String, String)>> {
        let record: ClusterRecord = get(self.store, &self.keys.cluster(app, cluster)).await?;
        Ok(record
            .resources
            .into_iter()
            .map(|e| (e.api_version, e.kind, e.name))
            .collect())
    }

    /// The whole context. Bodies shared by several clusters are read once.
    pub async fn read(&self) -> Result<AppContext> {
        let mut blobs = Blobs::new();
        let mut apps = Vec::new();
        for (name, depends_on) in self.apps().await? {
            let placement = self.placement(&name).await?;
            let mut clusters = BTreeMap::new();
            for placed in &placement.clusters {
                let manifests = self
                    .manifests_with(&name, &placed.cluster, &mut blobs)
                    .await?;
                clusters.insert(placed.cluster.clone(), manifests);
            }
            apps.push(App {
                name,
                depends_on,
                placement,
                clusters,
            });
        }
        Ok(AppContext {
            id: self.id,
            meta: self.meta().await?,
            apps,
        })
    }

    /// What `app` deploys on `cluster`, reading bodies through `blobs` (bodies found there are not read
    /// again; bodies read are added).
    pub async fn manifests_cached(
        &self,
        app: &AppName,
        cluster: &ClusterRef,
        blobs: &mut BlobCache,
    ) -> Result<Manifests> {
        self.manifests_with(app, cluster, blobs).await
    }

    async fn manifests_with(
        &self,
        app: &AppName,
        cluster: &ClusterRef,
        blobs: &mut Blobs,
    ) -> Result<Manifests> {
        let record: ClusterRecord = get(self.store, &self.keys.cluster(app, cluster)).await?;
        let mut manifests = Manifests::default();
        for entry in record.resources {
            manifests
                .resources
                .push(self.resolve(app, entry, blobs).await?);
        }
        for (event, entry) in record.hooks {
            let manifest = self.resolve(app, entry, blobs).await?;
            manifests.hooks.push(Hook { event, manifest });
        }
        for entry in record.crds {
            manifests.crds.push(self.resolve(app, entry, blobs).await?);
        }
        Ok(manifests)
    }

    /// The manifest of `entry`, with its body from the blob.
    async fn resolve(&self, app: &AppName, entry: Entry, blobs: &mut Blobs) -> Result<Manifest> {
        let cached = (app.clone(), entry.blob);
        let body = match blobs.get(&cached) {
            Some(body) => body.clone(),
            None => {
                let key = self.keys.blob(app, &entry.blob);
                let kv = self.store.get(&key).await?.ok_or(Error::Missing(key))?;
                blobs.insert(cached, kv.value.clone());
                kv.value
            }
        };
        Ok(Manifest {
            api_version: entry.api_version,
            kind: entry.kind,
            name: entry.name,
            namespace: entry.namespace,
            body,
        })
    }
}

/// Reads and decodes `key`; [`Error::Missing`] when absent.
async fn get<S, T>(store: &S, key: &Key) -> Result<T>
where
    S: ContextStore + ?Sized,
    T: serde::de::DeserializeOwned,
{
    let kv = store
        .get(key)
        .await?
        .ok_or_else(|| Error::Missing(key.clone()))?;
    decode(key, &kv.value)
}
