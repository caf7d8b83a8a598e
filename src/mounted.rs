//! How one app was mounted: the full page, or a widget in a host page's shadow root.

use merchant_console_core::embed::EmbedConfig;

/// Provided as context by the app shell.
#[derive(Clone)]
pub struct Mounted {
    pub embed: EmbedConfig,
    /// A widget does not touch its host page's title or address bar.
    pub is_widget: bool,
}
