//! The offline trust flow and the record commands, as the README shows them.

use std::os::unix::fs::PermissionsExt;

use crate::harness::{bureau, bureau_with_env, fails, json, ok};

/// `bureau admit` for France's join request, signed with `root`, written to `out`.
fn admit_args<'a>(root: &'a str, out: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "admit",
        "--root",
        root,
        "--genesis",
        "net/genesis.bureau",
        "fra/join-request.bureau",
    ];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["--out", out]);
    args
}

/// Founds a network, admits France, and returns the temp dir.
pub fn admitted_france() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let cwd = dir.path();
    ok(cwd, &["genesis", "--dir", "net", "--name", "testnet"]);
    ok(
        cwd,
        &[
            "init",
            "--dir",
            "fra",
            "--member",
            "FRA",
            "--genesis",
            "net/genesis.bureau",
        ],
    );
    ok(cwd, &admit_args("net/root.key", "fra/node.cert", &[]));
    dir
}

/// Signing on a replica with no node running needs the operator's word: without `--offline`
/// the CLI refuses, says why, and exits 5; reads need nothing.
#[test]
fn signing_without_a_node_needs_offline() {
    let dir = admitted_france();
    let cwd = dir.path();
    let run = bureau(cwd, &["--dir", "fra", "publish", "sltd", "--number", "Z1"]);
    assert_eq!(run.code, Some(5), "{}", run.stderr);
    assert!(run.stderr.contains("--offline"), "{}", run.stderr);
    assert!(run.stderr.contains("fork"), "{}", run.stderr);
    let status = json(&ok(cwd, &["--dir", "fra", "status", "--json"]));
    assert_eq!(status["entries"], 0, "nothing was signed");
    ok(
        cwd,
        &[
            "--dir",
            "fra",
            "--offline",
            "publish",
            "sltd",
            "--number",
            "Z1",
        ],
    );
    let status = json(&ok(cwd, &["--dir", "fra", "status", "--json"]));
    assert_eq!(status["entries"], 1);
}

/// A key gets a second certificate only as a renewal that names its current one; the register
/// beside the root key lists every certificate signed.
#[test]
fn a_second_certificate_for_a_key_is_only_a_named_renewal() {
    let dir = admitted_france();
    let cwd = dir.path();
    let error = fails(cwd, &admit_args("net/root.key", "fra/again.cert", &[]));
    assert!(error.contains("--renew"), "{error}");
    assert!(!cwd.join("fra/again.cert").exists());
    let first = json(&ok(cwd, &["--dir", "fra", "status", "--json"]));
    let register = std::fs::read_to_string(cwd.join("net/root.key.issued.jsonl"))
        .expect("the register beside the root key");
    assert_eq!(register.lines().count(), 1);
    let serial: serde_json::Value =
        serde_json::from_str(register.lines().next().expect("one line")).expect("json");
    let serial = serial["serial"].to_string();
    let error = fails(
        cwd,
        &admit_args("net/root.key", "fra/again.cert", &["--renew", "12345"]),
    );
    assert!(error.contains(&serial), "{error}");
    // Serials derive from the start time: wait for a new millisecond before renewing.
    std::thread::sleep(std::time::Duration::from_millis(5));
    ok(
        cwd,
        &admit_args("net/root.key", "fra/renewed.cert", &["--renew", &serial]),
    );
    let register = std::fs::read_to_string(cwd.join("net/root.key.issued.jsonl")).expect("read");
    assert_eq!(register.lines().count(), 2);
    assert!(
        first["certificate_days_left"]
            .as_i64()
            .is_some_and(|days| days > 700)
    );
}

/// Keys are private files; genesis, init and admit produce a usable node directory.
#[test]
fn the_trust_flow_makes_a_working_node() {
    let dir = admitted_france();
    let cwd = dir.path();
    for secret in ["net/root.key", "fra/node.key", "fra/encryption.key"] {
        let mode = std::fs::metadata(cwd.join(secret))
            .expect("key file")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{secret} must be private");
    }
    let status = json(&ok(cwd, &["--dir", "fra", "--offline", "status", "--json"]));
    assert_eq!(status["member"], "FRA");
    assert_eq!(status["entries"], 0);
}

