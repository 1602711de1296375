//! simdwise's kernels on Ballista, DataFusion's distributed engine. A query
//! meets the functions on three sides: the client plans it, the scheduler
//! turns the logical plan it receives into stages, and each executor
//! decodes its tasks' plans, resolving every function by name in its own
//! registry. Each side gets the kernels from one function here:
//!
//! - client: [`connect`] (a remote scheduler) or [`standalone`];
//! - scheduler: [`scheduler_session`] as `SchedulerConfig::override_session_builder`;
//! - executor: [`function_registry`] as `ExecutorProcessConfig::override_function_registry`.
//!
//! [`standalone`] runs a scheduler and an executor in this process, over gRPC
//! on localhost, as a cluster would.

use std::sync::Arc;

use ballista::prelude::SessionContextExt;
use ballista_core::registry::BallistaFunctionRegistry;
use datafusion::error::Result;
use datafusion::execution::SessionStateBuilder;
use datafusion::execution::session_state::SessionState;
use datafusion::prelude::{SessionConfig, SessionContext};

/// Ballista's default functions and every simdwise kernel, for an executor.
pub fn function_registry() -> BallistaFunctionRegistry {
    let mut registry = BallistaFunctionRegistry::default();
    for udf in simdwise_datafusion::udfs() {
        registry.scalar_functions.insert(udf.name().to_owned(), Arc::new(udf));
    }
    registry
}

/// A scheduler's session for `config`: Ballista's default session with every
/// simdwise kernel registered.
pub fn scheduler_session(config: SessionConfig) -> Result<SessionState> {
    let mut state = ballista_core::utils::default_session_builder(config)?;
    simdwise_datafusion::register_all(&mut state)?;
    Ok(state)
}

/// A context on the Ballista scheduler at `url` (`df://host:port`) that
/// knows the kernels.
pub async fn connect(url: &str) -> Result<SessionContext> {
    let ctx = SessionContext::remote_with_state(url, kernel_state()?).await?;
    register(&ctx);
    Ok(ctx)
}

/// A context on an in-process Ballista scheduler and executor, both built
/// from a session that knows the kernels.
pub async fn standalone() -> Result<SessionContext> {
    let ctx = SessionContext::standalone_with_state(kernel_state()?).await?;
    register(&ctx);
    Ok(ctx)
}

/// DataFusion's default session with the kernels: what the standalone
/// scheduler and executor are built from.
fn kernel_state() -> Result<SessionState> {
    let mut state = SessionStateBuilder::new().with_default_features().build();
    simdwise_datafusion::register_all(&mut state)?;
    Ok(state)
}

/// Ballista's client setup replaces the session's scalar functions with its
/// defaults, so the kernels are registered again on the context it returns.
fn register(ctx: &SessionContext) {
    for udf in simdwise_datafusion::udfs() {
        ctx.register_udf(udf);
    }
}
