//! Operations on direct messages and hits.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::mail::{Hits, Mail, Message, SendMessage};
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

/// Every message this node sent and received.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct ListMail {}

impl Operation for ListMail {
    type Answer = Mail;
    const NAME: &'static str = "list_messages";
    const SUMMARY: &'static str = "Messages sent (with their delivery state) and received";
    const METHOD: Method = Method::Get;
    const PATH: &'static str = "/v1/messages";

    async fn run(self, service: &Service) -> Result<Mail> {
        service.blocking(|replica| replica.mail()).await
    }
}

/// Hits on this member's records, and those its searches caused.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct ListHits {}

impl Operation for ListHits {
    type Answer = Hits;
    const NAME: &'static str = "list_hits";
    const SUMMARY: &'static str =
        "Hits on this member's records and hits its searches caused, with answers";
    const METHOD: Method = Method::Get;
    const PATH: &'static str = "/v1/hits";

    async fn run(self, service: &Service) -> Result<Hits> {
        service.blocking(|replica| replica.hits()).await
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
