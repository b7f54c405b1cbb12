//! The service's one error type. Every failure carries a [`ErrorKind`], decided here, once, where
//! the failure is understood; the HTTP status and the CLI's exit code are derived from the kind,
//! never from the message text.

use std::fmt::Display;

use serde::{Deserialize, Serialize};

/// What kind of failure an operation met: what the caller can do about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The request is malformed or breaks a rule of the data (fix the input).
    InvalidInput,
    /// No or wrong credentials (the API token).
    Unauthorised,
    /// The caller may not do this (a member acting on another's record, a secretariat-only act).
    Forbidden,
    /// What the request names does not exist here.
    NotFound,
    /// The HTTP method is not served on that path.
    MethodNotAllowed,
    /// The request clashes with the current state (already cancelled, already revoked).
    Conflict,
    /// The request is larger than a named limit.
    TooLarge,
    /// Too many requests: try again later.
    RateLimited,
    /// A needed part is not there: no node runs, the network task stopped, the store is locked.
    Unavailable,
    /// A fault of the node itself (disk, a bug): tell the operator.
    Internal,
}

impl ErrorKind {
    /// Every kind, in a stable order (documentation and tests).
    pub const ALL: [ErrorKind; 10] = [
        ErrorKind::InvalidInput,
        ErrorKind::Unauthorised,
        ErrorKind::Forbidden,
        ErrorKind::NotFound,
        ErrorKind::MethodNotAllowed,
        ErrorKind::Conflict,
        ErrorKind::TooLarge,
        ErrorKind::RateLimited,
        ErrorKind::Unavailable,
        ErrorKind::Internal,
    ];

    /// The kind's name on the wire (`not_found`).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidInput => "invalid_input",
            ErrorKind::Unauthorised => "unauthorised",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::NotFound => "not_found",
            ErrorKind::MethodNotAllowed => "method_not_allowed",
            ErrorKind::Conflict => "conflict",
            ErrorKind::TooLarge => "too_large",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::Unavailable => "unavailable",
            ErrorKind::Internal => "internal",
        }
    }

    /// The HTTP status that fits the kind.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorKind::InvalidInput => 400,
            ErrorKind::Unauthorised => 401,
            ErrorKind::Forbidden => 403,
            ErrorKind::NotFound => 404,
            ErrorKind::MethodNotAllowed => 405,
            ErrorKind::Conflict => 409,
            ErrorKind::TooLarge => 413,
            ErrorKind::RateLimited => 429,
            ErrorKind::Unavailable => 503,
            ErrorKind::Internal => 500,
        }
    }

    /// The kind an HTTP status stands for (a client reading an answer without a kind).
    pub fn from_http_status(status: u16) -> ErrorKind {
        match status {
            400 | 422 => ErrorKind::InvalidInput,
            401 => ErrorKind::Unauthorised,
            403 => ErrorKind::Forbidden,
            404 => ErrorKind::NotFound,
            405 => ErrorKind::MethodNotAllowed,
            409 => ErrorKind::Conflict,
            413 => ErrorKind::TooLarge,
            429 => ErrorKind::RateLimited,
            502..=504 => ErrorKind::Unavailable,
            _ => ErrorKind::Internal,
        }
    }
}

impl Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A failed operation: its kind and a message for a person (lowercase, says what to do).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[error("{message}")]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
        }
    }

    pub fn invalid(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::InvalidInput, message)
    }

    pub fn unauthorised(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Unauthorised, message)
    }

    pub fn forbidden(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Forbidden, message)
    }

    pub fn not_found(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::NotFound, message)
    }

    pub fn conflict(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Conflict, message)
    }

    pub fn unavailable(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Unavailable, message)
    }

    pub fn internal(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Internal, message)
    }

    /// The same error with `context` in front of its message, as in `cannot read x: why`.
    pub fn context(self, context: impl Display) -> Error {
        Error {
            kind: self.kind,
            message: format!("{context}: {}", self.message),
        }
    }
}

/// Returns early with an [`Error`] of the given kind: `fail!(NotFound, "no record {key}")`.
#[macro_export]
macro_rules! fail {
    ($kind:ident, $($message:tt)+) => {
        return Err($crate::Error::new($crate::ErrorKind::$kind, format!($($message)+)))
    };
}

/// Adds what was being done to an error, keeping its kind.
pub trait Context<T> {
    fn context(self, context: impl Display) -> Result<T>;
    fn with_context<D: Display>(self, context: impl FnOnce() -> D) -> Result<T>;
}