/// Publish, search however typed, get, cancel: the officer's round trip.
#[test]
fn publish_search_get_cancel() {
    let dir = admitted_france();
    let cwd = dir.path();
    let published = json(&ok(
        cwd,
        &[
            "--dir",
            "fra",
            "--offline",
            "publish",
            "sltd",
            "--number",
            "P 1234-567",
            "--type",
            "passport",
            "--loss",
            "stolen",
            "--json",
        ],
    ));
    assert_eq!(published["ref"], "sltd/FRA/p1234567");

    let found = json(&ok(
        cwd,
        &[
            "--dir",
            "fra",
            "--offline",
            "search",
            "sltd",
            "--number",
            "p1234567",
            "--json",
        ],
    ));
    assert_eq!(found["results"][0]["ref"], "sltd/FRA/p1234567");
    assert_eq!(
        found["results"][0]["data"]["travel-document"]["issuing_country"],
        "FRA"
    );
    let table = ok(
        cwd,
        &[
            "--dir",
            "fra",
            "--offline",
            "search",
            "sltd",
            "--number",
            "P1234567",
        ],
    );
    assert!(table.contains("sltd/FRA/p1234567"), "{table}");

    let person = json(&ok(
        cwd,
        &[
            "--dir",
            "fra",
            "--offline",
            "publish",
            "person",
            "--family-name",
            "Müller",
            "--given-names",
            "Jürgen",
            "--dob",
            "1968-11",
            "--json",
        ],
    ));
    let found = json(&ok(
        cwd,
        &[
            "--dir",
            "fra",
            "--offline",
            "search",
            "person",
            "--name",
            "JURGEN mueller",
            "--json",
        ],
    ));
    assert_eq!(
        found["results"][0]["ref"], person["ref"],
        "Mueller is how Müller is typed without umlauts"
    );
    let found = json(&ok(
        cwd,
        &[
            "--dir",
            "fra",
            "--offline",
            "search",
            "person",
            "--name",
            "jurgen muller",
            "--json",
        ],
    ));
    assert_eq!(found["results"][0]["ref"], person["ref"]);

    ok(
        cwd,
        &[
            "--dir",
            "fra",
            "--offline",
            "cancel",
            "sltd/FRA/p1234567",
            "--reason",
            "document recovered",
        ],
    );
    let view = json(&ok(
        cwd,
        &[
            "--dir",
            "fra",
            "--offline",
            "get",
            "sltd/FRA/p1234567",
            "--json",
        ],
    ));
    assert_eq!(view["version"], 2);
    assert_eq!(view["cancel_reason"], "document recovered");
    let found = json(&ok(
        cwd,
        &[
            "--dir",
            "fra",
            "--offline",
            "search",
            "sltd",
            "--number",
            "p1234567",
            "--json",
        ],
    ));
    assert_eq!(found["results"].as_array().map(Vec::len), Some(0));

    // The cancelled record's body is erased once; a second run finds nothing more.
    let erased = json(&ok(cwd, &["--dir", "fra", "--offline", "erase", "--json"]));
    assert_eq!(erased["erase_entries"], 1);
    let erased = json(&ok(cwd, &["--dir", "fra", "--offline", "erase", "--json"]));
    assert_eq!(erased["erase_entries"], 0);

    // Publishing the same document again raises the version.
    let again = json(&ok(
        cwd,
        &[
            "--dir",
            "fra",
            "--offline",
            "publish",
            "sltd",
            "--number",
            "P 1234-567",
            "--json",
        ],
    ));
    assert_eq!(again["version"], 3);
}

