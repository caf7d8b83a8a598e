//! `merchant-console-postbuild <staging-dir>`: run by trunk's `post_build` hook.
//!
//! 1. Writes `<dir>/tz/<Area/City>` zone offset tables (see [`tzfiles`]).
//! 2. Replaces trunk's inline loader in `<dir>/index.html` with `merchant-console.js`, a
//!    stable-named module that is also the widget script (see [`loader`]).

mod loader;
mod tzfiles;

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: merchant-console-postbuild <staging-dir>");
        return ExitCode::from(2);
    };
    let steps = [
        tzfiles::write_all(&dir.join("tz")),
        loader::externalize(&dir),
    ];
    for step in steps {
        match step {
            Ok(done) => eprintln!("postbuild: {done}"),
            Err(e) => {
                eprintln!("postbuild: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}
