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
        let report = audit::verify(&path)?;
        if as_json {
            output::json(&report);
        }
        if let Some(problem) = &report.problem {
            bail!(
                "the audit log is tampered with or damaged: {problem}; the {} lines before it verify",
                report.good_lines
            );
        }
        if !as_json {
            println!(
                "audit log intact: {} lines, head {} (keep this hash elsewhere to detect a rewrite)",
                report.good_lines, report.head.hash
            );
        }
        return Ok(());
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
