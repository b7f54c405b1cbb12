//! The audit log: what is appended survives crashes and reopening, and any edit, deletion or
//! reordering of its lines is found by `verify` at the line where it happened.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use bureau_core::{Hash, Timestamp};
use bureau_service::audit::{
    self, AUDIT_HASH_DOMAIN, AuditAction, AuditError, AuditEvent, AuditLog, MAX_AUDIT_FIELD_CHARS,
    ProblemKind, VerifyReport,
};

fn log_path(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("node").join("audit.log")
}

fn search(n: u64) -> AuditEvent {
    AuditEvent::new(
        Timestamp(1_700_000_000_000 + n),
        "FR/api",
        AuditAction::Search,
        format!("sltd number=X{n}"),
    )
    .with_purpose("border check")
    .with_results(n % 3)
}

/// A log at a fresh path with `count` searches appended.
fn log_with(count: u64) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = log_path(&dir);
    let log = AuditLog::open(&path).expect("open");
    for n in 1..=count {
        log.append(search(n)).expect("append");
    }
    (dir, path)
}

fn lines(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).expect("read log");
    text.lines().map(str::to_owned).collect()
}

fn write_lines(path: &Path, lines: &[String]) {
    let text: String = lines.iter().map(|line| format!("{line}\n")).collect();
    std::fs::write(path, text).expect("write log");
}

fn problem(report: &VerifyReport) -> (u64, &ProblemKind) {
    let problem = report
        .problem
        .as_ref()
        .expect("verify should find a problem");
    (problem.line, &problem.kind)
}

/// Appended lines carry seq 1, 2, … each chained to the one before, and the log verifies with
/// the same head the writer reports.
#[test]
fn appended_lines_verify() {
    let dir = tempfile::tempdir().expect("temp dir");
    let log = AuditLog::open(log_path(&dir)).expect("open");
    let first = log.append(search(1)).expect("append");
    let second = log.append(search(2)).expect("append");
    assert_eq!((first.seq, first.prev), (1, Hash::ZERO));
    assert_eq!((second.seq, second.prev), (2, first.hash));
    let report = audit::verify(log.path()).expect("verify");
    assert!(report.is_intact(), "{:?}", report.problem);
    assert_eq!(report.good_lines, 2);
    assert_eq!(report.head, log.head());
    assert_eq!(log.head().hash, second.hash);
}

