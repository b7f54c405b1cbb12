//! Runs the `bureau` binary and captures what it prints.

use std::path::Path;
use std::process::Command;

pub struct Run {
    pub success: bool,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `bureau` with `args` in `cwd`.
pub fn bureau(cwd: &Path, args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_bureau"))
        .args(args)
        .current_dir(cwd)
        .env_remove("BUREAU_DIR")
        .output()
        .expect("run bureau");
    Run {
        success: output.status.success(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Runs `bureau` and fails the test with its stderr if it fails.
pub fn ok(cwd: &Path, args: &[&str]) -> String {
    let run = bureau(cwd, args);
    assert!(run.success, "bureau {args:?} failed:\n{}", run.stderr);
    run.stdout
}

/// Runs `bureau`, expects failure, and returns the error message.
pub fn fails(cwd: &Path, args: &[&str]) -> String {
    let run = bureau(cwd, args);
    assert!(
        !run.success,
        "bureau {args:?} should have failed:\n{}",
        run.stdout
    );
    run.stderr
}

pub fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|error| panic!("not JSON ({error}): {text}"))
}
