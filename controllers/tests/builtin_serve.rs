//! Serving the built-in controllers by name, as `canopy controller <name> --listen ADDR` does.

mod common;

use canopy_controllers::builtin::{self, NAMES};
use canopy_controllers::serve_builtin;
use canopy_schemas::proto::controller::v1 as pb;
use common::{any_port, fixture};
use pb::action_controller_client::ActionControllerClient;
use pb::placement_controller_client::PlacementControllerClient;
use serde_json::json;
use tokio::sync::oneshot;

#[tokio::test]
async fn each_name_serves_its_kind_of_controller_until_shutdown() {
    for name in NAMES {
        let (stop, stopped) = oneshot::channel::<()>();
        let serving = serve_builtin(name, any_port(), async move {
            let _ = stopped.await;
        })
        .await
        .unwrap();
        let endpoint = format!("http://{}", serving.addr());
        let answer = match *name {
            "gac" => {
                let mut client = ActionControllerClient::connect(endpoint).await.unwrap();
                client
                    .validate_intent(fixture::validate(json!({"x": 1})))
                    .await
            }
            _ => {
                let mut client = PlacementControllerClient::connect(endpoint).await.unwrap();
                client
                    .validate_intent(fixture::validate(json!({"x": 1})))
                    .await
            }
        };
        let violations = fixture::violations(answer.unwrap().into_inner());
        assert_eq!(violations[0].0, "x", "{name}: {violations:?}");
        stop.send(()).unwrap();
        serving.wait().await.unwrap();
    }
}

#[tokio::test]
async fn an_unknown_name_lists_the_built_in_controllers() {
    let e = serve_builtin("ovnaction", any_port(), std::future::pending())
        .await
        .unwrap_err();
    assert!(matches!(e, builtin::Error::Unknown { .. }));
    assert!(e.to_string().contains("gac, placement"), "{e}");
}

#[tokio::test]
async fn an_address_in_use_is_a_serve_error_naming_the_controller() {
    let taken = std::net::TcpListener::bind(any_port()).unwrap();
    let e = serve_builtin(
        "placement",
        taken.local_addr().unwrap(),
        std::future::pending(),
    )
    .await
    .unwrap_err();
    assert_eq!(e.to_string(), "serving the built-in controller placement");
}
