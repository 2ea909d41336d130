//! Running the suite against a controller value: the suite serves it on a free loopback port for the length
//! of the run.

use canopy_schemas::name::AppName;

use super::{Check, Failures, Suite};
use crate::action::ActionController;
use crate::placement::PlacementController;
use crate::serve::{Controller, Serving, serve};

/// Serves `controller` on a free loopback port and runs the suite built by `configure` against it.
async fn run(
    controller: Controller,
    configure: impl FnOnce(Suite) -> Suite,
) -> Result<(Suite, Serving), Failures> {
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    match serve(addr, controller, std::future::pending()).await {
        Ok(serving) => Ok((configure(Suite::new(serving.addr())), serving)),
        Err(e) => {
            let mut failures = Failures::default();
            failures.push(Check::Connects, format!("serving the controller: {e}"));
            Err(failures)
        }
    }
}

/// Runs the placement checks against `controller`, served for the run. `configure` sets the spec, apps and
/// deadline, as on a [`Suite`] for an address.
pub async fn check_placement_controller(
    controller: impl PlacementController,
    configure: impl FnOnce(Suite) -> Suite,
) -> Result<(), Failures> {
    let (suite, _serving) = run(Controller::placement(controller), configure).await?;
    suite.check_placement().await
}

/// Runs the action checks against `controller`, served for the run; see [`check_placement_controller`].
pub async fn check_action_controller(
    controller: impl ActionController,
    configure: impl FnOnce(Suite) -> Suite,
) -> Result<(), Failures> {
    let (suite, _serving) = run(Controller::action(controller), configure).await?;
    suite.check_action().await
}

/// The apps `names` as typed names, for [`Suite::with_apps`]; panics on a name that breaks EMCO's rule,
/// which in a test is the test's own mistake.
pub fn apps<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<AppName> {
    names
        .into_iter()
        .map(|n| AppName::new(n).unwrap_or_else(|e| panic!("app name {n:?}: {e}")))
        .collect()
}
