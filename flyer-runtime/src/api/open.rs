//! The routes that answer without credentials, in one list: the probes, the docs and the
//! spec. The pipeline lets them through, the spec documents no security on them, and a
//! worker serves only the probes.

/// Operations (below the prefix) that answer without credentials: the probes.
pub(crate) const OPERATIONS: &[&str] = &["/health_check", "/ready"];

/// The name of the Basic auth security scheme in the spec.
pub(crate) const SCHEME: &str = "basicAuth";

/// Whether `path` (the full request path) answers without credentials: the probes, the
/// spec and the docs pages.
pub(crate) fn is_open(path: &str, prefix: &str) -> bool {
    let Some(rest) = path.strip_prefix(prefix) else {
        return false;
    };
    is_probe(rest)
        || rest == "/openapi.json"
        || ["/docs", "/redoc"].iter().any(|ui| {
            rest.strip_prefix(ui)
                .is_some_and(|r| r.is_empty() || r.starts_with('/'))
        })
}

/// Whether `rest` (a path below the prefix) is a probe.
pub(crate) fn is_probe(rest: &str) -> bool {
    OPERATIONS.contains(&rest)
}

#[cfg(test)]
mod tests {
    #[test]
    fn open_paths() {
        assert!(super::is_open("/flyer/v1/health_check", "/flyer/v1"));
        assert!(super::is_open("/flyer/v1/ready", "/flyer/v1"));
        assert!(super::is_open("/flyer/v1/docs/", "/flyer/v1"));
        assert!(super::is_open("/flyer/v1/openapi.json", "/flyer/v1"));
        assert!(!super::is_open("/flyer/v1/docsx", "/flyer/v1"));
        assert!(!super::is_open("/flyer/v1/demo", "/flyer/v1"));
    }
}
