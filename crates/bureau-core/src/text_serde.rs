//! Serde glue for small value types that read as text in JSON and as compact fixed bytes in the
//! canonical binary encoding.
//!
//! A type opts in with [`text_or_binary!`]: it names a binary representation that is serde-ready
//! (`[u8; N]`, a tuple) and provides `Display`, `FromStr`, `From<&Type> for Binary` and
//! `TryFrom<Binary> for Type`. Human-readable formats (JSON, TOML) get the text; bincode gets the
//! bytes, so the wire format stays small and the API stays readable.

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
