//! One driver per mounted app: it owns that mount's HTTP client (allow-list, timeouts,
//! aborts), storage namespace, credentials, configuration, the export queue's driver and
//! the purchase-history loader. Nothing of it is shared with another mount on the page,
//! and when the mount goes away its requests are aborted and their answers ignored.

use leptos::prelude::*;
use leptos::task::spawn_local;
use merchant_console_core::embed::Section;

use crate::auth::CloverAuth;
use crate::config;
use crate::credentials::Vault;
use crate::exports::ExportRunner;
use crate::history::Loader;
use crate::http::Http;
use crate::mounted::Mounted;
use crate::storage::Store;

/// The mount's driver (a copyable handle). Its parts (store, vault, configuration, Clover
/// sign-in, export runner) are provided as context on their own.
#[derive(Clone, Copy)]
pub struct Driver {
    pub store: Store,
    pub history: Loader,
    /// Screen-reader announcements (and the visible toast).
    pub announce: RwSignal<String>,
    http: StoredValue<Http, LocalStorage>,
}

impl Driver {
    /// Builds the mount's parts, starts reading `config.json`, and provides everything as
    /// context. Stops with the calling component.
    pub fn start(mounted: &Mounted) -> Self {
        let embed = &mounted.embed;
        let http = Http::new();
        let store = Store::new(&embed.instance);
        let vault = Vault::new(store);
        // config.json decides where each region's API lives; work waits until it is read.
        let config = RwSignal::new(None);
        {
            let embed = embed.clone();
            let http = http.clone();
            let source = embed
                .config_url
                .clone()
                .or_else(|| (!mounted.is_widget).then(|| "config.json".to_string()));
            spawn_local(async move {
                let loaded = config::load(source.as_deref(), &embed, &http).await;
                if http.is_alive() {
                    let _ = config.try_set(Some(loaded));
                }
            });
        }
        let auth = CloverAuth::new(vault, config, http.clone(), !mounted.is_widget);
        let announce = RwSignal::new(String::new());
        // A widget without the Exports section runs no export queue at all.
        let exports = embed.shown_sections().contains(&Section::Exports).then(|| {
            ExportRunner::start(
                config,
                vault,
                auth,
                announce,
                store,
                http.clone(),
                !mounted.is_widget,
            )
        });
        let history = Loader::new(http.clone());
        let driver = Self {
            store,
            history,
            announce,
            http: StoredValue::new_local(http.clone()),
        };
        let stored = driver.http;
        on_cleanup(move || {
            if let Some(http) = stored.try_get_value() {
                http.shutdown();
            }
        });
        provide_context(driver);
        provide_context(driver.history);
        provide_context(store);
        provide_context(vault);
        provide_context(config);
        provide_context(auth);
        provide_context(mounted.clone());
        if let Some(runner) = exports {
            provide_context(runner);
        }
        driver
    }

    /// The mount's HTTP client, while the mount exists.
    pub fn http(&self) -> Option<Http> {
        self.http.try_get_value()
    }
}