/// Mistakes get a clear message and a non-zero exit, and change nothing.
#[test]
fn mistakes_are_explained() {
    let dir = admitted_france();
    let cwd = dir.path();
    let error = fails(cwd, &["--dir", "nowhere", "status"]);
    assert!(
        error.contains("genesis not found at nowhere/genesis.bureau"),
        "{error}"
    );
    let error = fails(
        cwd,
        &[
            "--dir",
            "fra",
            "--offline",
            "publish",
            "sltd",
            "--number",
            " - ",
        ],
    );
    assert!(
        error.contains("field number: has no letters or digits"),
        "{error}"
    );
    let error = fails(
        cwd,
        &[
            "--dir",
            "fra",
            "--offline",
            "publish",
            "sltd",
            "--number",
            "X1",
            "--issued",
            "2023-02-30",
        ],
    );
    assert!(error.contains("2023-02-30 does not exist"), "{error}");
    let error = fails(
        cwd,
        &[
            "init",
            "--dir",
            "x",
            "--member",
            "ZZZ",
            "--genesis",
            "net/genesis.bureau",
        ],
    );
    assert!(
        error.contains("not an ISO 3166 alpha-3 country code"),
        "{error}"
    );
    let error = fails(cwd, &admit_args("net/root.key", "fra/node.cert", &[]));
    assert!(
        error.contains("already exists; refusing to overwrite"),
        "{error}"
    );
    let error = fails(
        cwd,
        &admit_args("net/root.key", "x.cert", &["--role", "secretariat"]),
    );
    assert!(
        error.contains("secretariat role goes with member code XGS"),
        "{error}"
    );
    let error = fails(
        cwd,
        &[
            "--dir",
            "fra",
            "--offline",
            "cancel",
            "sltd/DEU/abc",
            "--reason",
            "not mine",
        ],
    );
    assert!(error.contains("only the owner may cancel it"), "{error}");
    let status = json(&ok(cwd, &["--dir", "fra", "--offline", "status", "--json"]));
    assert_eq!(status["entries"], 0, "failed commands wrote nothing");

    // A second network's root key cannot admit into this one.
    ok(cwd, &["genesis", "--dir", "other", "--name", "other"]);
    let error = fails(cwd, &admit_args("other/root.key", "y.cert", &[]));
    assert!(
        error.contains("is not the root key of the network"),
        "{error}"
    );
}

/// The sandbox builds a network whose replicas all converge, and its suggested commands work.
#[test]
fn the_sandbox_converges_and_its_examples_work() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cwd = dir.path();
    let statuses = json(&ok(cwd, &["sandbox", "--members", "3", "--json"]));
    let digests: std::collections::BTreeSet<String> = statuses
        .as_array()
        .expect("array")
        .iter()
        .map(|status| status["digest"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(digests.len(), 1, "every replica has the same digest");
    assert_eq!(statuses[0]["members_known"], 4);

    let found = json(&ok(
        cwd,
        &[
            "--dir",
            "sandbox/node3",
            "search",
            "sltd",
            "--number",
            "f1234667",
            "--json",
        ],
    ));
    assert_eq!(
        found["results"][0]["ref"], "sltd/FRA/f1234667",
        "a French document found on the Italian node"
    );
    let found = json(&ok(
        cwd,
        &[
            "--dir",
            "sandbox/node3",
            "search",
            "person",
            "--name",
            "jurgen muller",
            "--json",
        ],
    ));
    let first = &found["results"][0];
    assert!(
        first["ref"]
            .as_str()
            .is_some_and(|r| r.starts_with("persons/DEU/")),
        "{found}"
    );
    assert_eq!(first["candidate"]["family_name"], "Müller", "{found}");
    assert!(
        first.get("key").is_none(),
        "a candidate, not the record: {found}"
    );

    ok(
        cwd,
        &[
            "--dir",
            "sandbox/node1",
            "--offline",
            "publish",
            "sltd",
            "--number",
            "P 1234-567",
        ],
    );
    let copied = json(&ok(
        cwd,
        &[
            "--dir",
            "sandbox/node3",
            "sync",
            "--from",
            "sandbox/node1",
            "--json",
        ],
    ));
    assert_eq!(copied["applied"], 1);
    let found = json(&ok(
        cwd,
        &[
            "--dir",
            "sandbox/node3",
            "search",
            "sltd",
            "--number",
            "p1234567",
            "--json",
        ],
    ));
    assert_eq!(found["results"][0]["ref"], "sltd/FRA/p1234567");

    let run = bureau(cwd, &["sandbox"]);
    assert!(
        !run.success && run.stderr.contains("already exists"),
        "{}",
        run.stderr
    );
}

/// The secretariat revokes a member from the command line; every replica that learns it shows
/// the member as revoked, with the reason; a plain member cannot revoke.
#[test]
fn members_and_revocation_from_the_command_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cwd = dir.path();
    ok(cwd, &["sandbox", "--members", "2"]);
    let members = json(&ok(cwd, &["--dir", "sandbox/node1", "members", "--json"]));
    assert_eq!(members.as_array().map(Vec::len), Some(3));
    let error = fails(
        cwd,
        &[
            "--dir",
            "sandbox/node1",
            "--offline",
            "revoke",
            "DEU",
            "--reason",
            "not mine to do",
        ],
    );
    assert!(error.contains("needs the secretariat role"), "{error}");

    ok(
        cwd,
        &[
            "--dir",
            "sandbox/node0",
            "--offline",
            "revoke",
            "DEU",
            "--reason",
            "key compromised",
        ],
    );
    ok(
        cwd,
        &["--dir", "sandbox/node1", "sync", "--from", "sandbox/node0"],
    );
    let members = json(&ok(cwd, &["--dir", "sandbox/node1", "members", "--json"]));
    let germany = members
        .as_array()
        .and_then(|members| members.iter().find(|m| m["member"] == "DEU"))
        .expect("DEU listed");
    assert_eq!(germany["status"], "revoked");
    assert!(
        germany["revocation"]
            .as_str()
            .unwrap_or_default()
            .contains("key compromised")
    );
    let status = json(&ok(
        cwd,
        &[
            "--dir",
            "sandbox/node2",
            "sync",
            "--from",
            "sandbox/node0",
            "--json",
        ],
    ));
    assert_eq!(status["applied"], 1);
    let status = json(&ok(cwd, &["--dir", "sandbox/node2", "status", "--json"]));
    assert_eq!(
        status["revoked"], "key compromised",
        "the revoked node's own status says why"
    );
}

