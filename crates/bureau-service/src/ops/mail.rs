//! Operations on direct messages and hits.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::mail::{Hits, Mail, Message, Page, SendMessage};
use crate::operation::{Method, Operation};
use crate::service::Service;

impl Operation for SendMessage {
    type Answer = Message;
    const NAME: &'static str = "send_message";
    const SUMMARY: &'static str =
        "Send a message to another bureau (kept in the outbox until it is acknowledged)";
    const METHOD: Method = Method::Post;
    const PATH: &'static str = "/v1/messages";

    async fn run(self, service: &Service) -> Result<Message> {
        service.blocking(|replica| replica.send_message(self)).await
    }
}

/// One page of a list, newest first, as the API's query parameters give it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct PageQuery {
    /// At most this many items of each list (default 100, at most 1000).
    #[serde(default, deserialize_with = "super::paths::optional_integer_or_text")]
    pub limit: Option<i64>,
    /// Only items kept before this time, in milliseconds since 1970 (the time of the oldest
    /// item of the previous page); the newest when absent.
    #[serde(default, deserialize_with = "super::paths::optional_integer_or_text")]
    pub before: Option<i64>,
}

impl PageQuery {
    fn page(&self) -> Result<Page> {
        let limit = self
            .limit
            .map(|limit| {
                usize::try_from(limit)
                    .map_err(|_| Error::invalid(format!("a limit of {limit} is out of range")))
            })
            .transpose()?;
        let before = self
            .before
            .map(|at| {
                u64::try_from(at)
                    .map(bureau_core::Timestamp)
                    .map_err(|_| Error::invalid(format!("{at} is not a time after 1970")))
            })
            .transpose()?;
        Ok(Page { before, limit })
    }
}

/// One page of the messages this node sent and received.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct ListMail {
    #[serde(flatten)]
    pub page: PageQuery,
}

impl Operation for ListMail {
    type Answer = Mail;
    const NAME: &'static str = "list_messages";
    const SUMMARY: &'static str =
        "Messages sent (with their delivery state) and received, newest first, a page at a time";
    const METHOD: Method = Method::Get;
    const PATH: &'static str = "/v1/messages";

    async fn run(self, service: &Service) -> Result<Mail> {
        let page = self.page.page()?;
        service.blocking(move |replica| replica.mail(page)).await
    }
}

/// One page of hits on this member's records, and of those its searches caused.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct ListHits {
    #[serde(flatten)]
    pub page: PageQuery,
}

impl Operation for ListHits {
    type Answer = Hits;
    const NAME: &'static str = "list_hits";
    const SUMMARY: &'static str =
        "Hits on this member's records and hits its searches caused, with answers";
    const METHOD: Method = Method::Get;
    const PATH: &'static str = "/v1/hits";

    async fn run(self, service: &Service) -> Result<Hits> {
        let page = self.page.page()?;
        service.blocking(move |replica| replica.hits(page)).await
    }
}

/// The owner's answer to a hit.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct AnswerHit {
    /// The hit's id, as `bureau hits` shows it.
    pub id: String,
    pub confirmed: bool,
    pub action: String,
}

impl Operation for AnswerHit {
    type Answer = Message;
    const NAME: &'static str = "answer_hit";
    const SUMMARY: &'static str = "Answer a hit on one of this member's records";
    const METHOD: Method = Method::Post;
    const PATH: &'static str = "/v1/hits/{id}/answer";

    async fn run(self, service: &Service) -> Result<Message> {
        service
            .blocking(move |replica| replica.answer_hit(&self.id, self.confirmed, &self.action))
            .await
    }
}
