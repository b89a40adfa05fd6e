//! What the service's operators read of it and do to it as a whole: whether it is ready, the
//! gauges read at each scrape, pruning what is no longer kept, every active token made due at
//! once, and closing the database at the end. The server's `/readyz`, `/metrics`, pruning task,
//! command line and shutdown come here rather than to the store.

use crate::{error::CoreError, Core};
use model::{AuthorizationState, Product};

pub use crate::store::{Pruned, Retention};

/// Whether the database answers with every migration applied.
pub async fn ready(core: &Core) -> Result<bool, CoreError> {
    Ok(core.store.ready().await?)
}

/// What `/metrics` reads from the database at each scrape.
#[derive(Debug)]
pub struct Gauges {
    /// Statements this process has sent to the database, BEGIN and COMMIT included.
    pub statements: u64,
    /// Authorizations due for refresh now: the backlog.
    pub due: i64,
    /// Authorizations by product and state.
    pub authorizations: Vec<(Product, AuthorizationState, i64)>,
}

pub async fn gauges(core: &Core) -> Result<Gauges, CoreError> {
    Ok(Gauges {
        statements: core.store.statements(),
        due: core.store.due_count().await?,
        authorizations: core.store.authorization_counts().await?,
    })
}

/// Deletes what `retention` no longer keeps, as of `now`.
pub async fn prune(core: &Core, retention: Retention, now: i64) -> Result<Pruned, CoreError> {
    Ok(core.store.prune(retention, now).await?)
}

/// Makes every active token (of `product`, or of all) due now, for the running workers to
/// refresh; answers how many.
pub async fn refresh_all_now(core: &Core, product: Option<Product>) -> Result<u64, CoreError> {
    Ok(core.store.refresh_all_now(product).await?)
}

/// Closes the database cleanly, once nothing uses it any more.
pub async fn close(core: &Core) {
    core.store.close().await;
}
