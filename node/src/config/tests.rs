//! Unit tests of the configuration's precedence (flag > environment > file > default), of the
//! sources it reports, and of its error messages. Kept beside `config.rs` to keep that file short.

use super::*;

/// A node directory holding `config` as its `bureau.toml`.
fn dir_with(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join(CONFIG_FILE), config).expect("write config");
    dir
}

fn genesis() -> Genesis {
    bureau_core::testkit::TestNetwork::new("config", &["XGS"]).genesis
}

fn load(dir: &Path, flags: &RunFlags, cache_mib: Option<u64>, env: &Environment) -> Resolved {
    NodeConfig::load(dir, &genesis(), flags, cache_mib, env).expect("load")
}

fn load_error(dir: &Path, flags: &RunFlags, env: &Environment) -> String {
    let error = NodeConfig::load(dir, &genesis(), flags, None, env).expect_err("bad value");
    format!("{error:#}")
}

fn setting<'a>(resolved: &'a Resolved, name: &str) -> &'a Setting {
    resolved
        .settings
        .iter()
        .find(|setting| setting.name == name)
        .expect("every setting is reported")
}

/// Flags win over the file, the file over the defaults; the genesis bootstrap list is kept.
#[test]
fn flags_override_the_file() {
    let dir = dir_with(
        "listen = [\"/ip4/127.0.0.1/tcp/9000\"]\napi_listen = \"127.0.0.1:9100\"\nsync_interval_ms = 2000\nbootstrap = [\"/ip4/127.0.0.1/tcp/9001\"]\n",
    );
    let none = Environment::default();
    let from_file = load(dir.path(), &RunFlags::default(), None, &none).config;
    assert_eq!(
        from_file.net.listen[0].to_string(),
        "/ip4/127.0.0.1/tcp/9000"
    );
    assert_eq!(from_file.api_listen.port(), 9100);
    assert_eq!(from_file.net.sync_interval, Duration::from_secs(2));
    assert_eq!(
        from_file.net.bootstrap.len(),
        2,
        "genesis bootstrap plus the file's"
    );

    let flags = RunFlags {
        listen: vec!["/ip4/127.0.0.1/tcp/9500".into()],
        api_listen: Some("127.0.0.1:9600".into()),
        ..RunFlags::default()
    };
    let overridden = load(dir.path(), &flags, None, &none).config;
    assert_eq!(
        overridden.net.listen[0].to_string(),
        "/ip4/127.0.0.1/tcp/9500"
    );
    assert_eq!(overridden.api_listen.port(), 9600);

    std::fs::write(dir.path().join(CONFIG_FILE), "listen_on = []\n").expect("write config");
    let error = NodeConfig::load(dir.path(), &genesis(), &RunFlags::default(), None, &none)
        .expect_err("unknown key");
    assert!(format!("{error:#}").contains("unknown field"), "{error:#}");
}

/// A value from the file, one from the environment and one from a flag, at once: each setting
/// reports its own value and source, and untouched settings say "default".
#[test]
fn each_setting_reports_its_source() {
    let dir = dir_with("listen = [\"/ip4/127.0.0.1/tcp/9000\"]\n");
    let path = dir.path().join(CONFIG_FILE);
    let env: Environment = [("BUREAU_SYNC_INTERVAL_MS", "3000")].into_iter().collect();
    let flags = RunFlags {
        api_listen: Some("127.0.0.1:9600".into()),
        ..RunFlags::default()
    };
    let resolved = load(dir.path(), &flags, None, &env);
    let expected = [
        ("config", path.display().to_string(), Source::Default),
        (
            "listen",
            "/ip4/127.0.0.1/tcp/9000".to_owned(),
            Source::File(path.clone()),
        ),
        (
            "sync_interval_ms",
            "3000".to_owned(),
            Source::Environment("BUREAU_SYNC_INTERVAL_MS"),
        ),
        ("api_listen", "127.0.0.1:9600".to_owned(), Source::Flag),
        ("dns", "true".to_owned(), Source::Default),
        ("cache_mib", "32".to_owned(), Source::Default),
    ];
    for (name, value, source) in expected {
        let setting = setting(&resolved, name);
        assert_eq!(
            (setting.value.as_str(), &setting.source),
            (value.as_str(), &source)
        );
    }
    assert_eq!(resolved.config.net.sync_interval, Duration::from_secs(3));
    let names: Vec<&str> = resolved
        .settings
        .iter()
        .map(|setting| setting.name)
        .collect();
    let keys: Vec<&str> = KEYS.iter().map(|key| key.name).collect();
    assert_eq!(names, keys, "one setting per key, in the order of KEYS");
    let json = serde_json::to_value(setting(&resolved, "sync_interval_ms")).expect("json");
    assert_eq!(json["source"], "env BUREAU_SYNC_INTERVAL_MS");
}

