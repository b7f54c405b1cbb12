//! Runs the `bureau` binary and captures what it prints.

use std::path::Path;
use std::process::Command;

pub struct Run {
    pub success: bool,
    /// The exit code (`None` if a signal ended it).
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `bureau` with `args` in `cwd`.
pub fn bureau(cwd: &Path, args: &[&str]) -> Run {
    bureau_with_env(cwd, args, &[])
}

/// Runs `bureau` with `args` in `cwd`, with these environment variables set (and every other
/// `BUREAU_*` variable of the test's own environment removed).
pub fn bureau_with_env(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_bureau"));
    command.args(args).current_dir(cwd);
    for (name, _) in std::env::vars().filter(|(name, _)| name.starts_with("BUREAU_")) {
        command.env_remove(name);
    }
    command.envs(env.iter().copied());
    let output = command.output().expect("run bureau");
    Run {
        success: output.status.success(),
        code: output.status.code(),
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
