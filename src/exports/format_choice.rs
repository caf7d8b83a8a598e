//! The merged file's format and CSV options, as the person chose them.

use leptos::prelude::*;
use merchant_console_core::export::OutputFormat;

/// The merged file's format and CSV options, shared by "Download all" and the merge of
/// saved files.
#[derive(Clone, Copy)]
pub struct FormatChoice {
    pub format: RwSignal<String>,
    pub bom: RwSignal<bool>,
    pub european: RwSignal<bool>,
}

impl FormatChoice {
    pub fn output(&self) -> OutputFormat {
        match self.format.get_untracked().as_str() {
            "json" => OutputFormat::Json,
            "ndjson" => OutputFormat::Ndjson,
            _ => OutputFormat::Csv,
        }
    }
}