/// For the same setting a flag beats the environment, which beats the file: `cache_mib`
/// included, whose file value used to beat `--cache-mib`.
#[test]
fn flag_beats_environment_beats_file() {
    let dir = dir_with("cache_mib = 64\nsync_interval_ms = 2000\n");
    let env: Environment = [
        ("BUREAU_CACHE_MIB", "128"),
        ("BUREAU_SYNC_INTERVAL_MS", "3000"),
    ]
    .into_iter()
    .collect();
    let flags = RunFlags {
        sync_interval_ms: Some(4000),
        ..RunFlags::default()
    };
    let by_flag = load(dir.path(), &flags, Some(256), &env);
    assert_eq!(by_flag.config.cache_bytes, 256 * BYTES_PER_MIB);
    assert_eq!(by_flag.config.net.sync_interval, Duration::from_secs(4));
    assert_eq!(setting(&by_flag, "cache_mib").source, Source::Flag);

    let by_env = load(dir.path(), &RunFlags::default(), None, &env);
    assert_eq!(by_env.config.cache_bytes, 128 * BYTES_PER_MIB);
    assert_eq!(by_env.config.net.sync_interval, Duration::from_secs(3));

    let by_file = load(
        dir.path(),
        &RunFlags::default(),
        None,
        &Environment::default(),
    );
    assert_eq!(by_file.config.cache_bytes, 64 * BYTES_PER_MIB);
    assert_eq!(by_file.config.net.sync_interval, Duration::from_secs(2));

    assert_eq!(cache_mib(Some(8), &env).expect("flag"), 8);
    assert_eq!(cache_mib(None, &env).expect("environment"), 128);
    assert_eq!(
        cache_mib(None, &Environment::default()).expect("default"),
        DEFAULT_CACHE_MIB
    );
}

/// A list from a higher source replaces the lower one, except the genesis bootstrap list,
/// which is always kept; lists in the environment are comma-separated.
#[test]
fn lists_replace_but_genesis_bootstrap_stays() {
    let dir = dir_with("bootstrap = [\"/ip4/127.0.0.1/tcp/9001\"]\nrelay_via = []\n");
    let env: Environment = [(
        "BUREAU_BOOTSTRAP",
        "/ip4/127.0.0.1/tcp/9002, /ip4/127.0.0.1/tcp/9003",
    )]
    .into_iter()
    .collect();
    let resolved = load(dir.path(), &RunFlags::default(), None, &env);
    let bootstrap: Vec<String> = (resolved.config.net.bootstrap.iter())
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        bootstrap,
        [
            "/ip4/127.0.0.1/tcp/7000",
            "/ip4/127.0.0.1/tcp/9002",
            "/ip4/127.0.0.1/tcp/9003"
        ]
    );
    let source = &setting(&resolved, "bootstrap").source;
    assert_eq!(source.to_string(), "genesis + env BUREAU_BOOTSTRAP");

    let plain = load(
        dir.path(),
        &RunFlags::default(),
        None,
        &Environment::default(),
    );
    let path = dir.path().join(CONFIG_FILE);
    let source = &setting(&plain, "bootstrap").source;
    assert_eq!(
        source.to_string(),
        format!("genesis + file {}", path.display())
    );
    assert!(plain.config.net.relay_via.is_empty());
}

/// A bad value's error names where it came from: the variable, the file or the flag.
#[test]
fn errors_name_the_source_of_a_bad_value() {
    let dir = dir_with("listen = [\"/x\"]\n");
    let good_listen = RunFlags {
        listen: vec!["/ip4/127.0.0.1/tcp/9000".into()],
        ..RunFlags::default()
    };
    let env: Environment = [("BUREAU_SYNC_INTERVAL_MS", "abc")].into_iter().collect();
    assert_eq!(
        load_error(dir.path(), &good_listen, &env),
        "BUREAU_SYNC_INTERVAL_MS=\"abc\" (environment): not a whole number of milliseconds"
    );
    let path = dir.path().join(CONFIG_FILE);
    let error = load_error(dir.path(), &RunFlags::default(), &Environment::default());
    let expected = format!(
        "listen \"/x\" (file {}): not a multiaddress",
        path.display()
    );
    assert!(error.starts_with(&expected), "{error}");

    let flags = RunFlags {
        api_listen: Some("foo".into()),
        ..good_listen
    };
    assert_eq!(
        load_error(dir.path(), &flags, &Environment::default()),
        "--api-listen \"foo\" (flag): not IP:PORT (e.g. 127.0.0.1:0)"
    );
    let env: Environment = [("BUREAU_CACHE_MIB", "lots")].into_iter().collect();
    let error = format!("{:#}", cache_mib(None, &env).expect_err("bad cache"));
    assert!(error.starts_with("BUREAU_CACHE_MIB=\"lots\""), "{error}");
}

