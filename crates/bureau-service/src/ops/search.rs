//! The search operation: one request for every shared database.

use crate::error::Result;
use crate::operation::{Method, Operation};
use crate::query::{SearchRequest, Searched};
use crate::service::Service;

impl Operation for SearchRequest {
    type Answer = Searched;
    const NAME: &'static str = "search";
    const SUMMARY: &'static str =
        "Search the replica by exact identifiers, name or DNA; hits are sent to the owners";
    const METHOD: Method = Method::Post;
    const PATH: &'static str = "/v1/search";

    async fn run(self, service: &Service) -> Result<Searched> {
        service.blocking(move |replica| replica.search(&self)).await
    }
}
