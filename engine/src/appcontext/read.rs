//! Reads an AppContext back: its meta data, app order and dependencies, each app's placement, and each
//! cluster's resources, hooks and CRDs with their bodies resolved from the blobs.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use canopy_schemas::ContextId;
use canopy_schemas::name::{AppName, ClusterRef};
use tokio::sync::OnceCell;

use super::keys::ContextKeys;
use super::model::{App, AppContext, Dependency, Hook, Manifest, Manifests, Meta, Placement};
use super::record::{AppsRecord, ClusterRecord, Entry, Status, decode};
use super::{BlobHash, Error, Result};
use crate::context::{ContextStore, Key, KeyValue};

/// A blob of an app: its app and hash.
type BlobId = (AppName, BlobHash);

/// Resource bodies one reader has read: identical bodies are read once.
type Blobs = HashMap<BlobId, Vec<u8>>;

/// A body being read or read, for everyone who waits on it.
type SharedBody = Arc<OnceCell<Vec<u8>>>;

/// Resource bodies of one context, shared by concurrent readers: each body is read from the store once,
/// however many readers ask for it at the same moment (the first asks, the others wait for its answer).
/// The thousands of cluster tasks of one context start together and want the same few bodies.
#[derive(Default)]
pub struct SharedBlobs {
    bodies: Mutex<HashMap<BlobId, SharedBody>>,
}

impl SharedBlobs {
    /// How many bodies are held.
    pub fn len(&self) -> usize {
        self.bodies.lock().expect("lock").len()
    }

    /// True when no body is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl std::fmt::Debug for SharedBlobs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedBlobs")
            .field("bodies", &self.len())
            .finish()
    }
}

/// Where a reader gets the bodies of blobs from.
enum Bodies<'a> {
    /// One reader's own cache.
    Own(&'a mut Blobs),
    /// Shared by concurrent readers.
    Shared(&'a SharedBlobs),
}

impl Bodies<'_> {
    /// The body of `hash` in `app`, read at `key` when it is not known yet.
    async fn body<S: ContextStore + ?Sized>(
        &mut self,
        store: &S,
        key: Key,
        app: &AppName,
        hash: BlobHash,
    ) -> Result<Vec<u8>> {
        match self {
            Self::Own(cache) => {
                let cached = (app.clone(), hash);
                if let Some(body) = cache.get(&cached) {
                    return Ok(body.clone());
                }
                let body = read_blob(store, key).await?;
                cache.insert(cached, body.clone());
                Ok(body)
            }
            Self::Shared(shared) => {
                let cell = shared
                    .bodies
                    .lock()
                    .expect("lock")
                    .entry((app.clone(), hash))
                    .or_default()
                    .clone();
                // A failed read leaves the cell empty: the next reader tries again.
                let body = cell.get_or_try_init(|| read_blob(store, key)).await?;
                Ok(body.clone())
            }
        }
    }
}

async fn read_blob<S: ContextStore + ?Sized>(store: &S, key: Key) -> Result<Vec<u8>> {
    let kv = store.get(&key).await?.ok_or(Error::Missing(key))?;
    Ok(kv.value)
}

/// What `app` of context `ctx` deploys on `cluster`, from `record`: the value read at
/// [`ContextKeys::cluster`] (`None`: the key is missing). Bodies come through `blobs`. For a caller that
/// read the record together with other keys, in one request.
pub async fn manifests_from<S: ContextStore + ?Sized>(
    store: &S,
    ctx: ContextId,
    app: &AppName,
    cluster: &ClusterRef,
    record: Option<&KeyValue>,
    blobs: &SharedBlobs,
) -> Result<Manifests> {
    let keys = ContextKeys::new(ctx);
    let key = keys.cluster(app, cluster);
    let kv = record.ok_or_else(|| Error::Missing(key.clone()))?;
    let record: ClusterRecord = decode(&key, &kv.value)?;
    build(store, &keys, app, record, &mut Bodies::Shared(blobs)).await
}

/// The manifests of a cluster record, in order, with their bodies.
async fn build<S: ContextStore + ?Sized>(
    store: &S,
    keys: &ContextKeys,
    app: &AppName,
    record: ClusterRecord,
    bodies: &mut Bodies<'_>,
) -> Result<Manifests> {
    let mut manifests = Manifests::default();
    for entry in record.resources {
        manifests
            .resources
            .push(resolve(store, keys, app, entry, bodies).await?);
    }
    for (event, entry) in record.hooks {
        let manifest = resolve(store, keys, app, entry, bodies).await?;
        manifests.hooks.push(Hook { event, manifest });
    }
    for entry in record.crds {
        manifests
            .crds
            .push(resolve(store, keys, app, entry, bodies).await?);
    }
    Ok(manifests)
}

/// The manifest of `entry`, with its body from the blob.
async fn resolve<S: ContextStore + ?Sized>(
    store: &S,
    keys: &ContextKeys,
    app: &AppName,
    entry: Entry,
    bodies: &mut Bodies<'_>,
) -> Result<Manifest> {
    let body = bodies
        .body(store, keys.blob(app, &entry.blob), app, entry.blob)
        .await?;
    Ok(Manifest {
        api_version: entry.api_version,
        kind: entry.kind,
        name: entry.name,
        namespace: entry.namespace,
        body,
    })
}

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

    async fn manifests_with(
        &self,
        app: &AppName,
        cluster: &ClusterRef,
        blobs: &mut Blobs,
    ) -> Result<Manifests> {
        let record: ClusterRecord = get(self.store, &self.keys.cluster(app, cluster)).await?;
        build(self.store, &self.keys, app, record, &mut Bodies::Own(blobs)).await
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
