//! Durations as humantime writes them: `"10s"`, `"500ms"`, `"2m"`.

use darling::FromMeta;
use syn::{LitStr, Meta};

use super::{key, str_lit, value, wrong};

pub(crate) struct Duration {
    pub(crate) value: std::time::Duration,
    /// Where to point a judgement of the value.
    pub(crate) lit: LitStr,
}

impl FromMeta for Duration {
    fn from_meta(meta: &Meta) -> darling::Result<Self> {
        let key = key(meta);
        let Some(lit) = value(meta).and_then(str_lit) else {
            return Err(wrong(
                meta,
                format!("`{key}` takes a duration string: `{key} = \"10s\"`"),
            ));
        };
        match humantime::parse_duration(&lit.value()) {
            Ok(value) => Ok(Duration { value, lit }),
            Err(_) => Err(darling::Error::custom(format!(
                "`{}` is not a duration: write `{key} = \"10s\"` (or 500ms, 2m)",
                lit.value()
            ))
            .with_span(&lit)),
        }
    }
}

#[cfg(test)]
mod tests {
    use darling::FromMeta;
    use quote::quote;

    use super::super::meta;
    use super::Duration;

    #[test]
    fn durations() {
        let ms = |tokens| Duration::from_meta(&meta(tokens)).map(|d| d.value.as_millis());
        assert_eq!(ms(quote!(timeout = "10s")).unwrap(), 10_000);
        assert_eq!(ms(quote!(timeout = "500ms")).unwrap(), 500);
        assert_eq!(
            ms(quote!(timeout = "ten seconds"))
                .err()
                .unwrap()
                .to_string(),
            "`ten seconds` is not a duration: write `timeout = \"10s\"` (or 500ms, 2m)"
        );
        assert!(ms(quote!(timeout = 10)).is_err());
    }
}
