//! Crash safety: a child process writes through the group committer and reports every
//! acknowledged entry; the parent kills it with SIGKILL at a random moment, reopens the store
//! and checks that it opens and holds every acknowledged entry. Repeated [`KILLS`] times on one
//! store, so later rounds also recover from earlier crashes.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bureau_core::testkit::{NOW, TestNetwork};
use bureau_core::{Body, Timestamp};
use bureau_store::{Committer, Outcome};

use crate::harness;

/// How many times the writer is killed.
const KILLS: usize = 24;
/// Writer threads in the child, one per member, so group commit batches several writers.
const WRITERS: usize = 3;
const CHILD_ENV: &str = "BUREAU_CRASH_WRITER_DIR";

fn network() -> TestNetwork {
    TestNetwork::new("crash", &["XGS", "FRA", "DEU", "RUS"])
}

/// A clock a month ahead of the fixtures, so millions of 1 ms-apart entries stay in the past.
fn clock() -> Timestamp {
    Timestamp(NOW.0 + 30 * 24 * 3600 * 1000)
}

/// Kills the writer at random moments and checks every acknowledged entry after each reopen.
#[test]
fn acknowledged_entries_survive_sigkill() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("store");
    let network = network();
    let mut random = 0x9e37_79b9_7f4a_7c15u64;
    let mut total_acks = 0;
    for round in 0..KILLS {
        let mut child = Command::new(std::env::current_exe().expect("test binary path"))
            .args([
                "--exact",
                "crash::writer_process",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn writer");
        let stdout = child.stdout.take().expect("piped stdout");
        let acks = Arc::new(Mutex::new(Vec::new()));
        let reader = {
            let acks = Arc::clone(&acks);
            std::thread::spawn(move || {
                for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                    let mut parts = line.split_whitespace();
                    if let (Some("ack"), Some(member), Some(seq)) =
                        (parts.next(), parts.next(), parts.next())
                        && let (Ok(member), Ok(seq)) = (member.parse::<usize>(), seq.parse::<u64>())
                    {
                        acks.lock().expect("ack list").push((member, seq));
                    }
                }
            })
        };
        // xorshift: a fixed sequence of kill delays between 150 and 650 ms (the child needs
        // ~100 ms to start and open the store).
        random ^= random << 13;
        random ^= random >> 7;
        random ^= random << 17;
        std::thread::sleep(Duration::from_millis(150 + random % 500));
        child.kill().expect("SIGKILL the writer");
        child.wait().expect("reap the writer");
        reader.join().expect("reader thread");

        let store = harness::open_at(&network, &path);
        let acks = acks.lock().expect("ack list");
        total_acks += acks.len();
        for &(member, seq) in acks.iter() {
            let author = network.members[member].key.public();
            let head = store
                .head(&author)
                .expect("head")
                .map_or(0, |head| head.seq);
            assert!(
                head >= seq,
                "round {round}: member {member} seq {seq} acknowledged but head is {head}"
            );
            assert!(store.entry(&author, seq).expect("read entry").is_some());
        }
    }
    eprintln!("{KILLS} kills, {total_acks} acknowledged commits checked");
    assert!(
        total_acks > KILLS,
        "the writer acknowledged too little to test anything ({total_acks})"
    );
}

/// The child half of [`acknowledged_entries_survive_sigkill`]: writes until killed, printing
/// `ack MEMBER SEQ` for each acknowledged entry. Returns at once when run on its own.
#[test]
fn writer_process() {
    let Some(path) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let network = network();
    let store = Arc::new(harness::open_at(&network, std::path::Path::new(&path)));
    let committer = Committer::spawn(Arc::clone(&store), clock);
    let stdout = Arc::new(Mutex::new(std::io::stdout()));
    let threads: Vec<_> = (1..=WRITERS)
        .map(|member| {
            let (store, committer, stdout) =
                (Arc::clone(&store), committer.clone(), Arc::clone(&stdout));
            let mut network = network.clone();
            std::thread::spawn(move || {
                let head = store
                    .head(&network.members[member].key.public())
                    .expect("head");
                network.members[member].head = head;
                network.members[member].clock =
                    head.map_or(NOW, |head| Timestamp(head.timestamp.0 + 1));
                for round in 0u64.. {
                    let count = 1 + (round % 7) as usize;
                    let entries: Vec<_> = (0..count)
                        .map(|_| {
                            let seq = network.members[member].head.map_or(1, |head| head.seq + 1);
                            let code = network.code(member);
                            let record = bureau_core::testkit::travel_document(
                                code,
                                &format!("c{seq}"),
                                &format!("CRASH{seq}"),
                                1,
                            );
                            network.sign(member, Body::Put(record))
                        })
                        .collect();
                    let last = entries
                        .last()
                        .map(|entry| entry.header.seq)
                        .unwrap_or_default();
                    let outcomes = committer.apply(entries).expect("commit");
                    assert!(outcomes.iter().all(Outcome::is_applied), "{outcomes:?}");
                    let mut out = stdout.lock().expect("stdout");
                    writeln!(out, "ack {member} {last}").expect("write ack");
                    out.flush().expect("flush ack");
                }
            })
        })
        .collect();
    for thread in threads {
        let _ = thread.join();
    }
}
