//! Operations on notices and diffusions.

use bureau_core::case::{Decision, Diffusion, Notice};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::paths::CasePath;
use crate::cases::{CaseDone, DiffusionDraft, NoticeDraft};
use crate::error::{Error, OrKind, Result};
use crate::operation::{Method, Operation};
use crate::service::Service;

impl Operation for NoticeDraft {
    type Answer = CaseDone;
    const NAME: &'static str = "request_notice";
    const SUMMARY: &'static str = "File a notice request about one of this member's person records";
    const METHOD: Method = Method::Post;
    const PATH: &'static str = "/v1/notices";

    async fn run(self, service: &Service) -> Result<CaseDone> {
        service
            .change(move |replica| {
                let (done, entry) = replica.request_notice(self)?;
                Ok((done, vec![entry]))
            })
            .await
    }
}

/// The notices this member may see.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct ListNotices {}

impl Operation for ListNotices {
    type Answer = Vec<Notice>;
    const NAME: &'static str = "list_notices";
    const SUMMARY: &'static str = "The notices this member may see";
    const METHOD: Method = Method::Get;
    const PATH: &'static str = "/v1/notices";

    async fn run(self, service: &Service) -> Result<Vec<Notice>> {
        service.blocking(|replica| replica.notices()).await
    }
}

/// One notice.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ShowNotice {
    #[serde(flatten)]
    pub notice: CasePath,
}

impl Operation for ShowNotice {
    type Answer = Notice;
    const NAME: &'static str = "show_notice";
    const SUMMARY: &'static str = "One notice";
    const METHOD: Method = Method::Get;
    const PATH: &'static str = "/v1/notices/{owner}/{id}";

    async fn run(self, service: &Service) -> Result<Notice> {
        let case = self.notice.case()?;
        service
            .blocking(move |replica| {
                replica
                    .notice(&case)?
                    .or_not_found(|| format!("no notice {case} visible here"))
            })
            .await
    }
}

/// The secretariat's review of a notice request.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ReviewNotice {
    #[serde(flatten)]
    pub notice: CasePath,
    /// publish, refuse or more-info.
    #[serde(default)]
    pub decision: Option<Decision>,
    #[serde(default)]
    pub reason: String,
}

impl Operation for ReviewNotice {
    type Answer = CaseDone;
    const NAME: &'static str = "review_notice";
    const SUMMARY: &'static str = "Review a notice request (secretariat only)";
    const METHOD: Method = Method::Post;
    const PATH: &'static str = "/v1/notices/{owner}/{id}/review";

    async fn run(self, service: &Service) -> Result<CaseDone> {
        let case = self.notice.case()?;
        let decision = self.decision.ok_or_else(|| {
            Error::invalid("a review needs a decision: publish, refuse or more-info")
        })?;
        service
            .change(move |replica| {
                let (done, entry) = replica.review_notice(&case, decision, &self.reason)?;
                Ok((done, vec![entry]))
            })
            .await
    }
}

/// Withdraws a notice (its requester, or the secretariat).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct CancelNotice {
    #[serde(flatten)]
    pub notice: CasePath,
    #[serde(default)]
    pub reason: String,
}

impl Operation for CancelNotice {
    type Answer = CaseDone;
    const NAME: &'static str = "cancel_notice";
    const SUMMARY: &'static str = "Withdraw a notice (its requester, or the secretariat)";
    const METHOD: Method = Method::Post;
    const PATH: &'static str = "/v1/notices/{owner}/{id}/cancel";

    async fn run(self, service: &Service) -> Result<CaseDone> {
        let case = self.notice.case()?;
        service
            .change(move |replica| {
                let (done, entry) = replica.cancel_notice(&case, &self.reason)?;
                Ok((done, vec![entry]))
            })
            .await
    }
}

impl Operation for DiffusionDraft {
    type Answer = CaseDone;
    const NAME: &'static str = "send_diffusion";
    const SUMMARY: &'static str = "Send a diffusion about one of this member's person records";
    const METHOD: Method = Method::Post;
    const PATH: &'static str = "/v1/diffusions";

    async fn run(self, service: &Service) -> Result<CaseDone> {
        service
            .change(move |replica| {
                let (done, entry) = replica.send_diffusion(self)?;
                Ok((done, vec![entry]))
            })
            .await
    }
}

/// The diffusions this member sent, received or reviews.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct ListDiffusions {}

impl Operation for ListDiffusions {
    type Answer = Vec<Diffusion>;
    const NAME: &'static str = "list_diffusions";
    const SUMMARY: &'static str = "The diffusions this member sent, received or reviews";
    const METHOD: Method = Method::Get;
    const PATH: &'static str = "/v1/diffusions";

    async fn run(self, service: &Service) -> Result<Vec<Diffusion>> {
        service.blocking(|replica| replica.diffusions()).await
    }
}

/// What the secretariat does to a diffusion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum DiffusionReview {
    /// Mark it as not compliant.
    Flag,
    /// Withdraw it.
    Withdraw,
}

/// The secretariat flags or withdraws a diffusion.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ReviewDiffusion {
    #[serde(flatten)]
    pub diffusion: CasePath,
    pub action: DiffusionReview,
    #[serde(default)]
    pub reason: String,
}

impl Operation for ReviewDiffusion {
    type Answer = CaseDone;
    const NAME: &'static str = "review_diffusion";
    const SUMMARY: &'static str = "Flag or withdraw a diffusion (secretariat only)";
    const METHOD: Method = Method::Post;
    const PATH: &'static str = "/v1/diffusions/{owner}/{id}/{action}";

    async fn run(self, service: &Service) -> Result<CaseDone> {
        let case = self.diffusion.case()?;
        let withdraw = self.action == DiffusionReview::Withdraw;
        service
            .change(move |replica| {
                let (done, entry) = replica.review_diffusion(&case, withdraw, &self.reason)?;
                Ok((done, vec![entry]))
            })
            .await
    }
}