/// A line is the documented JSON, and its hash can be recomputed from the documented recipe
/// without this crate's types (what an outside auditor would do).
#[test]
fn line_format_matches_the_documentation() {
    let (_dir, path) = log_with(1);
    let line = &lines(&path)[0];
    let hashed = r#"{"seq":1,"at":1700000000001,"at_utc":"2023-11-14T22:13:20.001Z","actor":"FR/api","action":"search","target":"sltd number=X1","purpose":"border check","results":1"#;
    let hash = Hash::of(
        AUDIT_HASH_DOMAIN,
        &[&[0; 32], format!("{hashed}}}").as_bytes()],
    );
    let expected = format!(r#"{hashed},"prev":"{}","hash":"{hash}"}}"#, Hash::ZERO);
    assert_eq!(line, &expected);
}

/// Changing one field of a middle line is reported at that line; the lines before stay good.
#[test]
fn edited_field_is_found_at_its_line() {
    let (_dir, path) = log_with(5);
    let mut lines = lines(&path);
    lines[2] = lines[2].replace(r#""results":0"#, r#""results":7"#);
    write_lines(&path, &lines);
    let report = audit::verify(&path).expect("verify");
    assert!(matches!(
        problem(&report),
        (3, ProblemKind::HashMismatch { .. })
    ));
    assert_eq!(report.good_lines, 2);
}

/// Rewriting a line together with a fresh hash moves the break to the next line, whose `prev`
/// no longer matches: only the last line can be rewritten unnoticed without an anchor.
#[test]
fn edited_line_with_fresh_hash_is_found_at_the_next_line() {
    let (_dir, path) = log_with(5);
    let mut lines = lines(&path);
    let mut record: audit::AuditRecord = serde_json::from_str(&lines[2]).expect("parse");
    record.target = "something else".into();
    record.hash = record.computed_hash();
    lines[2] = serde_json::to_string(&record).expect("serialise");
    write_lines(&path, &lines);
    let report = audit::verify(&path).expect("verify");
    assert!(matches!(
        problem(&report),
        (4, ProblemKind::PrevMismatch { .. })
    ));
}

/// Removing a line from the middle is reported where the gap is.
#[test]
fn deleted_line_is_found() {
    let (_dir, path) = log_with(5);
    let mut lines = lines(&path);
    lines.remove(2);
    write_lines(&path, &lines);
    let report = audit::verify(&path).expect("verify");
    let expected = ProblemKind::SeqGap {
        expected: 3,
        found: 4,
    };
    assert_eq!(problem(&report), (3, &expected));
}

/// Swapping two lines is reported at the first of them.
#[test]
fn reordered_lines_are_found() {
    let (_dir, path) = log_with(5);
    let mut lines = lines(&path);
    lines.swap(1, 2);
    write_lines(&path, &lines);
    let report = audit::verify(&path).expect("verify");
    let expected = ProblemKind::SeqGap {
        expected: 2,
        found: 3,
    };
    assert_eq!(problem(&report), (2, &expected));
}

/// A line that is not JSON is reported, with the line number.
#[test]
fn garbage_line_is_found() {
    let (_dir, path) = log_with(3);
    let mut lines = lines(&path);
    lines[1] = "not json".into();
    write_lines(&path, &lines);
    let report = audit::verify(&path).expect("verify");
    assert!(matches!(
        problem(&report),
        (2, ProblemKind::Unparsable { .. })
    ));
}

/// A crash mid-append leaves a line without newline: verify calls it unfinished (not
/// tampering), open cuts it off, and the chain continues from the last whole line.
#[test]
fn torn_tail_is_cut_off_and_appends_continue() {
    let (_dir, path) = log_with(3);
    let whole = std::fs::read(&path).expect("read");
    let torn = br#"{"seq":4,"at":17000000"#;
    std::fs::write(&path, [whole.as_slice(), torn].concat()).expect("tear");
    let report = audit::verify(&path).expect("verify");
    assert!(report.is_intact());
    assert_eq!(
        (report.good_lines, report.unfinished_bytes),
        (3, torn.len() as u64)
    );
    assert_eq!(audit::tail(&path, 10).expect("tail").len(), 3);

    let log = AuditLog::open(&path).expect("open after crash");
    assert_eq!(std::fs::read(&path).expect("read"), whole);
    assert_eq!(log.append(search(4)).expect("append").seq, 4);
    let report = audit::verify(&path).expect("verify");
    assert!(report.is_intact());
    assert_eq!((report.good_lines, report.unfinished_bytes), (4, 0));
}

/// A sound last line that only lacks its newline (an editor dropped it) is kept, not cut off.
#[test]
fn whole_last_line_without_newline_is_kept() {
    let (_dir, path) = log_with(3);
    let whole = std::fs::read(&path).expect("read");
    std::fs::write(&path, &whole[..whole.len() - 1]).expect("drop the newline");
    let log = AuditLog::open(&path).expect("open");
    assert_eq!(log.head().seq, 3);
    assert_eq!(std::fs::read(&path).expect("read"), whole);
    assert_eq!(log.append(search(4)).expect("append").seq, 4);
    assert!(audit::verify(&path).expect("verify").is_intact());
}

/// Appends from many threads at once each get their own seq, and the result is one chain.
#[test]
fn concurrent_appends_make_one_chain() {
    const THREADS: u64 = 8;
    const EACH: u64 = 25;
    let dir = tempfile::tempdir().expect("temp dir");
    let log = Arc::new(AuditLog::open(log_path(&dir)).expect("open"));
    let handles: Vec<_> = (0..THREADS)
        .map(|thread| {
            let log = Arc::clone(&log);
            std::thread::spawn(move || {
                (0..EACH)
                    .map(|n| log.append(search(thread * EACH + n)).expect("append").seq)
                    .collect::<Vec<u64>>()
            })
        })
        .collect();
    let mut seqs: Vec<u64> = handles
        .into_iter()
        .flat_map(|handle| handle.join().expect("thread"))
        .collect();
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=THREADS * EACH).collect::<Vec<u64>>());
    let report = audit::verify(log.path()).expect("verify");
    assert!(report.is_intact(), "{:?}", report.problem);
    assert_eq!(report.good_lines, THREADS * EACH);
}

