//! The name-search evaluation: generated persons and the hand-written set published on one
//! replica, then searched by the queries officers would type, with recall@1 and recall@10 per
//! script and per kind of variant. `node/tests/it/names.rs` runs a quick version;
//! `scripts/name-eval.sh` runs it at a million persons with latencies and the index's size.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use bureau_core::record::Index;
use bureau_core::{Access, Database, Date, RecordData, RecordKey};
use bureau_gen::Generator;
use bureau_service::persons;
use bureau_service::query::DobFilter;
use bureau_service::records::Draft;
use bureau_service::replica::Replica;
use bureau_store::Store;

/// Variant queries per checked generated person.
pub const VARIANTS_EACH: usize = 3;
/// Persons published per batch (one signed entry each, applied together).
const PUBLISH_BATCH: usize = 1_000;
/// Scores closer than this are a tie (the same name and evidence give the same score; this only
/// absorbs float rounding).
const SCORE_TIE: f32 = 1e-4;
/// Slowest searches kept for the report.
const SLOWEST_KEPT: usize = 10;
/// Misses (not ranked first) kept for the report, so a run says what it missed.
const MAX_MISSES_KEPT: usize = 400;

/// How many queries found their person first, and within the first ten.
///
/// Two ranks are counted. The *strict* one is the person's position in the answer. At a
/// million persons many share a name (namesakes), and a query that gives only the name, or the
/// name and a birth year, cannot tell them apart: any order among them is as right as another,
/// and one spelled as the query is rightly shown before one spelled otherwise. So the main rank
/// counts only the persons shown before the one wanted that the query tells apart from it: a
/// person scoring the same (its score is computed directly, [`persons::score_of`]) or a
/// generated namesake (every name part the query names is one of its own, in whatever spelling:
/// [`bureau_gen::GeneratedPerson::answers`]; its date of birth passed the query's) is not
/// counted, and the wanted person is found at the rank where they start. A person the search
/// should have shown (its score beats a shown one, or the answer was not full) but did not is a
/// miss under both.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub queries: u32,
    pub first: u32,
    pub in_ten: u32,
    pub strict_first: u32,
    pub strict_in_ten: u32,
    /// Counted first although shown lower or not shown: only namesakes or equal scores were
    /// shown before it.
    pub behind_namesakes: u32,
    /// Not in the first ten because its score is below [`persons::MIN_NAME_SCORE`]: the name
    /// scoring does not see the variant as the name.
    pub unlike: u32,
    /// Not in the first ten although it should have been shown: the search did not read it
    /// (a key it does not share, or a budget cut).
    pub unread: u32,
    /// Not in the first ten because ten or more persons score strictly higher: the query
    /// fits them better (namesakes in another spelling, a typo that makes another's name).
    pub outscored: u32,
}

impl Tally {
    fn add(&mut self, rank: Result<usize, Miss>, strict: Option<usize>) {
        self.unlike += u32::from(rank == Err(Miss::Unlike));
        self.unread += u32::from(rank == Err(Miss::Unread));
        self.outscored += u32::from(rank.is_ok_and(|rank| rank >= 10));
        let rank = rank.ok();
        self.queries += 1;
        self.first += u32::from(rank == Some(0));
        self.in_ten += u32::from(rank.is_some_and(|rank| rank < 10));
        self.strict_first += u32::from(strict == Some(0));
        self.strict_in_ten += u32::from(strict.is_some_and(|rank| rank < 10));
        self.behind_namesakes += u32::from(rank == Some(0) && strict != Some(0));
    }

    fn share(&self, count: u32) -> f64 {
        f64::from(count) / f64::from(self.queries.max(1))
    }

    pub fn recall_at_1(&self) -> f64 {
        self.share(self.first)
    }

    pub fn recall_at_10(&self) -> f64 {
        self.share(self.in_ten)
    }
}

/// Why a person was not found at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Miss {
    Unlike,
    Unread,
}

/// What an evaluation measured.
#[derive(Debug, Clone, Default)]
pub struct Evaluation {
    pub overall: Tally,
    /// Per script: the culture's script for generated persons, the set's for hand-written ones.
    pub by_script: BTreeMap<String, Tally>,
    /// Per kind of change (`transliteration`, `script`, `typo`, ..., combinations joined by +).
    pub by_kind: BTreeMap<String, Tally>,
    /// Hand-written queries per transliteration system (`cantonese`, `wade-giles`, ...).
    pub by_system: BTreeMap<String, Tally>,
    /// Per date of birth given with the query: `full date`, `year`, `none`.
    pub by_dob: BTreeMap<String, Tally>,
    /// The slowest searches, slowest first, with their query.
    pub slowest: Vec<(Duration, String)>,
    /// Each query's search time, sorted.
    pub latencies: Vec<Duration>,
    /// Queries whose person was not ranked first, as readable lines.
    pub misses: Vec<String>,
}

