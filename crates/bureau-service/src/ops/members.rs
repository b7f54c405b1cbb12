//! Operations on membership: the members list, admission and revocation.

use bureau_core::{Body, Certificate, MemberCode};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::{Context, Result};
use crate::governance::MemberInfo;
use crate::operation::{Method, Operation};
use crate::service::Service;

/// The members this replica knows.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct ListMembers {}

impl Operation for ListMembers {
    type Answer = Vec<MemberInfo>;
    const NAME: &'static str = "list_members";
    const SUMMARY: &'static str = "The members this replica knows: roles, serials, status";
    const METHOD: Method = Method::Get;
    const PATH: &'static str = "/v1/members";

    async fn run(self, service: &Service) -> Result<Vec<MemberInfo>> {
        service.blocking(|replica| replica.members()).await
    }
}

/// A certificate to announce, as the hex of its file.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct AdmitMember {
    pub certificate: String,
    /// For a renewal: the serial of the key's certificate it renews. A key that already has a
    /// certificate is refused a second one otherwise.
    #[serde(default)]
    pub renews: Option<u64>,
}

impl AdmitMember {
    pub fn new(certificate: &Certificate, renews: Option<u64>) -> AdmitMember {
        AdmitMember {
            certificate: hex::encode(certificate.to_bytes()),
            renews,
        }
    }
}

/// What an admission or revocation published.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Announced {
    pub member: MemberCode,
    pub serials: Vec<u64>,
    pub entries: Vec<u64>,
}

impl Operation for AdmitMember {
    type Answer = Announced;
    const NAME: &'static str = "admit";
    const SUMMARY: &'static str = "Announce a member's certificate (secretariat only)";
    const METHOD: Method = Method::Post;
    const PATH: &'static str = "/v1/admit";

    async fn run(self, service: &Service) -> Result<Announced> {
        let bytes = hex::decode(self.certificate.trim()).context("certificate is not hex")?;
        let certificate = Certificate::from_bytes(&bytes).context("not a certificate")?;
        service
            .change(move |replica| {
                let (member, serial) = (certificate.member(), certificate.body.serial);
                let entry = replica.admit(certificate, self.renews)?;
                let done = Announced {
                    member,
                    serials: vec![serial],
                    entries: vec![entry.header.seq],
                };
                Ok((done, vec![entry]))
            })
            .await
    }
}

/// Revokes a member's node keys (every certificate of each), or only one key (key rotation).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct RevokeMember {
    pub member: MemberCode,
    /// Only the key holding this certificate; all the member's keys when absent.
    #[serde(default)]
    pub serial: Option<u64>,
    pub reason: String,
}

impl Operation for RevokeMember {
    type Answer = Announced;
    const NAME: &'static str = "revoke";
    const SUMMARY: &'static str = "Revoke a member's node keys (secretariat only)";
    const METHOD: Method = Method::Post;
    const PATH: &'static str = "/v1/revoke";

    async fn run(self, service: &Service) -> Result<Announced> {
        service
            .change(move |replica| {
                let entries = replica.revoke(self.member, self.serial, &self.reason)?;
                let serials = entries
                    .iter()
                    .filter_map(|entry| match &entry.body {
                        Some(Body::Revoke(revoke)) => Some(revoke.serial),
                        _ => None,
                    })
                    .collect();
                let done = Announced {
                    member: self.member,
                    serials,
                    entries: entries.iter().map(|entry| entry.header.seq).collect(),
                };
                Ok((done, entries))
            })
            .await
    }
}
