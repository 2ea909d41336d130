//! One cluster's handle: its client, its default namespace, its discovery cache, and the verbs rsync uses
//! on single objects: apply (server-side, field manager `canopy`), delete, exists and get.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use canopy_engine::appcontext::Manifest;
use kube::Resource;
use kube::api::{Api, DeleteParams, DynamicObject, Patch, PatchParams};
use serde_json::Value;

use super::body;
use super::discovery::{Kind, Kinds};
use super::error::{ApplyError, Result, api_code};
use super::id::ResourceId;

/// The field manager of every apply.
pub const FIELD_MANAGER: &str = "canopy";

/// How long one ordinary request may take before the cluster counts as unreachable.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// One edge cluster as rsync sees it. Cheap to clone; clones share the client and the discovery cache.
///
/// The default namespace is given at construction ([`Cluster::new`], [`Cluster::with_namespace`]): it is
/// where a namespaced manifest without `metadata.namespace` goes (the AppContext's namespace, that is, the
/// logical cloud's). The kubeconfig's own namespace is not used, so the same manifests land in the same
/// place on every cluster.
#[derive(Clone)]
pub struct Cluster {
    inner: Arc<Inner>,
    namespace: Arc<str>,
}

struct Inner {
    client: kube::Client,
    timeout: Duration,
    kinds: Kinds,
}

impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // kube::Client is not Debug.
        f.debug_struct("Cluster")
            .field("default_namespace", &self.namespace)
            .field("timeout", &self.inner.timeout)
            .field("kinds", &self.inner.kinds)
            .finish_non_exhaustive()
    }
}

/// Where one manifest's object lives: its effective namespace, an API handle to it, and the request
/// builder for its collection.
pub(super) struct Target {
    pub(super) namespace: Option<String>,
    pub(super) api: Api<DynamicObject>,
    pub(super) requests: kube::core::Request,
}

impl Cluster {
    /// A cluster reached through `client`, whose namespaced manifests without a namespace go to
    /// `default_namespace`; each request may take [`REQUEST_TIMEOUT`].
    pub fn new(client: kube::Client, default_namespace: impl Into<String>) -> Self {
        Self::with_timeout(client, default_namespace, REQUEST_TIMEOUT)
    }