/// Publishes `count` generated persons and the hand-written set, calling `progress` with the
/// number published so far after each batch.
pub fn publish(
    replica: &Replica,
    generator: &Generator,
    count: u64,
    mut progress: impl FnMut(u64),
) -> anyhow::Result<()> {
    let draft = |local_id: String, person| Draft {
        local_id,
        access: Access::All,
        review_date: None,
        data: RecordData::Person(person),
    };
    let handwritten = bureau_gen::handwritten()?;
    let generated = generator
        .persons(count)
        .map(|generated| draft(generated.id, generated.person));
    let written = handwritten
        .persons
        .into_iter()
        .map(|(id, person)| draft(id, person));
    let mut all = generated.chain(written).peekable();
    let mut published = 0;
    while all.peek().is_some() {
        let batch: Vec<Draft> = all.by_ref().take(PUBLISH_BATCH).collect();
        let (results, _) = replica.publish_batch(batch)?;
        for result in results {
            result.map_err(anyhow::Error::msg)?;
            published += 1;
        }
        progress(published);
    }
    Ok(())
}

/// One query and where its person should rank.
struct Case {
    script: String,
    kind: String,
    query: String,
    dob: Option<String>,
    person_id: String,
    /// The name parts a generated query names (none for hand-written ones).
    parts: Option<bureau_gen::QueryParts>,
}

/// Searches the variants of the first `checked` generated persons and every hand-written query
/// on the replica, which holds what [`publish`] published with the same generator.
pub fn evaluate(
    replica: &Replica,
    generator: &Generator,
    checked: u64,
    today: Date,
) -> anyhow::Result<Evaluation> {
    let mut cases: Vec<Case> = Vec::new();
    for person in generator.persons(checked) {
        for variant in generator.variants(&person, VARIANTS_EACH) {
            cases.push(Case {
                script: variant.script.to_owned(),
                kind: variant.kind.to_owned(),
                query: variant.query,
                dob: variant.dob,
                person_id: variant.person_id,
                parts: Some(variant.parts),
            });
        }
    }
    for query in bureau_gen::handwritten()?.queries {
        cases.push(Case {
            script: query.script.to_owned(),
            kind: query.kind.to_owned(),
            query: query.query.to_owned(),
            dob: query.dob.map(str::to_owned),
            person_id: query.person_id,
            parts: None,
        });
    }
    let store = &replica.store;
    let owner = replica.member();
    let mut evaluation = Evaluation::default();
    for case in cases {
        let dob = case
            .dob
            .as_deref()
            .map(|text| -> anyhow::Result<DobFilter> {
                Ok(DobFilter {
                    date: text.parse()?,
                    within_years: 0,
                })
            })
            .transpose()?;
        let evidence = persons::Evidence {
            dob: dob.as_ref(),
            ..Default::default()
        };
        let started = Instant::now();
        let found = persons::search(store, &case.query, evidence, today)?;
        let took = started.elapsed();
        evaluation.latencies.push(took);
        let dob_given = match case.dob.as_deref().map(str::len) {
            None => "none",
            Some(4) => "year",
            Some(_) => "full date",
        };
        evaluation.slowest.push((
            took,
            format!("{} [{}, dob {dob_given}]", case.query, case.kind),
        ));
        evaluation
            .slowest
            .sort_by_key(|slow| std::cmp::Reverse(slow.0));
        evaluation.slowest.truncate(SLOWEST_KEPT);
        let wanted = RecordKey::new(Database::Persons, owner, &case.person_id)?;
        let reference = wanted.to_string();
        let strict = found.results.iter().position(|f| f.reference == reference);
        let wanted_score =
            persons::score_of(store, &case.query, evidence, &wanted.to_bytes())?.unwrap_or(0.0);
        let namesake = |reference: &str| {
            let Some(parts) = &case.parts else {
                return false;
            };
            reference
                .parse::<RecordKey>()
                .ok()
                .filter(|key| key.owner == owner && key.database == Database::Persons)
                .and_then(|key| generator.person_by_id(&key.local_id))
                .is_some_and(|person| person.answers(parts))
        };
        let higher = found
            .results
            .iter()
            .filter(|f| f.score > wanted_score + SCORE_TIE && !namesake(&f.reference))
            .count();
        // Not shown although a shown person scores lower, or although nothing was left out.
        let outranked_by_lower = found
            .results
            .iter()
            .any(|f| f.score + SCORE_TIE < wanted_score);
        let rank = if wanted_score < persons::MIN_NAME_SCORE {
            Err(Miss::Unlike)
        } else if strict.is_none() && (outranked_by_lower || !found.truncated) {
            Err(Miss::Unread)
        } else {
            Ok(higher)
        };
        let (kind, system) = match case.kind.split_once('/') {
            Some((kind, system)) => (kind.to_owned(), Some(system.to_owned())),
            None => (case.kind.clone(), None),
        };
        evaluation.overall.add(rank, strict);
        evaluation
            .by_script
            .entry(case.script.clone())
            .or_default()
            .add(rank, strict);
        evaluation
            .by_kind
            .entry(kind)
            .or_default()
            .add(rank, strict);
        evaluation
            .by_dob
            .entry(dob_given.to_owned())
            .or_default()
            .add(rank, strict);
        if let Some(system) = system {
            evaluation
                .by_system
                .entry(system)
                .or_default()
                .add(rank, strict);
        }
        if rank != Ok(0) && evaluation.misses.len() < MAX_MISSES_KEPT {
            let best = found
                .results
                .first()
                .and_then(|f| f.candidate.as_ref())
                .map(crate::output::candidate_summary);
            let shown =
                |rank: Option<usize>| rank.map_or("none".to_owned(), |r| (r + 1).to_string());
            evaluation.misses.push(format!(
                "{} [{}, {}, dob {}] wanted {} (score {wanted_score:.3}), rank {} (strict {}); first: {} ({:.3})",
                case.query,
                case.script,
                case.kind,
                case.dob.as_deref().unwrap_or("-"),
                case.person_id,
                shown(rank.ok()),
                shown(strict),
                best.unwrap_or_else(|| "nothing".to_owned()),
                found.results.first().map_or(0.0, |f| f.score)
            ));
        }
    }
    evaluation.latencies.sort();
    Ok(evaluation)
}

