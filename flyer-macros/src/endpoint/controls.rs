//! `#[queued(...)]` and `#[rate_limit(...)]` under an `#[endpoint]`: parsed and checked
//! here, at compile time, into plain values the expansion writes as a static.

use darling::ast::NestedMeta;
use syn::{Attribute, Expr, Lit, Meta};

use crate::errors::Errors;

/// The keys of `#[queued]`.
pub const QUEUED_KEYS: &[&str] = &["limit", "timeout", "concurrency", "at_most_once"];
/// The keys of `#[rate_limit]`.
pub const RATE_LIMIT_KEYS: &[&str] = &["rate", "burst", "key"];

/// A validated `#[queued]`.
pub struct Queued {
    pub limit: u32,
    pub timeout_ms: Option<u64>,
    pub concurrency: Option<u32>,
    pub at_most_once: bool,
}

/// Whom a rate limit counts.
pub enum RateKey {
    Global,
    Ip,
    Header(String),
}

/// A validated `#[rate_limit]`.
pub struct RateLimit {
    /// Requests per `period_ms`.
    pub count: u32,
    pub period_ms: u64,
    pub burst: u32,
    pub key: RateKey,
}

/// Whether `attr` is `#[queued]` or `#[rate_limit]` (by its last path segment).
pub fn is_control(attr: &Attribute) -> bool {
    attr.path()
        .segments
        .last()
        .is_some_and(|s| s.ident == "queued" || s.ident == "rate_limit")
}

fn items(attr: &Attribute, errors: &mut Errors) -> Option<Vec<NestedMeta>> {
    match &attr.meta {
        Meta::List(list) => match NestedMeta::parse_meta_list(list.tokens.clone()) {
            Ok(items) => Some(items),
            Err(err) => {
                errors.at_span(err.span(), err);
                None
            }
        },
        _ => Some(Vec::new()),
    }
}

fn int(expr: &Expr) -> Option<u64> {
    match expr {
        Expr::Lit(syn::ExprLit {
            lit: Lit::Int(i), ..
        }) => i.base10_parse().ok(),
        _ => None,
    }
}

fn string(expr: &Expr) -> Option<syn::LitStr> {
    match expr {
        Expr::Lit(syn::ExprLit {
            lit: Lit::Str(s), ..
        }) => Some(s.clone()),
        _ => None,
    }
}

/// Walks `key = value` items, calling `each` for the known keys and reporting the rest.
fn keyed(
    attr_name: &str,
    keys: &[&str],
    items: Vec<NestedMeta>,
    errors: &mut Errors,
    mut each: impl FnMut(&str, &Meta, &mut Errors),
) {
    let mut seen: Vec<String> = Vec::new();
    for item in items {
        let NestedMeta::Meta(meta) = &item else {
            errors.at(
                &item,
                format!("expected `key = value`, one of: {}", keys.join(", ")),
            );
            continue;
        };
        let Some(key) = meta.path().get_ident().map(ToString::to_string) else {
            errors.at(meta.path(), format!("expected one of: {}", keys.join(", ")));
            continue;
        };
        if !keys.contains(&key.as_str()) {
            errors.at(
                meta.path(),
                format!(
                    "unknown key `{key}` in #[{attr_name}]; expected one of: {}",
                    keys.join(", ")
                ),
            );
            continue;
        }
        if seen.contains(&key) {
            errors.at(meta.path(), format!("`{key}` is given twice"));
            continue;
        }
        seen.push(key.clone());
        each(&key, meta, errors);
    }
}

fn value(meta: &Meta) -> Option<&Expr> {
    match meta {
        Meta::NameValue(nv) => Some(&nv.value),
        _ => None,
    }
}

/// Parses `#[queued(limit = N, timeout = "10s", concurrency = M, at_most_once)]`.
pub fn queued(attr: &Attribute, errors: &mut Errors) -> Option<Queued> {
    let items = items(attr, errors)?;
    let mut limit = None;
    let mut timeout_ms = None;
    let mut concurrency = None;
    let mut at_most_once = false;
    let mut ok = true;
    keyed(
        "queued",
        QUEUED_KEYS,
        items,
        errors,
        |key, meta, errors| match key {
            "limit" | "concurrency" => match value(meta).and_then(int) {
                Some(0) => {
                    errors.at(meta, format!("`{key}` must be at least 1"));
                    ok = false;
                }
                Some(n) if n <= u64::from(u32::MAX) => {
                    if key == "limit" {
                        limit = Some(n as u32);
                    } else {
                        concurrency = Some(n as u32);
                    }
                }
                _ => {
                    errors.at(meta, format!("`{key}` takes a whole number: `{key} = 10`"));
                    ok = false;
                }
            },
            "timeout" => match value(meta).and_then(string) {
                Some(lit) => match humantime::parse_duration(&lit.value()) {
                    Ok(d) if !d.is_zero() => timeout_ms = Some(d.as_millis() as u64),
                    _ => {
                        errors.at(
                            &lit,
                            format!(
                                "`{}` is not a duration: write `timeout = \"10s\"` (or 500ms, 2m)",
                                lit.value()
                            ),
                        );
                        ok = false;
                    }
                },
                None => {
                    errors.at(
                        meta,
                        "`timeout` takes a duration string: `timeout = \"10s\"`",
                    );
                    ok = false;
                }
            },
            _ => match meta {
                Meta::Path(_) => at_most_once = true,
                _ => {
                    errors.at(meta, "`at_most_once` is a flag: write it alone");
                    ok = false;
                }
            },
        },
    );
    if limit.is_none() && ok {
        errors.at(
            attr,
            "#[queued] needs `limit = N`: how many requests are admitted at once",
        );
        return None;
    }
    ok.then(|| Queued {
        limit: limit.unwrap_or(1),
        timeout_ms,
        concurrency,
        at_most_once,
    })
}

