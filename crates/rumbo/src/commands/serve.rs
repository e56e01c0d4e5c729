use anyhow::Context;
use rumbo_web::{AppState, ServerConfig};

use super::{DatabaseArg, ServerArgs};

pub async fn migrate(db: &DatabaseArg) -> anyhow::Result<()> {
    db.open().await?;
    eprintln!("The database at {} is up to date.", rumbo_store::redact(&db.database));
    Ok(())
}

pub async fn serve(db: &DatabaseArg, server: &ServerArgs) -> anyhow::Result<()> {
    let store = db.open().await?;
    let store = match server.keys.load()? {
        Some(keys) => store.with_data_keys(keys)?,
        None => {
            tracing::warn!(
                "no data keys (--data-key-file or RUMBO_DATA_KEY): registration is unavailable until Rumbo is started with them"
            );
            store
        }
    };
    listen(store, server, None).await
}

/// Binds, prints where Rumbo is reachable, and serves until stopped. `banner` is printed after
/// the address (the demo's logins).
pub async fn listen(store: rumbo_store::Store, server: &ServerArgs, banner: Option<String>) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(&server.bind)
        .await
        .with_context(|| format!("cannot listen on {}: is another program using that port?", server.bind))?;
    let address = listener.local_addr()?;
    let config = ServerConfig {
        secure_cookies: server.secure_cookies,
        trust_proxy: server.trust_proxy,
        max_body_bytes: server.max_upload_mb.saturating_mul(1024 * 1024),
    };
    println!("Rumbo is running at http://{address}/  (API: http://{address}/api/v1/openapi.json)");
    if let Some(banner) = banner {
        println!("{banner}");
    }
    println!("Press Ctrl-C to stop.");
    rumbo_web::serve(AppState::new(store, config), listener).await?;
    Ok(())
}
