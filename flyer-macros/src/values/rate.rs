//! `#[rate_limit]`'s rate (`"100/s"`) and key (`"ip"`).

use darling::FromMeta;
use syn::Meta;

use super::{key, str_lit, value, wrong};

/// `count` requests per `period_ms`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Rate {
    pub(crate) count: u32,
    pub(crate) period_ms: u64,
}

impl Rate {
    /// `"100/s"`, `"5/m"`, `"1/h"`, `"10/2s"`: a count of at least 1 over a period longer
    /// than zero.
    fn parse(text: &str) -> Option<Rate> {
        let (count, per) = text.split_once('/')?;
        let count: u32 = count.trim().parse().ok().filter(|c| *c >= 1)?;
        let period_ms = match per.trim() {
            "s" | "sec" | "second" => 1_000,
            "m" | "min" | "minute" => 60_000,
            "h" | "hour" => 3_600_000,
            other => u64::try_from(humantime::parse_duration(other).ok()?.as_millis()).ok()?,
        };
        (period_ms > 0).then_some(Rate { count, period_ms })
    }
}

impl FromMeta for Rate {
    fn from_meta(meta: &Meta) -> darling::Result<Self> {
        let key = key(meta);
        let Some(lit) = value(meta).and_then(str_lit) else {
            return Err(wrong(
                meta,
                format!("`{key}` takes a string: `{key} = \"100/s\"`"),
            ));
        };
        Rate::parse(&lit.value()).ok_or_else(|| {
            darling::Error::custom(format!(
                "`{}` is not a rate: write `{key} = \"100/s\"` (per s, m or h; the count at least 1)",
                lit.value()
            ))
            .with_span(&lit)
        })
    }
}

/// Whom a rate limit counts.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum RateKey {
    Global,
    Ip,
    /// A header, by its lower-case name.
    Header(String),
}

impl RateKey {
    fn parse(text: &str) -> Option<RateKey> {
        match text {
            "global" => Some(RateKey::Global),
            "ip" => Some(RateKey::Ip),
            _ => {
                let name = text.strip_prefix("header:")?;
                // What poem accepts as a header name.
                let valid = !name.is_empty()
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'));
                valid.then(|| RateKey::Header(name.to_ascii_lowercase()))
            }
        }
    }
}

impl FromMeta for RateKey {
    fn from_meta(meta: &Meta) -> darling::Result<Self> {
        let key = key(meta);
        let Some(lit) = value(meta).and_then(str_lit) else {
            return Err(wrong(
                meta,
                format!("`{key}` takes a string: \"global\", \"ip\" or \"header:Name\""),
            ));
        };
        RateKey::parse(&lit.value()).ok_or_else(|| {
            darling::Error::custom(format!(
                "`{}` is not a key: write \"global\", \"ip\" or \"header:X-Api-Key\"",
                lit.value()
            ))
            .with_span(&lit)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{Rate, RateKey};

    #[test]
    fn rates() {
        let rate = |count, period_ms| Some(Rate { count, period_ms });
        assert_eq!(Rate::parse("100/s"), rate(100, 1000));
        assert_eq!(Rate::parse("5/m"), rate(5, 60_000));
        assert_eq!(Rate::parse("1/h"), rate(1, 3_600_000));
        assert_eq!(Rate::parse("10/2s"), rate(10, 2000));
        assert_eq!(Rate::parse("0/s"), None);
        assert_eq!(Rate::parse("1/0s"), None);
        assert_eq!(Rate::parse("fast"), None);
    }

    #[test]
    fn keys() {
        assert_eq!(RateKey::parse("global"), Some(RateKey::Global));
        assert_eq!(RateKey::parse("ip"), Some(RateKey::Ip));
        assert_eq!(
            RateKey::parse("header:X-Api-Key"),
            Some(RateKey::Header("x-api-key".to_owned()))
        );
        assert_eq!(RateKey::parse("header:"), None);
        assert_eq!(RateKey::parse("header:a b"), None);
        assert_eq!(RateKey::parse("user"), None);
    }
}
