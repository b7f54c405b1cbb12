//! `backup`, `restore` and `export` as an operator runs them on a stopped node: what comes
//! back, what a damaged or misplaced restore does, and that a restored node cannot fork.

use std::os::unix::fs::PermissionsExt;

use crate::cli::admitted_france;
use crate::harness::{bureau, fails, json, ok};

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o777
}

/// A backup holds the directory's files; restored into a new directory it refuses to sign
/// until it has its own log back (here from the old replica with `sync`), then signs the next
/// seq, not one the old log already used.
#[test]
fn a_restored_node_signs_only_once_it_has_its_own_log_back() {
    let dir = admitted_france();
    let cwd = dir.path();
    for number in ["Z1", "Z2"] {
        ok(
            cwd,
            &[
                "--dir",
                "fra",
                "--offline",
                "publish",
                "sltd",
                "--number",
                number,
            ],
        );
    }
    let done = ok(cwd, &["--dir", "fra", "backup", "fra.backup"]);
    assert!(done.contains("at seq 2"), "{done}");
    assert_eq!(
        mode(&cwd.join("fra.backup")),
        0o600,
        "a backup holds secret keys"
    );
    let again = bureau(cwd, &["--dir", "fra", "backup", "fra.backup"]);
    assert_ne!(again.code, Some(0), "a backup never replaces a file");

    let checked = ok(cwd, &["restore", "--check", "fra.backup"]);
    assert!(checked.contains("sound backup of FRA"), "{checked}");

    let restored = ok(cwd, &["--dir", "fra2", "restore", "fra.backup"]);
    assert!(restored.contains("restored FRA"), "{restored}");
    for secret in ["node.key", "encryption.key"] {
        assert_eq!(mode(&cwd.join("fra2").join(secret)), 0o600, "{secret}");
    }
    assert_eq!(
        std::fs::read(cwd.join("fra2/node.key")).expect("key"),
        std::fs::read(cwd.join("fra/node.key")).expect("key")
    );
    let status = json(&ok(cwd, &["--dir", "fra2", "status", "--json"]));
    assert_eq!(status["entries"], 0, "the log comes back from peers");
    assert_eq!(status["restored_awaiting_seq"], 2, "{status}");
    assert!(
        status["warnings"]
            .to_string()
            .contains("restored from a backup"),
        "{status}"
    );

    // Even with --offline, signing now would reuse seq 1.
    let refused = bureau(
        cwd,
        &[
            "--dir",
            "fra2",
            "--offline",
            "publish",
            "sltd",
            "--number",
            "Z3",
        ],
    );
    assert_eq!(refused.code, Some(5), "{}", refused.stderr);
    assert!(
        refused.stderr.contains("restored from a backup"),
        "{}",
        refused.stderr
    );

    ok(cwd, &["--dir", "fra2", "sync", "--from", "fra"]);
    let published = json(&ok(
        cwd,
        &[
            "--dir",
            "fra2",
            "--offline",
            "--json",
            "publish",
            "sltd",
            "--number",
            "Z3",
        ],
    ));
    assert_eq!(published["seq"], 3, "{published}");
    let status = json(&ok(cwd, &["--dir", "fra2", "status", "--json"]));
    assert_eq!(status["forks"], serde_json::json!([]), "{status}");
}

/// A cut or altered backup restores nothing, and a restore never mixes with existing files.
#[test]
fn a_damaged_backup_or_a_used_directory_is_refused() {
    let dir = admitted_france();
    let cwd = dir.path();
    ok(cwd, &["--dir", "fra", "backup", "fra.backup"]);
    let bytes = std::fs::read(cwd.join("fra.backup")).expect("backup");

    let mut flipped = bytes.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x55;
    std::fs::write(cwd.join("flipped.backup"), &flipped).expect("write");
    let error = fails(cwd, &["--dir", "new", "restore", "flipped.backup"]);
    assert!(error.contains("damaged"), "{error}");
    assert!(!cwd.join("new").exists(), "nothing restored");
    assert!(!cwd.join("new.restoring").exists(), "no leftovers");

    std::fs::write(cwd.join("cut.backup"), &bytes[..bytes.len() - 10]).expect("write");
    let error = fails(cwd, &["--dir", "new", "restore", "cut.backup"]);
    assert!(error.contains("damaged"), "{error}");

    std::fs::write(cwd.join("other.txt"), b"not a backup").expect("write");
    let error = fails(cwd, &["--dir", "new", "restore", "other.txt"]);
    assert!(error.contains("not a Bureau backup"), "{error}");

    let error = fails(cwd, &["--dir", "fra", "restore", "fra.backup"]);
    assert!(error.contains("not empty"), "{error}");
    let error = fails(cwd, &["restore", "fra.backup"]);
    assert!(error.contains("--dir"), "{error}");
}

/// `export` writes the live records in the import format: JSON Lines that `import` reads back
/// into another member, and CSV with one header row.
#[test]
fn export_writes_live_records_that_import_reads_back() {
    let dir = admitted_france();
    let cwd = dir.path();
    let mut references = Vec::new();
    for number in ["E1", "E2", "E3"] {
        let published = json(&ok(
            cwd,
            &[
                "--dir",
                "fra",
                "--offline",
                "--json",
                "publish",
                "sltd",
                "--number",
                number,
            ],
        ));
        references.push(published["ref"].as_str().expect("ref").to_owned());
    }
    ok(
        cwd,
        &[
            "--dir",
            "fra",
            "--offline",
            "cancel",
            &references[1],
            "--reason",
            "found",
        ],
    );
    ok(
        cwd,
        &[
            "--dir",
            "fra",
            "export",
            "--database",
            "sltd",
            "--out",
            "sltd.jsonl",
        ],
    );
    let text = std::fs::read_to_string(cwd.join("sltd.jsonl")).expect("export");
    let lines: Vec<serde_json::Value> = text.lines().map(json).collect();
    let ids: Vec<&str> = lines
        .iter()
        .filter_map(|line| line["id"].as_str())
        .collect();
    assert_eq!(ids.len(), 2, "the cancelled record is not live: {text}");
    assert!(lines.iter().all(|line| line["owner"] == "FRA"), "{text}");

    let csv = ok(
        cwd,
        &[
            "--dir",
            "fra",
            "export",
            "--database",
            "sltd",
            "--format",
            "csv",
        ],
    );
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows.len(), 3, "{csv}");
    assert!(rows[0].starts_with("reference,owner,id"), "{csv}");

    // Another member's filter finds none of them; the JSON Lines import back as they are.
    ok(
        cwd,
        &[
            "--dir",
            "fra",
            "export",
            "--database",
            "sltd",
            "--owner",
            "DEU",
            "--out",
            "none.jsonl",
        ],
    );
    assert_eq!(
        std::fs::read_to_string(cwd.join("none.jsonl")).expect("export"),
        ""
    );
    let imported = json(&ok(
        cwd,
        &[
            "--dir",
            "fra",
            "--offline",
            "--json",
            "import",
            "--database",
            "sltd",
            "sltd.jsonl",
        ],
    ));
    assert_eq!(imported["imported"], 2, "{imported}");
}