/// Parses `#[rate_limit(rate = "100/s", burst = 200, key = "ip")]`.
pub fn rate_limit(attr: &Attribute, errors: &mut Errors) -> Option<RateLimit> {
    let items = items(attr, errors)?;
    let mut rate = None;
    let mut burst = None;
    let mut key = RateKey::Global;
    let mut ok = true;
    keyed(
        "rate_limit",
        RATE_LIMIT_KEYS,
        items,
        errors,
        |k, meta, errors| match k {
            "rate" => match value(meta).and_then(string) {
                Some(lit) => match parse_rate(&lit.value()) {
                    Some(r) => rate = Some(r),
                    None => {
                        errors.at(
                        &lit,
                        format!(
                            "`{}` is not a rate: write `rate = \"100/s\"` (per s, m or h; the count at least 1)",
                            lit.value()
                        ),
                    );
                        ok = false;
                    }
                },
                None => {
                    errors.at(meta, "`rate` takes a string: `rate = \"100/s\"`");
                    ok = false;
                }
            },
            "burst" => match value(meta).and_then(int) {
                Some(n) if n >= 1 && n <= u64::from(u32::MAX) => burst = Some(n as u32),
                _ => {
                    errors.at(meta, "`burst` takes a whole number, at least 1");
                    ok = false;
                }
            },
            _ => match value(meta).and_then(string) {
                Some(lit) => match lit.value().as_str() {
                    "global" => key = RateKey::Global,
                    "ip" => key = RateKey::Ip,
                    v if v
                        .strip_prefix("header:")
                        .is_some_and(|h| !h.is_empty() && poem_header_name_ok(h)) =>
                    {
                        key = RateKey::Header(v["header:".len()..].to_ascii_lowercase())
                    }
                    other => {
                        errors.at(
                        &lit,
                        format!(
                            "`{other}` is not a key: write \"global\", \"ip\" or \"header:X-Api-Key\""
                        ),
                    );
                        ok = false;
                    }
                },
                None => {
                    errors.at(
                        meta,
                        "`key` takes a string: \"global\", \"ip\" or \"header:Name\"",
                    );
                    ok = false;
                }
            },
        },
    );
    let Some((count, period_ms)) = rate else {
        if ok {
            errors.at(attr, "#[rate_limit] needs `rate = \"N/s\"`");
        }
        return None;
    };
    ok.then(|| RateLimit {
        count,
        period_ms,
        burst: burst.unwrap_or(count),
        key,
    })
}

fn poem_header_name_ok(name: &str) -> bool {
    name.bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
}

/// `"100/s"` → (100, 1000 ms); `"5/m"`, `"1/h"`, `"10/2s"`.
fn parse_rate(text: &str) -> Option<(u32, u64)> {
    let (count, per) = text.split_once('/')?;
    let count: u32 = count.trim().parse().ok().filter(|c| *c >= 1)?;
    let per = per.trim();
    let period_ms = match per {
        "s" | "sec" | "second" => 1_000,
        "m" | "min" | "minute" => 60_000,
        "h" | "hour" => 3_600_000,
        other => humantime::parse_duration(other).ok()?.as_millis() as u64,
    };
    (period_ms > 0).then_some((count, period_ms))
}

/// `#[queued]` or `#[rate_limit]` on its own: written above `#[endpoint]`, it moves below
/// it (the endpoint reads it); with no `#[endpoint]`, it is an error.
pub fn standalone(
    name: &str,
    attr: proc_macro2::TokenStream,
    item: proc_macro2::TokenStream,
) -> proc_macro2::TokenStream {
    use quote::{format_ident, quote};
    let Ok(mut item) = syn::parse2::<crate::item_fn::ItemFn>(item.clone()) else {
        let err = syn::Error::new(
            proc_macro2::Span::call_site(),
            format!("#[{name}] goes on an #[endpoint] function"),
        );
        let mut out = err.to_compile_error();
        out.extend(item);
        return out;
    };
    let endpoint = item.attrs.iter().position(|a| {
        a.path()
            .segments
            .last()
            .is_some_and(|s| s.ident == "endpoint")
    });
    match endpoint {
        Some(i) => {
            let endpoint = item.attrs.remove(i);
            let ident = format_ident!("{}", name);
            quote! {
                #endpoint
                #[::flyer_runtime::#ident(#attr)]
                #item
            }
        }
        None => {
            let err = syn::Error::new(
                proc_macro2::Span::call_site(),
                format!(
                    "#[{name}] goes with #[endpoint]: write `#[endpoint(GET, \"/path\")]` on this function"
                ),
            );
            let mut out = err.to_compile_error();
            out.extend(quote!(#item));
            out
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn rates() {
        assert_eq!(super::parse_rate("100/s"), Some((100, 1000)));
        assert_eq!(super::parse_rate("5/m"), Some((5, 60_000)));
        assert_eq!(super::parse_rate("10/2s"), Some((10, 2000)));
        assert_eq!(super::parse_rate("0/s"), None);
        assert_eq!(super::parse_rate("fast"), None);
    }
}