/// An invalid `BUREAU_LOG` is an error naming the variable; unset means the default filter.
#[test]
fn bad_log_filter_is_an_error() {
    let unset = log_filter(&Environment::default(), false).expect("default filter");
    assert_eq!(unset.to_string(), DEFAULT_LOG_FILTER);
    let daemon = log_filter(&Environment::default(), true).expect("daemon filter");
    assert_eq!(
        daemon.max_level_hint(),
        Some(tracing::level_filters::LevelFilter::INFO),
        "{daemon}"
    );
    let env: Environment = [(LOG_VARIABLE, "bureau_net=loud")].into_iter().collect();
    let error = format!("{:#}", log_filter(&env, true).expect_err("bad filter"));
    assert!(
        error.starts_with("BUREAU_LOG=\"bureau_net=loud\": "),
        "{error}"
    );
}

/// `show` works on a directory without a genesis (no genesis bootstrap) and reads one that
/// has it; every environment variable is a `BUREAU_*` one.
#[test]
fn show_reads_the_genesis_when_there_is_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let env = Environment::default();
    let settings = show(dir.path(), &RunFlags::default(), None, &env).expect("show");
    let bootstrap = |settings: &[Setting]| {
        let found = settings.iter().find(|setting| setting.name == "bootstrap");
        found.expect("bootstrap").clone()
    };
    assert_eq!(bootstrap(&settings).source, Source::Default);
    std::fs::write(NodeDir::new(dir.path()).genesis(), genesis().to_bytes()).expect("genesis");
    let settings = show(dir.path(), &RunFlags::default(), None, &env).expect("show");
    assert_eq!(bootstrap(&settings).source, Source::Genesis { also: None });
    assert!(
        KEYS.iter()
            .all(|key| key.variable.starts_with(ENVIRONMENT_PREFIX))
    );
}

/// The API leaves loopback only on the operator's explicit word, from any source.
#[test]
fn an_api_address_other_hosts_reach_needs_api_insecure() {
    let dir = dir_with("");
    let none = Environment::default();
    let open = RunFlags {
        api_listen: Some("0.0.0.0:9100".into()),
        ..RunFlags::default()
    };
    let error = load_error(dir.path(), &open, &none);
    assert!(error.contains("--api-insecure"), "{error}");
    assert!(error.contains("in clear"), "{error}");

    let accepted = RunFlags {
        api_insecure: true,
        ..open.clone()
    };
    let resolved = load(dir.path(), &accepted, None, &none);
    assert!(resolved.config.api_insecure);
    assert_eq!(setting(&resolved, "api_insecure").source, Source::Flag);

    let env: Environment = [("BUREAU_API_INSECURE", "true")].into_iter().collect();
    assert!(load(dir.path(), &open, None, &env).config.api_insecure);
    let from_file = dir_with("api_listen = \"192.0.2.1:9100\"\napi_insecure = true\n");
    assert!(
        load(from_file.path(), &RunFlags::default(), None, &none)
            .config
            .api_insecure
    );
    let loopback = load(dir.path(), &RunFlags::default(), None, &none).config;
    assert!(!loopback.api_insecure && loopback.api_listen.ip().is_loopback());
}

/// TLS lets the API leave loopback; its files are taken from the node directory when relative,
/// and a certificate without its key (or the reverse) is refused.
#[test]
fn an_api_served_over_tls_may_listen_on_any_address() {
    let dir = dir_with("api_listen = \"0.0.0.0:9100\"\napi_tls_cert = \"api-tls.crt\"\n");
    let none = Environment::default();
    let error = load_error(dir.path(), &RunFlags::default(), &none);
    assert!(error.contains("go together"), "{error}");
    let with_key = RunFlags {
        api_tls_key: Some("/etc/bureau/api.key".into()),
        ..RunFlags::default()
    };
    let resolved = load(dir.path(), &with_key, None, &none);
    let tls = resolved.config.api_tls.clone().expect("TLS");
    assert_eq!(tls.cert, dir.path().join("api-tls.crt"));
    assert_eq!(tls.key, std::path::PathBuf::from("/etc/bureau/api.key"));
    assert!(!resolved.config.api_insecure);
    assert_eq!(setting(&resolved, "api_tls_key").source, Source::Flag);
}