impl Evaluation {
    /// The `p`-quantile of search time (0.5 for the median).
    pub fn latency(&self, p: f64) -> Duration {
        let last = self.latencies.len().saturating_sub(1);
        let index = ((last as f64) * p).round() as usize;
        self.latencies
            .get(index.min(last))
            .copied()
            .unwrap_or_default()
    }

    /// The smallest recall@10 of any script or kind, and which it is.
    pub fn weakest(&self) -> Option<(String, Tally)> {
        self.by_script
            .iter()
            .chain(&self.by_kind)
            .min_by(|a, b| a.1.recall_at_10().total_cmp(&b.1.recall_at_10()))
            .map(|(name, tally)| (name.clone(), *tally))
    }

    /// The report: overall, per script, per kind and per hand-written system, as Markdown.
    pub fn table(&self) -> String {
        let mut out = String::new();
        let mut section = |title: &str, rows: &mut dyn Iterator<Item = (&String, &Tally)>| {
            let _ = writeln!(
                out,
                "\n| {title} | queries | recall@1 | recall@10 | strict @1 | strict @10 | behind namesakes | unlike | unread | outscored |"
            );
            let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            for (name, tally) in rows {
                let _ = writeln!(
                    out,
                    "| {name} | {} | {:.3} | {:.3} | {:.3} | {:.3} | {} | {} | {} | {} |",
                    tally.queries,
                    tally.recall_at_1(),
                    tally.recall_at_10(),
                    tally.share(tally.strict_first),
                    tally.share(tally.strict_in_ten),
                    tally.behind_namesakes,
                    tally.unlike,
                    tally.unread,
                    tally.outscored
                );
            }
        };
        let overall = "overall".to_owned();
        section("all", &mut std::iter::once((&overall, &self.overall)));
        section("script", &mut self.by_script.iter());
        section("kind", &mut self.by_kind.iter());
        section("date of birth given", &mut self.by_dob.iter());
        section(
            "hand-written transliteration system",
            &mut self.by_system.iter(),
        );
        out
    }
}

/// The bytes per person of the name index (phonetic keys, pairs, candidates; keys and values).
pub fn name_index_bytes(store: &Store) -> anyhow::Result<Vec<(&'static str, u64, u64)>> {
    let mut sizes = Vec::new();
    for index in [Index::NamePhonetic, Index::NamePair, Index::NameCandidate] {
        let (entries, bytes) = store.index_footprint(index)?;
        sizes.push((index.name(), entries, bytes));
    }
    Ok(sizes)
}
