//! `bureau status`, `peers`, `members`, `admit-publish` and `revoke`: the node and the
//! membership as this replica knows them.

use std::path::Path;

use anyhow::{Context as _, Result};
use bureau_core::MemberCode;
use bureau_service::files;
use bureau_service::ops::{AdmitMember, GetStatus, ListMembers, ListPeers, RevokeMember};

use super::context::Context;
use crate::output;

/// `bureau status`
pub fn status(context: &Context) -> Result<()> {
    let status = context.backend()?.call(GetStatus {})?;
    let value = serde_json::to_value(&status)?;
    context.print(&status, |_| print_status(&value))
}

/// `bureau peers`
pub fn peers(context: &Context) -> Result<()> {
    let peers = context.backend()?.call(ListPeers {})?;
    let value = serde_json::to_value(&peers)?;
    context.print(&peers, |_| print_peers(&value))
}

/// `bureau members`
pub fn members(context: &Context) -> Result<()> {
    let members = context.backend()?.call(ListMembers {})?;
    context.print(&members, |members| {
        let rows: Vec<Vec<String>> = members
            .iter()
            .map(|member| {
                let roles: Vec<String> = member
                    .roles
                    .iter()
                    .map(|role| format!("{role:?}").to_lowercase())
                    .collect();
                vec![
                    member.member.to_string(),
                    roles.join(","),
                    member.serial.to_string(),
                    member.node_key.chars().take(8).collect(),
                    member.not_after.to_string(),
                    match member.forked_at {
                        Some(seq) => format!("{} at seq {seq}", member.status),
                        None => member.status.clone(),
                    },
                    member.revocation.clone().unwrap_or_default(),
                ]
            })
            .collect();
        output::table(
            &[
                "MEMBER",
                "ROLES",
                "SERIAL",
                "KEY",
                "VALID UNTIL",
                "STATUS",
                "REVOCATION",
            ],
            &rows,
        );
    })
}

/// `bureau admit-publish CERTIFICATE`
pub fn admit_publish(context: &Context, path: &Path, renew: Option<u64>) -> Result<()> {
    let bytes = files::read(path, "certificate", "the file `bureau admit` wrote")?;
    let certificate = bureau_core::Certificate::from_bytes(&bytes)
        .map_err(bureau_service::Error::from)
        .with_context(|| format!("{} is not a certificate", path.display()))?;
    let announced = context
        .backend()?
        .call(AdmitMember::new(&certificate, renew))?;
    context.print(&announced, |announced| {
        println!(
            "announced {} (certificate {}) to the network",
            announced.member, certificate.body.serial
        );
    })
}

/// `bureau revoke MEMBER [--serial N] --reason ...`
pub fn revoke(
    context: &Context,
    member: MemberCode,
    serial: Option<u64>,
    reason: String,
) -> Result<()> {
    let announced = context.backend()?.call(RevokeMember {
        member,
        serial,
        reason,
    })?;
    context.print(&announced, |announced| {
        let serials: Vec<String> = announced.serials.iter().map(ToString::to_string).collect();
        println!(
            "revoked {} (certificates {})",
            announced.member,
            serials.join(", ")
        );
    })
}

fn print_status(status: &serde_json::Value) {
    let fields = [
        "member",
        "ready",
        "not_ready",
        "synced",
        "revoked",
        "signing",
        "certificate_days_left",
        "node_key",
        "peer_id",
        "network",
        "digest",
        "entries",
        "records",
        "authors",
        "members_known",
        "peers",
        "members_connected",
        "pending",
        "pending_bytes",
        "store_bytes",
        "outbox",
    ];
    let rows: Vec<Vec<String>> = fields
        .iter()
        .filter(|field| !status[**field].is_null())
        .map(|field| {
            let value = &status[*field];
            let text = match (value["state"].as_str(), value["reason"].as_str()) {
                (Some(state), Some(reason)) => format!("{state}: {reason}"),
                (Some(state), None) => state.to_owned(),
                _ => value
                    .as_str()
                    .map_or_else(|| value.to_string(), str::to_owned),
            };
            vec![field.replace('_', " "), text]
        })
        .collect();
    output::table(&["FIELD", "VALUE"], &rows);
    if let Some(reach) = status["reach"].as_object() {
        let external: Vec<&str> = reach["external"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|address| address.as_str())
            .collect();
        println!(
            "reachability   {}{}{}",
            reach["reachability"].as_str().unwrap_or("unknown"),
            if external.is_empty() {
                String::new()
            } else {
                format!(" at {}", external.join(" "))
            },
            match reach["relays"].as_array().map(Vec::len) {
                Some(relays) if relays > 0 => format!(", reachable through {relays} relay(s)"),
                _ => String::new(),
            }
        );
    }
    for fork in status["forks"].as_array().into_iter().flatten() {
        println!(
            "fork           {} key {} forked at seq {}: its log is frozen before it",
            fork["member"].as_str().unwrap_or("unknown member"),
            fork["key"]
                .as_str()
                .unwrap_or_default()
                .chars()
                .take(16)
                .collect::<String>(),
            fork["seq"]
        );
    }
    for refusal in status["inbox_refusals"].as_array().into_iter().flatten() {
        println!(
            "inbox quota    {} past its quota today: {} messages refused",
            refusal["member"].as_str().unwrap_or("?"),
            refusal["refused"]
        );
    }
    for anomaly in status["anomalies"].as_array().into_iter().flatten() {
        println!(
            "anomaly        {}: {} identifiers with many of its records (last {}), {} hours over the entry limit, {} entries past its storage quota (last {})",
            anomaly["member"].as_str().unwrap_or("?"),
            anomaly["crowded_identifiers"],
            anomaly["last_crowded"].as_str().unwrap_or("-"),
            anomaly["busy_hours"],
            anomaly["over_quota"],
            anomaly["last_over_quota"].as_str().unwrap_or("-")
        );
    }
    for used in status["quota"].as_array().into_iter().flatten() {
        let of = |field: &str| {
            used[field]
                .as_u64()
                .map_or_else(|| "unlimited".to_owned(), |max| max.to_string())
        };
        println!(
            "quota          {}: {} of {} entries, {} of {} bytes",
            used["bucket"].as_str().unwrap_or("?"),
            used["entries"],
            of("max_entries"),
            used["bytes"],
            of("max_bytes")
        );
    }
    for warning in status["warnings"].as_array().into_iter().flatten() {
        println!("WARNING        {}", warning.as_str().unwrap_or_default());
    }
    if let Some(listen) = status["listen"].as_array() {
        for address in listen {
            println!("listen         {}", address.as_str().unwrap_or_default());
        }
    }
}

fn print_peers(peers: &serde_json::Value) {
    let rows: Vec<Vec<String>> = peers
        .as_array()
        .map(|peers| {
            peers
                .iter()
                .map(|peer| {
                    let text = |field: &str| peer[field].as_str().unwrap_or("-").to_owned();
                    vec![
                        text("member"),
                        text("peer_id"),
                        text("connection"),
                        text("direction"),
                        text("address"),
                        peer["connected_seconds"].to_string(),
                        format!("{:.1}", peer["gossip_score"].as_f64().unwrap_or_default()),
                    ]
                })
                .collect()
        })
        .unwrap_or_default();
    if rows.is_empty() {
        println!("no peers");
        return;
    }
    output::table(
        &[
            "MEMBER",
            "PEER",
            "HOW",
            "DIRECTION",
            "ADDRESS",
            "SECONDS",
            "SCORE",
        ],
        &rows,
    );
}
