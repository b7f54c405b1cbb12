//! Storage quotas: how much one signing key's log may make every replica store, per database.
//!
//! What a member costs another node's disk is its log: every entry is kept (records, updates,
//! cancellations), and a record's entries also feed the indexes. So a quota counts, per log and
//! per [`Bucket`] (one per database, one for everything else), the entries held with their body
//! and their encoded bytes. An entry that would take its log past a quota is refused by every
//! replica ([`crate::validate::EntryError::OverQuota`]), and the author's own node refuses to
//! sign it, so an honest log never stalls on one.
//!
//! The verdict depends only on the author's log and the erasures that name its entries, never
//! on other members' logs: every replica reaches the same one. An erased body is refunded (it
//! no longer takes space), so erasing old entries is how a member makes room; until the
//! erasure arrives, a replica may refuse an entry that another accepts, and sync offers it again
//! (the refusal is retryable), so replicas converge.
//!
//! The limits live in the genesis ([`QuotaRule`]s: network-wide, or for one member), so every
//! replica of a network applies the same ones; [`DEFAULT_QUOTAS`] is what `bureau genesis`
//! writes unless told otherwise. Counted per key: a member has as many logs as the secretariat
//! admitted keys for it (normally one).

use serde::{Deserialize, Serialize};

use crate::entry::Body;
use crate::member::MemberCode;
use crate::record::Database;

/// Where an entry counts: the database of the record it writes, or `Other` (notices,
/// diffusions, blocks, erasures, certificates, revocations).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Bucket {
    Records(Database),
    Other,
}

impl Bucket {
    /// Every bucket, databases first.
    pub fn all() -> impl Iterator<Item = Bucket> {
        Database::ALL
            .into_iter()
            .map(Bucket::Records)
            .chain([Bucket::Other])
    }

    /// The bucket a body counts in.
    pub fn of(body: &Body) -> Bucket {
        match body {
            Body::Put(record) => Bucket::Records(record.key.database),
            Body::PutSealed(sealed) => Bucket::Records(sealed.key.database),
            Body::Cancel(cancel) => Bucket::Records(cancel.key.database),
            Body::CancelSealed(cancel) => Bucket::Records(cancel.key.database),
            Body::Admit(_)
            | Body::Revoke(_)
            | Body::Block(_)
            | Body::Notice(_)
            | Body::Diffusion(_)
            | Body::Erase(_)
            | Body::AuditWitness(_)
            | Body::CaseSealed(_)
            | Body::KeyWrap(_) => Bucket::Other,
        }
    }

    /// One byte that names the bucket in store keys.
    pub fn tag(&self) -> u8 {
        match self {
            Bucket::Records(database) => Database::ALL
                .iter()
                .position(|known| known == database)
                .map_or(0xfe, |position| position as u8),
            Bucket::Other => 0xff,
        }
    }

    /// The name used in flags, the status and the README: the database's, or `other`.
    pub fn name(&self) -> &'static str {
        match self {
            Bucket::Records(database) => database.name(),
            Bucket::Other => "other",
        }
    }
}

impl std::fmt::Display for Bucket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Bucket {
    type Err = String;
    fn from_str(text: &str) -> Result<Bucket, String> {
        if text == "other" {
            return Ok(Bucket::Other);
        }
        text.parse::<Database>().map(Bucket::Records).map_err(|_| {
            let names: Vec<_> = Bucket::all().map(|bucket| bucket.name()).collect();
            format!(
                "unknown quota bucket {text:?} (one of: {})",
                names.join(", ")
            )
        })
    }
}

/// An amount of log: entries held with their body, and their encoded bytes. Used both for a
/// limit and for what a log holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Amount {
    pub entries: u64,
    pub bytes: u64,
}

impl Amount {
    /// Whether one more entry of `bytes` still fits under `limit`.
    pub fn fits(&self, bytes: u64, limit: &Amount) -> bool {
        self.entries < limit.entries && self.bytes.saturating_add(bytes) <= limit.bytes
    }
}

/// One limit in a genesis: for one member, or (`member: None`) for every member without its
/// own rule for that bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotaRule {
    pub member: Option<MemberCode>,
    pub bucket: Bucket,
    pub limit: Amount,
}

