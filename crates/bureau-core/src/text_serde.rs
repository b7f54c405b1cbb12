//! Serde glue for small value types that read as text in JSON and as compact fixed bytes in the
//! canonical binary encoding.
//!
//! A type opts in with [`text_or_binary!`]: it names a binary representation that is serde-ready
//! (`[u8; N]`, a tuple) and provides `Display`, `FromStr`, `From<&Type> for Binary` and
//! `TryFrom<Binary> for Type`. Human-readable formats (JSON, TOML) get the text; bincode gets the
//! bytes, so the wire format stays small and the API stays readable.
//!
//! Such a type also states its JSON Schema by hand with [`text_schema!`] (feature `schema`): a
//! derive would describe its fields or its binary form, not the text JSON carries.

macro_rules! text_or_binary {
    ($ty:ty, $binary:ty) => {
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                if serializer.is_human_readable() {
                    serializer.collect_str(self)
                } else {
                    serde::Serialize::serialize(&<$binary>::from(self), serializer)
                }
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                use serde::de::Error as _;
                if deserializer.is_human_readable() {
                    let text = <String as serde::Deserialize>::deserialize(deserializer)?;
                    text.parse().map_err(D::Error::custom)
                } else {
                    let binary = <$binary as serde::Deserialize>::deserialize(deserializer)?;
                    <$ty>::try_from(binary).map_err(D::Error::custom)
                }
            }
        }
    };
}

pub(crate) use text_or_binary;

/// The JSON Schema of a type [`text_or_binary!`] writes as text: its name in the API document and
/// a schema of the string (a pattern or format, and what it means). Only built with the `schema`
/// feature.
macro_rules! text_schema {
    ($ty:ty, $name:literal, $schema:tt) => {
        #[cfg(feature = "schema")]
        impl schemars::JsonSchema for $ty {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed($name)
            }

            fn schema_id() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(concat!(module_path!(), "::", $name))
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!($schema)
            }
        }
    };
}

pub(crate) use text_schema;