    /// As [`Cluster::new`], with another per-request timeout.
    pub fn with_timeout(
        client: kube::Client,
        default_namespace: impl Into<String>,
        timeout: Duration,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                client,
                timeout,
                kinds: Kinds::default(),
            }),
            namespace: Arc::from(default_namespace.into()),
        }
    }

    /// The same cluster, client and discovery cache, with `default_namespace` instead.
    pub fn with_namespace(&self, default_namespace: &str) -> Self {
        Self {
            inner: self.inner.clone(),
            namespace: Arc::from(default_namespace),
        }
    }

    /// The client.
    pub fn client(&self) -> &kube::Client {
        &self.inner.client
    }

    /// Where namespaced manifests without a namespace go.
    pub fn default_namespace(&self) -> &str {
        &self.namespace
    }

    /// Checks that the cluster answers (`GET /version`).
    pub async fn reachable(&self) -> Result<()> {
        self.call("GET /version", self.inner.client.apiserver_version())
            .await
            .map(drop)
    }

    /// The kind `kind` of `api_version` as the cluster serves it, discovering its group version when it
    /// is not cached or does not list the kind yet. An unserved kind is [`ApplyError::Terminal`].
    pub async fn kind(&self, api_version: &str, kind: &str) -> Result<Kind> {
        self.kind_if_served(api_version, kind)
            .await?
            .ok_or_else(|| {
                ApplyError::Terminal(format!(
                    "the cluster does not serve kind {kind} in {api_version} (no CRD for it?)"
                ))
            })
    }

    /// The object `m` names: its kind, namespace and name.
    pub async fn id(&self, m: &Manifest) -> Result<ResourceId> {
        let target = self.target(m).await?;
        Ok(ResourceId {
            api_version: m.api_version.clone(),
            kind: m.kind.clone(),
            namespace: target.namespace,
            name: m.name.clone(),
        })
    }

    /// Server-side applies `m` with field manager `canopy`, forcing ownership, labelled with
    /// `deployment_id` (see [`body::DEPLOYMENT_ID_LABEL`]). A 404 (a kind whose CRD was replaced, say)
    /// refreshes discovery and is tried once more. The object the cluster answers with is not parsed:
    /// nothing here needs it, and readiness comes from the watches.
    pub async fn apply(&self, m: &Manifest, deployment_id: &str) -> Result<()> {
        let what = format!("applying {}", describe(m));
        let params = PatchParams::apply(FIELD_MANAGER).force();
        let mut refreshed = false;
        loop {
            let target = self.target(m).await?;
            let obj = body::prepared(m, target.namespace.as_deref(), deployment_id)?;
            let request = target
                .requests
                .patch(&m.name, &params, &Patch::Apply(&*obj))
                .map_err(|e| ApplyError::Terminal(format!("{what}: building the request: {e}")))?;
            let client = &self.inner.client;
            let result = self.call_raw(&what, client.request_text(request)).await?;
            match result {
                Ok(_) => return Ok(()),
                Err(e) if api_code(&e) == Some(404) && !refreshed => {
                    refreshed = true;
                    self.inner.kinds.invalidate(&m.api_version);
                }
                Err(e) => return Err(ApplyError::from_kube(e, &what)),
            }
        }
    }

    /// Deletes the object `m` names (in the background: dependents follow). An object that is already
    /// gone, or whose kind the cluster no longer serves, is fine.
    pub async fn delete(&self, m: &Manifest) -> Result<()> {
        let what = format!("deleting {}", describe(m));
        let Some(target) = self.target_if_served(m).await? else {
            return Ok(());
        };
        let api = target.api;
        let result = self
            .call_raw(&what, async {
                api.delete(&m.name, &DeleteParams::background()).await
            })
            .await?;
        match result {
            Ok(_) => Ok(()),
            Err(e) if api_code(&e) == Some(404) => Ok(()),
            Err(e) => Err(ApplyError::from_kube(e, &what)),
        }
    }

    /// True when the object `m` names exists.
    pub async fn exists(&self, m: &Manifest) -> Result<bool> {
        Ok(self.get(m).await?.is_some())
    }

    /// The live object `m` names, as JSON, if it exists.
    pub async fn get(&self, m: &Manifest) -> Result<Option<Value>> {
        let what = format!("reading {}", describe(m));
        let Some(target) = self.target_if_served(m).await? else {
            return Ok(None);
        };
        let api = target.api;
        let found = self
            .call(&what, async { api.get_opt(&m.name).await })
            .await?;
        found
            .map(|obj| {
                serde_json::to_value(obj)
                    .map_err(|e| ApplyError::Retryable(format!("{what}: encoding the answer: {e}")))
            })
            .transpose()
    }

    /// The target of `m`; an unserved kind is terminal.
    pub(super) async fn target(&self, m: &Manifest) -> Result<Target> {
        self.target_if_served(m).await?.ok_or_else(|| {
            ApplyError::Terminal(format!(
                "{}: the cluster does not serve kind {} in {} (no CRD for it?)",
                describe(m),
                m.kind,
                m.api_version
            ))
        })
    }

    /// The target of `m`, or `None` when its kind is not served.
    pub(super) async fn target_if_served(&self, m: &Manifest) -> Result<Option<Target>> {
        let kind = self.kind_if_served(&m.api_version, &m.kind).await?;
        Ok(kind.map(|kind| self.target_of(kind, m)))
    }

    /// An API handle over every namespace for `kind`.
    pub(super) fn api_all(&self, kind: &Kind) -> Api<DynamicObject> {
        Api::all_with(self.inner.client.clone(), &kind.resource)
    }

    /// The kind, discovered afresh when it is not in the cache.
    pub(super) async fn kind_if_served(
        &self,
        api_version: &str,
        kind: &str,
    ) -> Result<Option<Kind>> {
        if let Some(k) = self.inner.kinds.cached(api_version, kind) {
            return Ok(Some(k));
        }
        let client = self.inner.client.clone();
        let what = format!("discovering {api_version}");
        let kinds = &self.inner.kinds;
        self.call_raw(&what, kinds.refresh(&client, api_version, kind))
            .await?
    }

    /// Discovers `api_version` afresh and returns `kind` from it, if served.
    pub(super) async fn refresh_kind(&self, api_version: &str, kind: &str) -> Result<Option<Kind>> {
        let client = self.inner.client.clone();
        let what = format!("discovering {api_version}");
        self.call_raw(&what, self.inner.kinds.refresh(&client, api_version, kind))
            .await?
    }

    fn target_of(&self, kind: Kind, m: &Manifest) -> Target {
        let client = self.inner.client.clone();
        let namespace = kind.namespaced.then(|| {
            m.namespace
                .clone()
                .unwrap_or_else(|| self.namespace.to_string())
        });
        let api = match &namespace {
            Some(ns) => Api::namespaced_with(client, ns, &kind.resource),
            None => Api::all_with(client, &kind.resource),
        };
        let requests = kube::core::Request::new(DynamicObject::url_path(
            &kind.resource,
            namespace.as_deref(),
        ));
        Target {
            namespace,
            api,
            requests,
        }
    }

    /// Runs one request under the request timeout and classifies its error.
    pub(super) async fn call<T>(
        &self,
        what: &str,
        request: impl Future<Output = kube::Result<T>>,
    ) -> Result<T> {
        self.call_raw(what, request)
            .await?
            .map_err(|e| ApplyError::from_kube(e, what))
    }

    /// Runs one request under the request timeout; only the timeout is turned into an error.
    pub(super) async fn call_raw<T>(
        &self,
        what: &str,
        request: impl Future<Output = T>,
    ) -> Result<T> {
        tokio::time::timeout(self.inner.timeout, request)
            .await
            .map_err(|_| ApplyError::timed_out(what, self.inner.timeout))
    }
}

/// `Kind namespace/name` or `Kind name`, for messages.
pub(super) fn describe(m: &Manifest) -> String {
    match &m.namespace {
        Some(ns) => format!("{} {ns}/{}", m.kind, m.name),
        None => format!("{} {}", m.kind, m.name),
    }
}
