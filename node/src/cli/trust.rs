//! The offline trust commands: `genesis` (found a network), `init` (a node's keys and join
//! request), `admit` (the root-key holder signs a certificate), and `audit` (read or verify the
//! node's audit log). None of them needs a running node.

use std::path::Path;

use anyhow::{Result, bail};
use bureau_core::MemberCode;
use bureau_core::quota::{self, QuotaRule};
use bureau_service::{audit, trust};

use super::context::Context;
use crate::output;

/// `bureau genesis --name N [--bootstrap ADDR]... [--quota RULE]...`
pub fn genesis(
    context: &Context,
    name: &str,
    bootstrap: Vec<String>,
    quotas: &[QuotaRule],
) -> Result<()> {
    let quotas = quota::overlay(quota::default_rules(), quotas);
    let founded = trust::genesis(&context.node_dir().root, name, bootstrap, quotas)?;
    let answer = serde_json::json!({
        "network": founded.network,
        "genesis": founded.genesis,
        "root_key": founded.root_key,
    });
    context.print(&answer, |_| {
        println!("network {}", founded.network);
        println!("genesis  {}", founded.genesis.display());
        println!(
            "root key {} (keep it offline: it admits and revokes members)",
            founded.root_key.display()
        );
    })
}

/// `bureau init --member M --genesis FILE`
pub fn init(context: &Context, member: MemberCode, genesis: &Path) -> Result<()> {
    let dir = context.node_dir();
    let request = trust::init(&dir, member, genesis)?;
    let answer = serde_json::json!({
        "member": member,
        "dir": dir.root,
        "join_request": request,
        "certificate": dir.certificate(),
    });
    context.print(&answer, |_| {
        println!(
            "node key and join request written for {member} in {}",
            dir.root.display()
        );
        println!(
            "next: send {} to the root-key holder, who runs",
            request.display()
        );
        println!(
            "  bureau admit --root ROOT_KEY --genesis GENESIS {} --out {}",
            request.display(),
            dir.certificate().display()
        );
    })
}

/// `bureau admit --root KEY --genesis FILE REQUEST --out CERT`
pub fn admit(context: &Context, admission: &trust::Admission) -> Result<()> {
    let out = admission.out;
    let certificate = trust::admit(admission)?;
    let answer = serde_json::json!({
        "member": certificate.member(),
        "serial": certificate.body.serial,
        "node_key": certificate.node_key().to_string(),
        "certificate": out,
    });
    context.print(&answer, |_| {
        println!(
            "certificate {} for {} (key {}) written to {}",
            certificate.body.serial,
            certificate.member(),
            certificate.node_key().short(),
            out.display()
        );
    })
}

/// `bureau audit [--verify] [--tail N]`
pub fn audit(context: &Context, verify: bool, tail: usize) -> Result<()> {
    let as_json = context.json;
    let path = context.node_dir().audit_log();
    if verify {
        return verify_audit(context, &path);
    }
    let records = audit::tail(&path, tail)?;
    if as_json {
        output::json(&records);
        return Ok(());
    }
    let rows: Vec<Vec<String>> = records
        .iter()
        .map(|record| {
            vec![
                record.seq.to_string(),
                record.at_utc.clone(),
                record.actor.clone(),
                record.action.clone(),
                record.target.clone(),
                record.purpose.clone().unwrap_or_default(),
                record.results.map(|n| n.to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    output::table(
        &["SEQ", "AT", "WHO", "ACTION", "WHAT", "PURPOSE", "RESULTS"],
        &rows,
    );
    Ok(())
}

/// What `bureau audit --verify --json` prints.
#[derive(serde::Serialize)]
struct Verified {
    #[serde(flatten)]
    chain: audit::VerifyReport,
    /// The head the network last witnessed, as the node's replica holds it.
    witnessed: Option<audit::AuditState>,
    /// How the file falls short of it.
    rolled_back: Option<String>,
}

/// `bureau audit --verify`: the whole chain, then the file against the head the network
/// witnessed (asked of the running node, or read from the replica).
fn verify_audit(context: &Context, path: &std::path::Path) -> Result<()> {
    let chain = audit::verify(path)?;
    let witnessed = match context
        .backend()
        .and_then(|backend| Ok(backend.call(bureau_service::ops::GetStatus {})?))
    {
        Ok(status) => Some(status.replica.audit),
        Err(error) => {
            eprintln!(
                "warning: the witnessed head is unknown, only the chain is checked: {error:#}"
            );
            None
        }
    };
    let rolled_back = match witnessed.as_ref().and_then(audit::AuditState::witnessed) {
        Some(witness) => audit::check_witness(path, &witness)?.map(|rollback| rollback.to_string()),
        None => None,
    };
    let verified = Verified {
        chain,
        witnessed,
        rolled_back,
    };
    if context.json {
        output::json(&verified);
    }
    let chain = &verified.chain;
    if let Some(problem) = &chain.problem {
        bail!(
            "the audit log is tampered with or damaged: {problem}; the {} lines before it verify",
            chain.good_lines
        );
    }
    if let Some(rolled_back) = &verified.rolled_back {
        bail!("the audit log was rolled back: {rolled_back}");
    }
    if !context.json {
        let witnessed = verified
            .witnessed
            .as_ref()
            .and_then(audit::AuditState::witnessed);
        match witnessed {
            Some(witness) => println!(
                "audit log intact: {} lines, head {}; it holds the {} lines the network witnessed",
                chain.good_lines, chain.head.hash, witness.seq
            ),
            None => println!(
                "audit log intact: {} lines, head {} (no head witnessed by the network yet: keep this hash elsewhere to detect a rewrite)",
                chain.good_lines, chain.head.hash
            ),
        }
    }
    Ok(())
}

/// How `bureau audit --witness` shows the head the network now holds.
fn print_witnessed(state: &audit::AuditState) {
    match state.witnessed() {
        Some(witness) => println!(
            "audit log witnessed: {} lines, {} bytes, head {} (signed into this node's log)",
            witness.seq, witness.len, witness.hash
        ),
        None => println!("the audit log is empty: nothing to witness"),
    }
}

/// `bureau audit --witness`
pub fn witness_audit(context: &Context) -> Result<()> {
    let state = context
        .backend()?
        .call(bureau_service::ops::WitnessAudit {})?;
    context.print(&state, print_witnessed)
}
