//! A controller intent is checked by its controller's `ValidateIntent` before it is written: violations
//! answer 400 listing each, a controller that cannot answer now answers 503 (retryable), and in both cases
//! nothing is written.

use axum::http::StatusCode;
use canopy_schemas::controller::{Intent, ValidateRequest};
use canopy_schemas::name::IntentName;
use canopy_schemas::rest::Violation;
use canopy_schemas::rest::action::ControllerIntent;
use canopy_schemas::rest::controller::Controller;
use tonic::Code;

use crate::api::resource::load;
use crate::api::{Api, ApiError, ApiResult};
use crate::remote::{CallError, ControllerInfo, Kind};
use crate::store::{Key, key};

/// The registered controller an intent key names (`.../controller-intents/{controller}/{name}`), or 404
/// naming the field `controller`.
async fn registered(api: &Api, intent: &Key) -> ApiResult<ControllerInfo> {
    let names = intent.names();
    let ckey =
        Key::parse(&key::CONTROLLER, &[names[4].as_str()]).map_err(|e| Violation::new("url", e))?;
    let Some(record) = api.store.get(&ckey).await? else {
        let mut err = ApiError::invalid(Violation::new(
            "controller",
            format!("{ckey} does not exist"),
        ));
        err.status = StatusCode::NOT_FOUND;
        return Err(err);
    };
    let unreadable = |e: String| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("stored {ckey} is unreadable: {e}"),
        )
    };
    let body: Controller =
        serde_json::from_value(record.data).map_err(|e| unreadable(e.to_string()))?;
    ControllerInfo::try_from(&body).map_err(|e| unreadable(e.to_string()))
}

/// Asks the controller named by `key` to validate `body`'s spec. rsync serves no `ValidateIntent`, so an
/// intent for it is accepted as it is.
pub async fn with_controller(api: &Api, key: &Key, body: &ControllerIntent) -> ApiResult<()> {
    if let Some(parent) = key.parent() {
        load(api, &parent, parent.kind().name).await?;
    }
    let controller = registered(api, key).await?;
    if controller.kind == Kind::Rsync {
        return Ok(());
    }
    let name =
        IntentName::new(key.name().as_str()).map_err(|e| Violation::new("metadata.name", e))?;
    let request = ValidateRequest {
        intent: Intent {
            controller: controller.name.clone(),
            name: name.clone(),
            spec: body.spec.clone(),
        },
    };
    match api.remote.validate_intent(&controller, request).await {
        Ok(violations) if violations.is_empty() => Ok(()),
        Ok(violations) => {
            let list: Vec<String> = violations.iter().map(ToString::to_string).collect();
            let message = format!(
                "controller {} refused intent {name}: {}",
                controller.name,
                list.join("; ")
            );
            Err(ApiError::violations(message, violations))
        }
        Err(e) => Err(refused(e)),
    }
}

/// The answer when `ValidateIntent` itself failed.
fn refused(e: CallError) -> ApiError {
    if e.is_retryable() {
        return ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("{e}; the intent was not written; the request is retryable"),
        );
    }
    match &e {
        CallError::Rejected {
            code: Code::InvalidArgument | Code::FailedPrecondition,
            message,
            ..
        } => ApiError::violations(
            format!("{e}; the intent was not written"),
            vec![Violation::new("spec", message)],
        ),
        _ => {
            tracing::error!(error = %e, "ValidateIntent failed");
            ApiError::new(
                StatusCode::BAD_GATEWAY,
                format!("{e}; the intent was not written; retrying will not help"),
            )
        }
    }
}