impl<T, E: Into<Error>> Context<T> for std::result::Result<T, E> {
    fn context(self, context: impl Display) -> Result<T> {
        self.map_err(|error| error.into().context(context))
    }

    fn with_context<D: Display>(self, context: impl FnOnce() -> D) -> Result<T> {
        self.map_err(|error| error.into().context(context()))
    }
}

/// Turns a missing value into an error of a given kind.
pub trait OrKind<T> {
    fn or_kind(self, kind: ErrorKind, message: impl FnOnce() -> String) -> Result<T>;
    fn or_not_found(self, message: impl FnOnce() -> String) -> Result<T>;
}

impl<T> OrKind<T> for Option<T> {
    fn or_kind(self, kind: ErrorKind, message: impl FnOnce() -> String) -> Result<T> {
        self.ok_or_else(|| Error::new(kind, message()))
    }

    fn or_not_found(self, message: impl FnOnce() -> String) -> Result<T> {
        self.or_kind(ErrorKind::NotFound, message)
    }
}

impl From<bureau_store::Error> for Error {
    fn from(error: bureau_store::Error) -> Error {
        let kind = match &error {
            bureau_store::Error::Locked { .. } => ErrorKind::Unavailable,
            bureau_store::Error::Certificate(_) | bureau_store::Error::Invalid(_) => {
                ErrorKind::InvalidInput
            }
            bureau_store::Error::WrongNetwork { .. }
            | bureau_store::Error::Corrupt { .. }
            | bureau_store::Error::Format { .. }
            | bureau_store::Error::Io { .. }
            | bureau_store::Error::Sled(_) => ErrorKind::Internal,
        };
        Error::new(kind, error.to_string())
    }
}

impl From<bureau_core::validate::EntryError> for Error {
    fn from(error: bureau_core::validate::EntryError) -> Error {
        use bureau_core::validate::EntryError;
        let kind = match &error {
            EntryError::NotOwner { .. }
            | EntryError::NotIssuingCountry { .. }
            | EntryError::SecretariatOnly { .. }
            | EntryError::Revoked { .. }
            | EntryError::NotCurrentMember { .. } => ErrorKind::Forbidden,
            EntryError::TooLarge { .. } => ErrorKind::TooLarge,
            EntryError::Fork { .. } | EntryError::OverQuota { .. } => ErrorKind::Conflict,
            _ => ErrorKind::InvalidInput,
        };
        Error::new(kind, error.to_string())
    }
}

impl From<bureau_net::Error> for Error {
    fn from(error: bureau_net::Error) -> Error {
        Error::unavailable(format!("the network: {error}"))
    }
}

impl From<std::io::Error> for Error {
    fn from(error: std::io::Error) -> Error {
        Error::internal(error.to_string())
    }
}

/// Errors of the data's own rules: the caller's input is wrong.
macro_rules! invalid_input_from {
    ($($error:ty),+ $(,)?) => {
        $(impl From<$error> for Error {
            fn from(error: $error) -> Error {
                Error::invalid(error.to_string())
            }
        })+
    };
}

invalid_input_from!(
    bureau_core::record::RecordError,
    bureau_core::schema::SchemaError,
    bureau_core::certificate::CertificateError,
    bureau_core::genesis::GenesisError,
    bureau_core::keys::KeyError,
    bureau_core::codec::DecodeError,
    bureau_core::time::DateError,
    bureau_core::member::CodeError,
    bureau_core::seal::SealError,
    bureau_core::entry::SealCaseError,
    bureau_core::hash::HexError,
    hex::FromHexError,
);

#[cfg(test)]
mod tests {
    use super::*;

    /// Every kind maps to its status and back, so an answer's kind survives a client that only
    /// sees the status.
    #[test]
    fn kinds_round_trip_through_http_status() {
        for kind in ErrorKind::ALL {
            assert_eq!(ErrorKind::from_http_status(kind.http_status()), kind);
            let json = serde_json::to_string(&kind).expect("kind serialises");
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
        }
    }

    /// Context keeps the kind and puts what was being done first.
    #[test]
    fn context_keeps_the_kind() {
        let failed: Result<()> = Err(Error::not_found("no such file"));
        let error = failed.context("cannot read x").expect_err("still an error");
        assert_eq!(error.kind, ErrorKind::NotFound);
        assert_eq!(error.message, "cannot read x: no such file");
    }
}
