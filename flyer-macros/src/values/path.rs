//! The path template, the second item of `#[endpoint]`: `"/users/{id}"`.

use darling::FromMeta;
use syn::ext::IdentExt;
use syn::parse::Parser;
use syn::{Ident, Lit, LitStr, Meta};

/// A path as written, cut into its segments.
pub(crate) struct PathTemplate {
    pub(crate) lit: LitStr,
    segments: Vec<Segment>,
}

enum Segment {
    Literal(String),
    /// `{name}`, with any `r#` taken off the name.
    Param(String),
}

impl PathTemplate {
    /// The names of the `{name}` segments, in path order.
    pub(crate) fn params(&self) -> impl Iterator<Item = &str> {
        self.segments.iter().filter_map(|s| match s {
            Segment::Param(name) => Some(name.as_str()),
            Segment::Literal(_) => None,
        })
    }

    /// The path in poem-openapi's syntax, `/users/:id`.
    pub(crate) fn oai_path(&self) -> String {
        self.segments
            .iter()
            .map(|s| match s {
                Segment::Literal(text) => format!("/{text}"),
                Segment::Param(name) => format!("/:{name}"),
            })
            .collect()
    }

    fn parse(lit: &LitStr) -> darling::Result<Self> {
        let path = lit.value();
        let fail = |msg: String| darling::Error::custom(msg).with_span(lit);
        let Some(rest) = path.strip_prefix('/') else {
            return Err(fail(format!(
                "the path must start with `/`: write \"/{path}\""
            )));
        };
        let mut errors = darling::Error::accumulator();
        let mut segments = Vec::new();
        for segment in rest.split('/') {
            if let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                let name = name.strip_prefix("r#").unwrap_or(name);
                if Ident::parse_any.parse_str(name).is_err() {
                    errors.push(fail(format!(
                        "`{{{name}}}` is not a valid path parameter: write `{{name}}` with a Rust identifier"
                    )));
                }
                segments.push(Segment::Param(name.to_owned()));
            } else if segment.contains(['{', '}']) {
                errors.push(fail(format!(
                    "`{segment}`: a path parameter must be a whole segment, `/{{name}}`"
                )));
            } else if let Some(name) = segment.strip_prefix(':') {
                errors.push(fail(format!(
                    "write path parameters as `{{{name}}}`, not `:{name}`"
                )));
            } else {
                segments.push(Segment::Literal(segment.to_owned()));
            }
        }
        errors.finish_with(PathTemplate {
            lit: lit.clone(),
            segments,
        })
    }
}

const STRING: &str = "expected the path as a string: `\"/users/{id}\"`";

impl FromMeta for PathTemplate {
    fn from_meta(meta: &Meta) -> darling::Result<Self> {
        let msg = match (meta, meta.path().get_ident()) {
            (Meta::Path(_), Some(ident)) => {
                format!("expected the path as a string: `\"/{ident}\"`")
            }
            _ => STRING.to_owned(),
        };
        Err(darling::Error::custom(msg).with_span(meta))
    }

    fn from_value(lit: &Lit) -> darling::Result<Self> {
        match lit {
            Lit::Str(s) => PathTemplate::parse(s),
            other => Err(darling::Error::custom(STRING).with_span(other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use darling::FromMeta;
    use syn::Lit;

    use super::PathTemplate;

    fn parse(path: &str) -> darling::Result<PathTemplate> {
        PathTemplate::from_value(&Lit::Str(syn::LitStr::new(
            path,
            proc_macro2::Span::call_site(),
        )))
    }

    fn messages(path: &str) -> Vec<String> {
        parse(path)
            .err()
            .unwrap()
            .into_iter()
            .map(|e| e.to_string())
            .collect()
    }

    #[test]
    fn segments() {
        let p = parse("/users/{id}/files/{r#type}").unwrap();
        assert_eq!(p.params().collect::<Vec<_>>(), ["id", "type"]);
        assert_eq!(p.oai_path(), "/users/:id/files/:type");
        assert_eq!(parse("/").unwrap().oai_path(), "/");
        assert_eq!(parse("/a/").unwrap().oai_path(), "/a/");
    }

    #[test]
    fn mistakes() {
        assert_eq!(
            messages("users"),
            ["the path must start with `/`: write \"/users\""]
        );
        assert_eq!(
            messages("/a/:id/{x"),
            [
                "write path parameters as `{id}`, not `:id`",
                "`{x`: a path parameter must be a whole segment, `/{name}`"
            ]
        );
        assert_eq!(
            messages("/{1x}"),
            ["`{1x}` is not a valid path parameter: write `{name}` with a Rust identifier"]
        );
    }
}