/// `bureau review` lists what is due within the horizon, soonest first; a review date beyond
/// the database's retention is refused; `bureau extend` moves a record out, with its reason.
#[test]
fn review_lists_records_due_and_extension_moves_them_out() {
    let dir = admitted_france();
    let cwd = dir.path();
    let soon = bureau_service::clock::now()
        .date()
        .plus_days(30)
        .to_string();
    let later = bureau_service::clock::now()
        .date()
        .plus_days(400)
        .to_string();
    ok(
        cwd,
        &[
            "--dir",
            "fra",
            "--offline",
            "publish",
            "sltd",
            "--number",
            "R1",
            "--review-date",
            &soon,
        ],
    );
    ok(
        cwd,
        &[
            "--dir",
            "fra",
            "--offline",
            "publish",
            "sltd",
            "--number",
            "R2",
            "--review-date",
            &later,
        ],
    );
    let due = json(&ok(cwd, &["--dir", "fra", "--offline", "review", "--json"]));
    let refs: Vec<&str> = due
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|r| r["ref"].as_str())
        .collect();
    assert_eq!(
        refs,
        vec!["sltd/FRA/r1"],
        "only the record due within six months"
    );

    let too_far = bureau_service::clock::now()
        .date()
        .plus_years(11)
        .to_string();
    let error = fails(
        cwd,
        &[
            "--dir",
            "fra",
            "--offline",
            "publish",
            "sltd",
            "--number",
            "R3",
            "--review-date",
            &too_far,
        ],
    );
    assert!(error.contains("later than the database allows"), "{error}");

    ok(
        cwd,
        &[
            "--dir",
            "fra",
            "--offline",
            "publish",
            "sltd",
            "--number",
            "R1",
            "--review-date",
            &later,
        ],
    );
    let due = json(&ok(cwd, &["--dir", "fra", "--offline", "review", "--json"]));
    assert_eq!(due.as_array().map(Vec::len), Some(0), "extended");
    let table = ok(
        cwd,
        &[
            "--dir",
            "fra",
            "--offline",
            "review",
            "--within-days",
            "500",
        ],
    );
    assert!(
        table.contains("sltd/FRA/r1") && table.contains("sltd/FRA/r2"),
        "{table}"
    );
}

/// The example: a person published in Cyrillic is found by a Latin query with a birth
/// year, ranked first.
#[test]
fn a_person_published_in_cyrillic_is_found_by_a_latin_query() {
    let dir = admitted_france();
    let cwd = dir.path();
    let person = json(&ok(
        cwd,
        &[
            "--dir",
            "fra",
            "--offline",
            "publish",
            "person",
            "--family-name",
            "Иванов",
            "--given-names",
            "Сергей",
            "--dob",
            "1980-03-04",
            "--json",
        ],
    ));
    for (family, given) in [
        ("Ivanova", "Svetlana"),
        ("Petrov", "Sergei"),
        ("Ivanov", "Pavel"),
    ] {
        ok(
            cwd,
            &[
                "--dir",
                "fra",
                "--offline",
                "publish",
                "person",
                "--family-name",
                family,
                "--given-names",
                given,
                "--dob",
                "1980",
            ],
        );
    }
    let found = json(&ok(
        cwd,
        &[
            "--dir",
            "fra",
            "--offline",
            "search",
            "person",
            "--name",
            "Sergei Ivanov",
            "--dob",
            "1980",
            "--json",
        ],
    ));
    assert_eq!(found["results"][0]["ref"], person["ref"], "{found}");
    let wrong_year = json(&ok(
        cwd,
        &[
            "--dir",
            "fra",
            "--offline",
            "search",
            "person",
            "--name",
            "Sergei Ivanov",
            "--dob",
            "1975",
            "--json",
        ],
    ));
    assert!(
        wrong_year["results"]
            .as_array()
            .is_some_and(|found| found.iter().all(|f| f["ref"] != person["ref"])),
        "{wrong_year}"
    );
}

