//! The `key = value` items of an attribute, sorted before darling reads them: a stray
//! literal, an unknown key and a repeated one are reported here, in flyer's words (darling
//! would say "field"), and only the first item of each known key is handed on.

use darling::ast::NestedMeta;

use crate::error_store::ErrorSink;

pub(crate) struct Keys {
    /// The attribute's name, `endpoint`.
    pub(crate) attr: &'static str,
    pub(crate) known: &'static [&'static str],
    /// What to say of an item that is not `key = value`.
    pub(crate) not_keyed: fn(&Keys) -> String,
}

impl Keys {
    pub(crate) fn list(&self) -> String {
        self.known.join(", ")
    }

    pub(crate) fn contains(&self, key: &str) -> bool {
        self.known.contains(&key)
    }

    /// The items darling should read.
    pub(crate) fn sort(&self, items: Vec<NestedMeta>, sink: &ErrorSink) -> Vec<NestedMeta> {
        let mut seen: Vec<String> = Vec::new();
        let mut out = Vec::new();
        for item in items {
            let NestedMeta::Meta(meta) = &item else {
                sink.at(&item, (self.not_keyed)(self));
                continue;
            };
            let Some(key) = meta.path().get_ident().map(ToString::to_string) else {
                sink.at(meta.path(), format!("expected one of: {}", self.list()));
                continue;
            };
            if !self.contains(&key) {
                sink.at(
                    meta.path(),
                    format!(
                        "unknown key `{key}` in #[{}]; expected one of: {}",
                        self.attr,
                        self.list()
                    ),
                );
            } else if seen.contains(&key) {
                sink.at(meta.path(), format!("`{key}` is given twice"));
            } else {
                seen.push(key);
                out.push(item);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use darling::ast::NestedMeta;
    use quote::quote;

    use super::Keys;
    use crate::error_store::ErrorStore;

    #[test]
    fn sorts_items() {
        let keys = Keys {
            attr: "queued",
            known: &["limit", "timeout"],
            not_keyed: |k| format!("expected `key = value`, one of: {}", k.list()),
        };
        let items =
            NestedMeta::parse_meta_list(quote!(limit = 1, "x", wait = 2, limit = 3, a::b = 4))
                .unwrap();
        let store = ErrorStore::new();
        let kept = keys.sort(items, &store.sink());
        assert_eq!(kept.len(), 1);
        let errors = store.into_compile_errors().to_string();
        for msg in [
            "expected `key = value`, one of: limit, timeout",
            "unknown key `wait` in #[queued]; expected one of: limit, timeout",
            "`limit` is given twice",
            "expected one of: limit, timeout",
        ] {
            assert!(errors.contains(msg), "{msg} in {errors}");
        }
    }
}
