//! Every environment variable flyer reads, its default and its meaning, in one place.
//!
//! Names are Flyer's (`flyer_port`, ...); the upper-case form (`FLYER_PORT`) is read
//! too, the lower-case one winning when both are set. A bad value is an error naming the
//! variable, the value and what was expected.

use std::fmt;
use std::net::IpAddr;

/// One setting: its variable, its default, and what it means.
pub struct Var {
    /// The variable's name (lower case; the upper-case form is read too).
    pub name: &'static str,
    /// The value used when the variable is unset.
    pub default: &'static str,
    /// What it sets.
    pub meaning: &'static str,
}

/// Every variable, in the order `config` prints them.
pub const VARS: &[Var] = &[
    Var {
        name: "flyer_host",
        default: "0.0.0.0",
        meaning: "IP address to listen on",
    },
    Var {
        name: "flyer_port",
        default: "8080",
        meaning: "TCP port to listen on (0 picks a free one)",
    },
    Var {
        name: "flyer_base_url",
        default: "/flyer",
        meaning: "path every route lives under, before the version",
    },
    Var {
        name: "flyer_version",
        default: "v1",
        meaning: "API version segment: routes live under {flyer_base_url}/{flyer_version}",
    },
];

/// The effective configuration.
#[derive(Clone, Debug)]
pub struct Config {
    /// `flyer_host`.
    pub host: IpAddr,
    /// `flyer_port`.
    pub port: u16,
    /// `flyer_base_url`, normalised: empty or `/segment...`, no trailing `/`.
    pub base_url: String,
    /// `flyer_version`.
    pub version: String,
}

/// A variable with a value flyer cannot use.
#[derive(Debug)]
pub struct ConfigError {
    /// The variable.
    pub var: &'static str,
    /// The value it had.
    pub value: String,
    /// What it should have been.
    pub expected: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid {}={:?}: expected {}",
            self.var, self.value, self.expected
        )
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| {
            std::env::var(name)
                .ok()
                .or_else(|| std::env::var(name.to_ascii_uppercase()).ok())
        })
    }

    /// Reads settings through `get`, which is asked for each lower-case name.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let value = |name: &'static str| -> (&'static str, String) {
            let default = VARS
                .iter()
                .find(|v| v.name == name)
                .map_or("", |v| v.default);
            (name, get(name).unwrap_or_else(|| default.to_owned()))
        };
        let bad = |(var, value): (&'static str, String), expected: &str| ConfigError {
            var,
            value,
            expected: expected.to_owned(),
        };

        let host = value("flyer_host");
        let host = host
            .1
            .trim()
            .parse()
            .map_err(|_| bad(host, "an IP address such as 0.0.0.0 or 127.0.0.1"))?;
        let port = value("flyer_port");
        let port = port
            .1
            .trim()
            .parse()
            .map_err(|_| bad(port, "a port number from 0 to 65535"))?;
        let base = value("flyer_base_url");
        let base_url = normalise_segments(&base.1).ok_or_else(|| {
            bad(
                base,
                "a path such as /flyer (letters, digits, - _ . ~ and /)",
            )
        })?;
        let version = value("flyer_version");
        let version_norm = normalise_segments(&version.1)
            .filter(|v| v.matches('/').count() <= 1)
            .ok_or_else(|| bad(version.clone(), "one path segment such as v1"))?;
        Ok(Config {
            host,
            port,
            base_url,
            version: version_norm.trim_start_matches('/').to_owned(),
        })
    }

    /// `{flyer_base_url}/{flyer_version}`: where every route lives (`/flyer/v1`).
    pub fn prefix(&self) -> String {
        if self.version.is_empty() {
            self.base_url.clone()
        } else {
            format!("{}/{}", self.base_url, self.version)
        }
    }
}

/// `flyer/` → `/flyer`; `` → ``; `None` when a character is not allowed in a path.
fn normalise_segments(raw: &str) -> Option<String> {
    let trimmed = raw.trim().trim_matches('/');
    if trimmed.is_empty() {
        return Some(String::new());
    }
    let ok = trimmed.split('/').all(|seg| {
        !seg.is_empty()
            && seg
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~'))
    });
    ok.then(|| format!("/{trimmed}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        Config::from_lookup(|n| {
            vars.iter()
                .find(|(k, _)| *k == n)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn defaults() {
        let c = with(&[]).unwrap();
        assert_eq!(c.port, 8080);
        assert_eq!(c.prefix(), "/flyer/v1");
    }

    #[test]
    fn normalises_and_rejects() {
        let c = with(&[("flyer_base_url", "api/"), ("flyer_version", "v2")]).unwrap();
        assert_eq!(c.prefix(), "/api/v2");
        let e = with(&[("flyer_port", "80a")]).unwrap_err();
        assert_eq!(e.var, "flyer_port");
        assert!(e.to_string().contains("\"80a\""), "{e}");
        assert!(with(&[("flyer_base_url", "/a b")]).is_err());
        assert!(with(&[("flyer_version", "v1/x")]).is_err());
        assert!(with(&[("flyer_host", "nowhere")]).is_err());
    }
}