/// A node restart picks the chain up where it stopped.
#[test]
fn reopened_log_continues_the_chain() {
    let (_dir, path) = log_with(2);
    let before = audit::verify(&path).expect("verify").head;
    let log = AuditLog::open(&path).expect("reopen");
    assert_eq!(log.head(), before);
    let third = log.append(search(3)).expect("append");
    assert_eq!((third.seq, third.prev), (3, before.hash));
    let report = audit::verify(&path).expect("verify");
    assert!(report.is_intact());
    assert_eq!(report.good_lines, 3);
}

/// A log whose last line was edited cannot be continued: open refuses and says what to do.
#[test]
fn damaged_last_line_refuses_open() {
    let (_dir, path) = log_with(2);
    let mut lines = lines(&path);
    lines[1] = lines[1].replace("FR/api", "DE/api");
    write_lines(&path, &lines);
    let error = AuditLog::open(&path).expect_err("open should refuse");
    assert!(matches!(error, AuditError::Damaged { .. }));
    assert!(
        error.to_string().contains("bureau audit --verify"),
        "{error}"
    );
}

/// Pasting a whole document into a query does not fail the search: the text is cut to the
/// limit, and even the worst case (every character escaped) still reopens and verifies.
#[test]
fn over_long_fields_are_cut() {
    let dir = tempfile::tempdir().expect("temp dir");
    let log = AuditLog::open(log_path(&dir)).expect("open");
    let long = "\u{1f}".repeat(5 * MAX_AUDIT_FIELD_CHARS);
    let event = AuditEvent::new(
        Timestamp(1),
        long.clone(),
        AuditAction::Search,
        long.clone(),
    )
    .with_purpose(long);
    let record = log.append(event).expect("append");
    assert_eq!(record.target.chars().count(), MAX_AUDIT_FIELD_CHARS);
    assert!(record.target.ends_with('…'));
    drop(log);
    let log = AuditLog::open(log_path(&dir)).expect("reopen");
    assert_eq!(log.head().seq, 1);
    assert!(audit::verify(log.path()).expect("verify").is_intact());
}

/// `tail` returns the newest lines oldest first, also across its read chunks; `read` pages
/// from a given seq.
#[test]
fn tail_and_read_list_the_log() {
    let dir = tempfile::tempdir().expect("temp dir");
    let log = AuditLog::open(log_path(&dir)).expect("open");
    let target = "x".repeat(MAX_AUDIT_FIELD_CHARS);
    for n in 0..100 {
        log.append(AuditEvent::new(
            Timestamp(n),
            "FR/cli",
            AuditAction::Get,
            &target,
        ))
        .expect("append");
    }
    let seqs = |records: Vec<audit::AuditRecord>| -> Vec<u64> {
        records.iter().map(|record| record.seq).collect()
    };
    let path = log.path();
    assert_eq!(
        seqs(audit::tail(path, 60).expect("tail")),
        (41..=100).collect::<Vec<u64>>()
    );
    assert_eq!(seqs(audit::tail(path, 500).expect("tail")).len(), 100);
    assert!(audit::tail(path, 0).expect("tail").is_empty());
    assert_eq!(
        seqs(audit::read(path, 10, 3).expect("read")),
        vec![10, 11, 12]
    );
    assert_eq!(
        seqs(audit::read(path, 99, 10).expect("read")),
        vec![99, 100]
    );
}