/// Searches and changes are in the audit log, which verifies until a line is edited.
#[test]
fn the_audit_log_records_searches_and_detects_tampering() {
    let dir = admitted_france();
    let cwd = dir.path();
    ok(
        cwd,
        &[
            "--dir",
            "fra",
            "--offline",
            "publish",
            "sltd",
            "--number",
            "A1",
        ],
    );
    ok(
        cwd,
        &[
            "--dir",
            "fra",
            "--offline",
            "search",
            "sltd",
            "--number",
            "a1",
            "--purpose",
            "border check",
        ],
    );
    let lines = json(&ok(cwd, &["--dir", "fra", "--offline", "audit", "--json"]));
    let actions: Vec<_> = lines
        .as_array()
        .expect("lines")
        .iter()
        .map(|line| line["action"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(actions, ["publish", "search"]);
    assert_eq!(lines[1]["purpose"], "border check");
    assert_eq!(lines[1]["results"], 1);
    assert!(
        ok(cwd, &["--dir", "fra", "--offline", "audit", "--verify"]).contains("intact: 2 lines")
    );

    let path = cwd.join("fra/audit.log");
    let text = std::fs::read_to_string(&path).expect("log");
    std::fs::write(&path, text.replacen("\"results\":1", "\"results\":0", 1)).expect("tamper");
    let error = fails(cwd, &["--dir", "fra", "--offline", "audit", "--verify"]);
    assert!(error.contains("line 2"), "{error}");
}

/// `generate` writes records `import` loads; a CSV with a bad line is imported but for that
/// line, which the report names with its field.
#[test]
fn generated_and_csv_records_are_imported_with_a_report() {
    let dir = admitted_france();
    let cwd = dir.path();
    ok(
        cwd,
        &[
            "generate",
            "--database",
            "persons",
            "--count",
            "200",
            "--out",
            "p.jsonl",
            "--key",
            "k.jsonl",
        ],
    );
    let summary = json(&ok(
        cwd,
        &[
            "--dir",
            "fra",
            "--offline",
            "--json",
            "import",
            "--database",
            "persons",
            "p.jsonl",
        ],
    ));
    assert_eq!(summary["imported"], 200);
    let key = std::fs::read_to_string(cwd.join("k.jsonl")).expect("key");
    let variant: serde_json::Value =
        serde_json::from_str(key.lines().next().expect("a variant")).expect("json");
    let found = json(&ok(
        cwd,
        &[
            "--dir",
            "fra",
            "--offline",
            "search",
            "person",
            "--name",
            variant["query"].as_str().expect("query"),
            "--json",
        ],
    ));
    let wanted = format!("persons/FRA/{}", variant["person_id"].as_str().expect("id"));
    assert!(
        found["results"]
            .as_array()
            .expect("list")
            .iter()
            .take(10)
            .any(|f| f["ref"] == wanted),
        "{variant} not found: {found}"
    );

    std::fs::write(
        cwd.join("cars.csv"),
        "id,vin,kind,make,year,engine_number\n\
         c1,1M8GDM9AXKP042788,car,Peugeot,2019,EN-1\n\
         c2,1M8GDM9A1KP042788,car,Peugeot,2019,\n\
         c3,WVWZZZ1JZ3W386752,truck,Volkswagen,nineteen,\n\
         c4,WVWZZZ1JZ3W386753,car,Volkswagen,2003,\n",
    )
    .expect("csv");
    let output = ok(
        cwd,
        &[
            "--dir",
            "fra",
            "--offline",
            "import",
            "--database",
            "vehicles",
            "cars.csv",
            "--report",
            "bad.csv",
        ],
    );
    assert!(
        output.contains("imported 2 vehicles records from 5 lines"),
        "{output}"
    );
    let report = std::fs::read_to_string(cwd.join("bad.csv")).expect("report");
    assert!(report.contains("3,vin,check digit"), "{report}");
    assert!(report.contains("4,year,"), "{report}");
    let found = json(&ok(
        cwd,
        &[
            "--dir",
            "fra",
            "--offline",
            "search",
            "vehicle",
            "--engine",
            "en1",
            "--json",
        ],
    ));
    assert_eq!(found["results"][0]["ref"], "vehicles/FRA/c1");
}

/// `devnet --provision-only` (what `testnet/up.sh` runs) leaves a ready network and no process:
/// each member's replica holds its own sample records, each node a config on its own port, and
/// a second run refuses to overwrite the keys.
#[test]
fn devnet_provision_only_makes_a_network_ready_to_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cwd = dir.path();
    let args = [
        "--dir",
        "tn",
        "devnet",
        "--provision-only",
        "--nodes",
        "3",
        "--base-port",
        "17800",
    ];
    ok(cwd, &args);
    let germany = json(&ok(cwd, &["--dir", "tn/node2", "status", "--json"]));
    assert_eq!(germany["member"], "DEU");
    assert!(germany["records"].as_u64().unwrap_or(0) > 0, "{germany}");
    let config = std::fs::read_to_string(cwd.join("tn/node2/bureau.toml")).expect("config");
    assert!(config.contains("/ip4/127.0.0.1/tcp/17802"), "{config}");
    assert!(
        !cwd.join("tn/node0/api.addr").exists(),
        "no node was started"
    );
    assert!(fails(cwd, &args).contains("already exists"));
}

/// Exit codes follow the error's kind (documented in `--help` and the README), and with
/// `--json` the error itself is JSON on standard output.
#[test]
fn failures_exit_with_the_code_of_their_kind() {
    let dir = admitted_france();
    let cwd = dir.path();
    let missing = bureau(
        cwd,
        &["--dir", "fra", "--offline", "get", "sltd/FRA/nothing"],
    );
    assert_eq!(missing.code, Some(3), "not found: {}", missing.stderr);
    assert!(missing.stderr.contains("no record"), "{}", missing.stderr);
    let as_json = bureau(
        cwd,
        &[
            "--dir",
            "fra",
            "--offline",
            "get",
            "sltd/FRA/nothing",
            "--json",
        ],
    );
    assert_eq!(as_json.code, Some(3));
    let error = json(&as_json.stdout);
    assert_eq!(error["error"]["kind"], "not_found", "{error}");
    let forbidden = bureau(
        cwd,
        &[
            "--dir",
            "fra",
            "--offline",
            "cancel",
            "sltd/DEU/x",
            "--reason",
            "not mine",
        ],
    );
    assert_eq!(forbidden.code, Some(4), "forbidden: {}", forbidden.stderr);
    let bad_flag = bureau(cwd, &["--dir", "fra", "--offline", "publish", "sltd"]);
    assert_eq!(bad_flag.code, Some(2), "usage: {}", bad_flag.stderr);
    let bad_flag_json = bureau(
        cwd,
        &["--dir", "fra", "--offline", "publish", "sltd", "--json"],
    );
    assert_eq!(bad_flag_json.code, Some(2));
    assert_eq!(
        json(&bad_flag_json.stdout)["error"]["kind"],
        "invalid_input"
    );
    let bad_input = bureau(
        cwd,
        &[
            "--dir",
            "fra",
            "--offline",
            "review",
            "--within-days",
            "999999999999999",
        ],
    );
    assert_eq!(
        bad_input.code,
        Some(2),
        "refused, not wrapped: {}",
        bad_input.stderr
    );
    let bad_log = bureau_with_env(
        cwd,
        &["--dir", "fra", "--offline", "status"],
        &[("BUREAU_LOG", "[[[")],
    );
    assert_eq!(
        bad_log.code,
        Some(2),
        "a bad BUREAU_LOG is an error: {}",
        bad_log.stderr
    );
    let no_json = bureau(cwd, &["--dir", "fra", "--offline", "node", "run", "--json"]);
    assert_eq!(no_json.code, Some(2), "--json refused where there is none");
    let help = ok(cwd, &["--help"]);
    assert!(help.contains("Exit codes"), "{help}");
}

/// `bureau config show` tells each setting's value and source: one from the file, one from
/// the environment and one from a flag at once, and the flag wins over both for cache_mib.
#[test]
fn config_show_reports_each_source() {
    let dir = admitted_france();
    let cwd = dir.path();
    std::fs::write(
        cwd.join("fra/bureau.toml"),
        "api_listen = \"127.0.0.1:7199\"\ncache_mib = 8\n",
    )
    .expect("write config");
    let run = bureau_with_env(
        cwd,
        &[
            "--dir",
            "fra",
            "--offline",
            "--cache-mib",
            "16",
            "config",
            "show",
            "--json",
        ],
        &[
            ("BUREAU_SYNC_INTERVAL_MS", "2500"),
            ("BUREAU_CACHE_MIB", "12"),
        ],
    );
    assert!(run.success, "{}", run.stderr);
    let settings = json(&run.stdout);
    let setting = |name: &str| {
        settings
            .as_array()
            .and_then(|all| all.iter().find(|s| s["name"] == name))
            .cloned()
            .unwrap_or_else(|| panic!("no setting {name}: {settings}"))
    };
    assert_eq!(setting("api_listen")["value"], "127.0.0.1:7199");
    assert!(
        setting("api_listen")["source"]
            .as_str()
            .unwrap_or_default()
            .starts_with("file")
    );
    assert_eq!(setting("sync_interval_ms")["value"], "2500");
    assert_eq!(
        setting("sync_interval_ms")["source"],
        "env BUREAU_SYNC_INTERVAL_MS"
    );
    assert_eq!(setting("cache_mib")["value"], "16");
    assert_eq!(setting("cache_mib")["source"], "flag");
    assert_eq!(setting("listen")["source"], "default");
    let bad = bureau_with_env(
        cwd,
        &["--dir", "fra", "--offline", "config", "show"],
        &[("BUREAU_SYNC_INTERVAL_MS", "soon")],
    );
    assert!(!bad.success);
    assert!(
        bad.stderr.contains("BUREAU_SYNC_INTERVAL_MS"),
        "{}",
        bad.stderr
    );
}

/// An operator runs the daemon with JSON logs and stops it with `bureau node stop`: the log
/// has the startup summary and the stop, `node stop` returns once the node has exited, and
/// stopping a node that does not run says so with the "unavailable" exit code.
#[test]
fn node_stop_stops_the_daemon_and_the_log_says_so() {
    let dir = admitted_france();
    let cwd = dir.path();
    let daemon = std::process::Command::new(env!("CARGO_BIN_EXE_bureau"))
        .args([
            "--dir",
            "fra",
            "--log-format",
            "json",
            "node",
            "run",
            "--listen",
            "/ip4/127.0.0.1/tcp/0",
            "--api-listen",
            "127.0.0.1:0",
            "--metrics-listen",
            "127.0.0.1:0",
        ])
        .current_dir(cwd)
        .env_remove("BUREAU_LOG")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start the daemon");
    let addr = cwd.join("fra/api.addr");
    let started = std::time::Instant::now();
    while !addr.exists() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "the daemon did not start"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let stopped = ok(cwd, &["--dir", "fra", "node", "stop"]);
    assert!(stopped.contains("stopped the node on fra"), "{stopped}");
    assert!(!addr.exists(), "api.addr outlives the node");
    let output = daemon.wait_with_output().expect("the daemon exits");
    assert!(output.status.success(), "{:?}", output.status);
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&output.stderr)
        .lines()
        .map(json)
        .collect();
    let message = |text: &str| {
        lines
            .iter()
            .find(|line| line["message"] == text)
            .unwrap_or_else(|| panic!("no {text:?} line in {lines:?}"))
    };
    let summary = message("node started");
    assert_eq!(summary["member"], "FRA");
    assert!(
        summary["metrics"]
            .as_str()
            .is_some_and(|m| m.ends_with("/metrics"))
    );
    assert_eq!(message("node stopping")["why"], "asked to stop (API)");
    message("node stopped");
    let again = bureau(cwd, &["--dir", "fra", "node", "stop"]);
    assert_eq!(again.code, Some(5), "{}", again.stderr);
    assert!(
        again.stderr.contains("no node runs on fra"),
        "{}",
        again.stderr
    );
}