const GIB: u64 = 1024 * 1024 * 1024;

/// The network-wide limits a new genesis gets, per signing key's log. Sized well above the
/// real network's largest national contributions (INTERPOL's SLTD holds about 90 million
/// documents from all members together), and so that one log's worst case (every bucket full)
/// stays under about 110 GiB on each replica. A network sets its own in the genesis
/// (`bureau genesis --quota`); changing these constants changes no existing network.
pub const DEFAULT_QUOTAS: [(Bucket, Amount); 11] = [
    (
        Bucket::Records(Database::TravelDocuments),
        quota(50_000_000, 32),
    ),
    (Bucket::Records(Database::Vehicles), quota(10_000_000, 8)),
    (Bucket::Records(Database::Persons), quota(5_000_000, 16)),
    (Bucket::Records(Database::Firearms), quota(5_000_000, 4)),
    (Bucket::Records(Database::WorksOfArt), quota(1_000_000, 4)),
    (Bucket::Records(Database::Vessels), quota(1_000_000, 1)),
    (
        Bucket::Records(Database::AdministrativeDocuments),
        quota(5_000_000, 4),
    ),
    (Bucket::Records(Database::Dna), quota(2_000_000, 4)),
    (Bucket::Records(Database::Fingerprints), quota(2_000_000, 2)),
    (Bucket::Records(Database::Faces), quota(2_000_000, 2)),
    (Bucket::Other, quota(5_000_000, 8)),
];

const fn quota(entries: u64, gib: u64) -> Amount {
    Amount {
        entries,
        bytes: gib * GIB,
    }
}

/// Most quota rules in one genesis (one per bucket for the network, plus members' own).
pub const MAX_QUOTA_RULES: usize = 1024;

/// The rules a new genesis gets unless told otherwise: [`DEFAULT_QUOTAS`], network-wide.
pub fn default_rules() -> Vec<QuotaRule> {
    DEFAULT_QUOTAS
        .iter()
        .map(|(bucket, limit)| QuotaRule {
            member: None,
            bucket: *bucket,
            limit: *limit,
        })
        .collect()
}

/// The limit for `member`'s logs in `bucket`: its own rule, else the network-wide one, else
/// none (a genesis that leaves a bucket out leaves it unlimited).
pub fn limit_for(rules: &[QuotaRule], member: MemberCode, bucket: Bucket) -> Option<Amount> {
    let own = rules
        .iter()
        .find(|rule| rule.bucket == bucket && rule.member == Some(member));
    own.or_else(|| {
        rules
            .iter()
            .find(|rule| rule.bucket == bucket && rule.member.is_none())
    })
    .map(|rule| rule.limit)
}

/// `rules` with `overrides` laid over them: an override replaces the rule for its member (or
/// for every member) and bucket, or is added.
pub fn overlay(mut rules: Vec<QuotaRule>, overrides: &[QuotaRule]) -> Vec<QuotaRule> {
    for rule in overrides {
        rules.retain(|held| (held.member, held.bucket) != (rule.member, rule.bucket));
        rules.push(*rule);
    }
    rules
}

impl std::str::FromStr for QuotaRule {
    type Err = String;
    /// `[MEMBER:]BUCKET=ENTRIES[/BYTES]`, e.g. `vehicles=2000000`, `DEU:sltd=60000000/40GiB`
    /// (bytes with an optional KiB, MiB, GiB or TiB suffix; without `/BYTES` the bytes
    /// limit is unchanged from the default for that bucket, or unlimited).
    fn from_str(text: &str) -> Result<QuotaRule, String> {
        let usage = "expected [MEMBER:]BUCKET=ENTRIES[/BYTES], e.g. DEU:vehicles=2000000/2GiB";
        let (target, amount) = text.split_once('=').ok_or(usage)?;
        let (member, bucket) = match target.split_once(':') {
            Some((member, bucket)) => (
                Some(member.parse::<MemberCode>().map_err(|e| format!("{e}"))?),
                bucket,
            ),
            None => (None, target),
        };
        let bucket: Bucket = bucket.parse()?;
        let (entries, bytes) = match amount.split_once('/') {
            Some((entries, bytes)) => (entries, Some(bytes)),
            None => (amount, None),
        };
        let entries = parse_count(entries).ok_or(usage)?;
        let bytes = match bytes {
            Some(bytes) => parse_bytes(bytes).ok_or(usage)?,
            None => DEFAULT_QUOTAS
                .iter()
                .find(|(known, _)| *known == bucket)
                .map_or(u64::MAX, |(_, limit)| limit.bytes),
        };
        Ok(QuotaRule {
            member,
            bucket,
            limit: Amount { entries, bytes },
        })
    }
}

