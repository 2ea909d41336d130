//! The patch merge keys and strategies of the built-in kinds, as k8s.io/api declares them in its struct tags
//! (`patchStrategy`, `patchMergeKey`). Only the places where strategic merge differs from a plain merge are
//! listed: every other map merges and every other list is replaced (atomic).

use crate::kind;

/// A position in an object's schema that has fields with a patch strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schema {
    /// Nothing special below here: maps merge, lists are replaced.
    Plain,
    /// The top level of a built-in kind without special fields besides `metadata`.
    Object,
    /// A Pod.
    Pod,
    /// A Deployment, StatefulSet, DaemonSet, ReplicaSet or Job.
    Workload,
    /// A CronJob.
    CronJob,
    /// A Service.
    Service,
    /// A ServiceAccount.
    ServiceAccount,
    /// A Namespace, PersistentVolumeClaim or HorizontalPodAutoscaler: only its status conditions merge.
    Conditioned,
    /// `ObjectMeta`.
    Meta,
    /// The spec of a workload (has a pod `template`).
    WorkloadSpec,
    /// `CronJobSpec` (has a `jobTemplate`).
    CronJobSpec,
    /// `JobTemplateSpec`.
    JobTemplate,
    /// `PodTemplateSpec`.
    PodTemplate,
    /// `PodSpec`.
    PodSpec,
    /// `Container` (also init and ephemeral containers).
    Container,
    /// `ServiceSpec`.
    ServiceSpec,
    /// A status with `conditions` merged by `type` (and, for Pods, `podIPs` by `ip`).
    Status,
}

/// How a list field is patched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListStrategy {
    /// No patch strategy (atomic): the patch's list replaces the live one.
    Replace,
    /// `patchStrategy:"merge"` on a list of primitives: the union, as a set.
    Set,
    /// `patchStrategy:"merge"` with a `patchMergeKey`: elements with the same key merge.
    Key(&'static str),
}

/// The schema of a field's value (of its elements, for lists) and, for lists, its strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// The schema of the value, or of each element of a list.
    pub schema: Schema,
    /// How a list value is patched.
    pub list: ListStrategy,
}

const fn map(schema: Schema) -> Field {
    Field {
        schema,
        list: ListStrategy::Replace,
    }
}

const fn keyed(key: &'static str, schema: Schema) -> Field {
    Field {
        schema,
        list: ListStrategy::Key(key),
    }
}

const PLAIN: Field = map(Schema::Plain);

/// The schema of a built-in kind's top level, or `None` for a kind that has no strategic merge schema
/// (custom resources), for which Kubernetes refuses strategic merge patches.
pub fn root(group: &str, kind_name: &str) -> Option<Schema> {
    if !kind::builtin()
        .iter()
        .any(|k| k.group == group && k.kind == kind_name)
    {
        return None;
    }
    Some(match kind_name {
        "Pod" => Schema::Pod,
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job" => Schema::Workload,
        "CronJob" => Schema::CronJob,
        "Service" => Schema::Service,
        "ServiceAccount" => Schema::ServiceAccount,
        "Namespace" | "PersistentVolumeClaim" | "HorizontalPodAutoscaler" => Schema::Conditioned,
        _ => Schema::Object,
    })
}

/// The schema and strategy of field `name` of a value at `schema`.
pub fn field(schema: Schema, name: &str) -> Field {
    use Schema::*;
    match (schema, name) {
        (
            Object | Pod | Workload | CronJob | Service | ServiceAccount | Conditioned,
            "metadata",
        ) => map(Meta),
        (Pod, "spec") => map(PodSpec),
        (Workload, "spec") => map(WorkloadSpec),
        (CronJob, "spec") => map(CronJobSpec),
        (Service, "spec") => map(ServiceSpec),
        (Pod | Workload | CronJob | Service | Conditioned, "status") => map(Status),
        (ServiceAccount, "secrets") => keyed("name", Plain),
        (Meta, "finalizers") => Field {
            schema: Plain,
            list: ListStrategy::Set,
        },
        (Meta, "ownerReferences") => keyed("uid", Plain),
        (WorkloadSpec, "template") => map(PodTemplate),
        (CronJobSpec, "jobTemplate") => map(JobTemplate),
        (JobTemplate, "metadata") | (PodTemplate, "metadata") => map(Meta),
        (JobTemplate, "spec") => map(WorkloadSpec),
        (PodTemplate, "spec") => map(PodSpec),
        (PodSpec, "containers" | "initContainers" | "ephemeralContainers") => {
            keyed("name", Container)
        }
        (PodSpec, "volumes" | "imagePullSecrets" | "resourceClaims" | "schedulingGates") => {
            keyed("name", Plain)
        }
        (PodSpec, "hostAliases") => keyed("ip", Plain),
        (PodSpec, "topologySpreadConstraints") => keyed("topologyKey", Plain),
        (Container, "ports") => keyed("containerPort", Plain),
        (Container, "env") => keyed("name", Plain),
        (Container, "volumeMounts") => keyed("mountPath", Plain),
        (Container, "volumeDevices") => keyed("devicePath", Plain),
        (ServiceSpec, "ports") => keyed("port", Plain),
        (Status, "conditions") => keyed("type", Plain),
        (Status, "podIPs" | "hostIPs") => keyed("ip", Plain),
        _ => PLAIN,
    }
}