/// Verifying a log that does not exist says so rather than reporting an empty, intact log.
#[test]
fn missing_log_is_an_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let error = audit::verify(&log_path(&dir)).expect_err("no log");
    assert!(matches!(error, AuditError::NotFound { .. }));
}

/// Prints what an append costs with its `sync_data` (run with `--nocapture`); no assertion, as
/// it depends on the disk.
#[test]
fn append_cost() {
    const LINES: u64 = 200;
    let dir = tempfile::tempdir().expect("temp dir");
    let log = AuditLog::open(log_path(&dir)).expect("open");
    let started = Instant::now();
    for n in 0..LINES {
        log.append(search(n)).expect("append");
    }
    let elapsed = started.elapsed();
    println!(
        "audit append: {LINES} lines in {elapsed:?}, {:.0} lines/s with sync_data",
        LINES as f64 / elapsed.as_secs_f64()
    );
    // Eight writers at once (searches on the API's blocking threads) share their flushes.
    let log = Arc::new(log);
    let started = Instant::now();
    let writers: Vec<_> = (0..8)
        .map(|_| {
            let log = Arc::clone(&log);
            std::thread::spawn(move || {
                for n in 0..LINES / 8 {
                    log.append(search(n)).expect("append");
                }
            })
        })
        .collect();
    for writer in writers {
        writer.join().expect("writer");
    }
    let elapsed = started.elapsed();
    println!(
        "audit append, 8 writers: {LINES} lines in {elapsed:?}, {:.0} lines/s",
        LINES as f64 / elapsed.as_secs_f64()
    );
    let started = Instant::now();
    let report = audit::verify(log.path()).expect("verify");
    println!(
        "audit verify: {} lines in {:?}",
        report.good_lines,
        started.elapsed()
    );
}

/// A witnessed head holds while lines are only appended, and names the loss when the log is
/// cut, deleted, or replaced by a log of as many lines that chains on its own.
#[test]
fn a_witnessed_head_catches_cuts_deletions_and_rewrites() {
    let (_dir, path) = log_with(5);
    let log = AuditLog::open(&path).expect("open");
    let witness = log.witness().expect("five lines");
    assert_eq!(witness.seq, 5);
    assert_eq!(witness.len, std::fs::metadata(&path).expect("size").len());
    assert_eq!(audit::check_witness(&path, &witness).expect("check"), None);
    log.append(search(6)).expect("append");
    assert_eq!(
        audit::check_witness(&path, &witness).expect("check"),
        None,
        "appending keeps the witnessed line where it was"
    );
    drop(log);

    let all = lines(&path);
    write_lines(&path, &all[..4]);
    let cut = audit::check_witness(&path, &witness).expect("check");
    assert!(
        matches!(cut, Some(audit::Rollback::Shorter { .. })),
        "{cut:?}"
    );

    std::fs::remove_file(&path).expect("delete");
    let deleted = audit::check_witness(&path, &witness).expect("check");
    assert!(
        matches!(
            deleted,
            Some(audit::Rollback::Shorter { found_bytes: 0, .. })
        ),
        "{deleted:?}"
    );

    // Six other searches: longer than the witnessed log, chained, but not the same lines.
    let forged = AuditLog::open(&path).expect("open");
    for n in 101..=106 {
        forged.append(search(n)).expect("append");
    }
    assert!(audit::verify(&path).expect("verify").is_intact());
    let rewritten = audit::check_witness(&path, &witness).expect("check");
    assert!(
        matches!(rewritten, Some(audit::Rollback::Rewritten { .. })),
        "{rewritten:?}"
    );
}