fn parse_count(text: &str) -> Option<u64> {
    text.replace('_', "").parse().ok()
}

fn parse_bytes(text: &str) -> Option<u64> {
    let units = [
        ("TiB", 1u64 << 40),
        ("GiB", 1 << 30),
        ("MiB", 1 << 20),
        ("KiB", 1 << 10),
    ];
    for (suffix, unit) in units {
        if let Some(number) = text.strip_suffix(suffix) {
            return parse_count(number)?.checked_mul(unit);
        }
    }
    parse_count(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_members_own_rule_wins_over_the_network_wide_one() {
        let fra: MemberCode = "FRA".parse().expect("code");
        let deu: MemberCode = "DEU".parse().expect("code");
        let vehicles = Bucket::Records(Database::Vehicles);
        let mut rules = default_rules();
        rules.push(QuotaRule {
            member: Some(fra),
            bucket: vehicles,
            limit: Amount {
                entries: 3,
                bytes: 1000,
            },
        });
        assert_eq!(limit_for(&rules, fra, vehicles).map(|l| l.entries), Some(3));
        assert_eq!(
            limit_for(&rules, deu, vehicles).map(|l| l.entries),
            Some(10_000_000)
        );
        assert_eq!(limit_for(&[], deu, vehicles), None);
    }

    #[test]
    fn rules_parse_from_the_command_line_and_lay_over_the_defaults() {
        let rule: QuotaRule = "DEU:vehicles=2_000/3MiB".parse().expect("rule");
        assert_eq!(rule.member, Some("DEU".parse().expect("code")));
        assert_eq!(rule.bucket, Bucket::Records(Database::Vehicles));
        assert_eq!(rule.limit.entries, 2000);
        assert_eq!(rule.limit.bytes, 3 << 20);
        let everyone: QuotaRule = "other=10".parse().expect("rule");
        assert_eq!(everyone.member, None);
        assert_eq!(everyone.limit.bytes, 8 * GIB, "bytes stay the default's");
        for bad in [
            "vehicles",
            "cars=1",
            "DEU:vehicles=x",
            "vehicles=1/2PB",
            "D:sltd=1",
        ] {
            assert!(bad.parse::<QuotaRule>().is_err(), "{bad}");
        }
        let rules = overlay(default_rules(), &[rule, everyone]);
        assert_eq!(rules.len(), DEFAULT_QUOTAS.len() + 1);
        assert_eq!(
            limit_for(&rules, "FRA".parse().expect("code"), Bucket::Other).map(|l| l.entries),
            Some(10)
        );
    }

    #[test]
    fn an_amount_fits_until_either_limit_is_reached() {
        let limit = Amount {
            entries: 2,
            bytes: 100,
        };
        let held = Amount {
            entries: 1,
            bytes: 60,
        };
        assert!(held.fits(40, &limit));
        assert!(!held.fits(41, &limit));
        let full = Amount {
            entries: 2,
            bytes: 0,
        };
        assert!(!full.fits(1, &limit));
    }

    #[test]
    fn every_bucket_has_a_distinct_tag_and_a_name_that_parses_back() {
        let tags: std::collections::BTreeSet<u8> = Bucket::all().map(|b| b.tag()).collect();
        assert_eq!(tags.len(), Bucket::all().count());
        for bucket in Bucket::all() {
            assert_eq!(bucket.name().parse::<Bucket>(), Ok(bucket));
        }
        assert!("nothing".parse::<Bucket>().is_err());
    }
}
