//! The machinery of the variable table: a [`Var`] says what a variable is, a [`Setting`]
//! adds the parser of its value, and [`Reader`] reads every setting of a group, keeping
//! going after a bad value so that all of them are reported at once.

use super::{ConfigError, Source};

/// One environment variable: its name, its default and what it means.
#[derive(Debug)]
pub struct Var {
    /// The variable's name (lower case; the upper-case form is read too).
    pub name: &'static str,
    /// The value used when the variable is unset (empty: unset).
    pub default: &'static str,
    /// What it sets.
    pub meaning: &'static str,
    /// Whether its value is a secret, never printed.
    pub secret: bool,
}

/// A variable that is not a secret.
pub(super) const fn var(name: &'static str, default: &'static str, meaning: &'static str) -> Var {
    Var {
        name,
        default,
        meaning,
        secret: false,
    }
}

/// A variable whose value is never printed; its default is always unset.
pub(super) const fn secret(name: &'static str, meaning: &'static str) -> Var {
    Var {
        name,
        default: "",
        meaning,
        secret: true,
    }
}

impl Var {
    /// This variable, read with `parse`; `expected` says what a good value looks like.
    pub(super) const fn parsed<T>(
        self,
        expected: &'static str,
        parse: fn(&str) -> Option<T>,
    ) -> Setting<T> {
        Setting {
            var: self,
            expected,
            parse,
        }
    }
}

/// A variable and the parser of its value: one row of the table.
pub(crate) struct Setting<T> {
    pub(super) var: Var,
    expected: &'static str,
    parse: fn(&str) -> Option<T>,
}

/// Declares a group's settings, each once, and `VARS`, the list of their variables.
macro_rules! settings {
    ($($(#[$meta:meta])* $konst:ident: $ty:ty = $setting:expr;)*) => {
        $($(#[$meta])* pub(super) const $konst: $crate::config::vars::Setting<$ty> = $setting;)*
        /// This group's variables, in the order `config` prints them.
        pub(super) const VARS: &[&$crate::config::vars::Var] = &[$(&$konst.var),*];
    };
}
pub(super) use settings;

/// Where `Reader` finds a raw value.
pub(super) type Lookup<'a> = &'a dyn Fn(&str) -> Option<(String, Source)>;

/// Reads settings, recording each raw value (secrets redacted) and every bad one.
pub(super) struct Reader<'a> {
    lookup: Lookup<'a>,
    pub(super) raw: Vec<(&'static Var, String, Source)>,
    pub(super) errors: Vec<ConfigError>,
}

impl<'a> Reader<'a> {
    pub(super) fn new(lookup: Lookup<'a>) -> Self {
        Reader {
            lookup,
            raw: Vec::new(),
            errors: Vec::new(),
        }
    }

    /// The raw value of `var` (trimmed), or its default.
    fn raw(&mut self, var: &'static Var) -> String {
        let (value, source) = (self.lookup)(var.name)
            .map(|(v, s)| (v.trim().to_owned(), s))
            .unwrap_or_else(|| (var.default.to_owned(), Source::Default));
        self.raw.push((var, shown(var, &value), source));
        value
    }

    /// The value of `setting`. A bad value is recorded, and the default stands in for it
    /// so that reading goes on and every other bad value is found too.
    pub(super) fn get<T>(&mut self, setting: &'static Setting<T>) -> T {
        let value = self.raw(&setting.var);
        match (setting.parse)(&value) {
            Some(parsed) => parsed,
            None => {
                self.fail(&setting.var, &value, setting.expected);
                (setting.parse)(setting.var.default)
                    .expect("every default parses (checked by a test)")
            }
        }
    }

    /// Records that `var` cannot have `value`: `expected` says what it should be.
    pub(super) fn fail(&mut self, var: &'static Var, value: &str, expected: impl Into<String>) {
        self.errors.push(ConfigError {
            var: var.name,
            value: shown(var, value),
            expected: expected.into(),
        });
    }

    /// Records a problem whose value is already fit to show (a URL with its password masked).
    #[cfg(feature = "sql")]
    pub(super) fn fail_shown(&mut self, var: &'static Var, shown: String, expected: String) {
        self.errors.push(ConfigError {
            var: var.name,
            value: shown,
            expected,
        });
    }
}

/// What may be printed of `value`: `***` for a secret that is set.
fn shown(var: &Var, value: &str) -> String {
    if var.secret && !value.is_empty() {
        "***".to_owned()
    } else {
        value.to_owned()
    }
}

/// How many variables `groups` have in all.
pub(super) const fn count(groups: &[&[&'static Var]]) -> usize {
    let (mut n, mut g) = (0, 0);
    while g < groups.len() {
        n += groups[g].len();
        g += 1;
    }
    n
}

/// The variables of several groups, in one list (what [`super::VARS`] is made of).
pub(super) const fn concat<const N: usize>(groups: &[&[&'static Var]]) -> [&'static Var; N] {
    let mut out: [&'static Var; N] = [&PLACEHOLDER; N];
    let (mut at, mut g) = (0, 0);
    while g < groups.len() {
        let mut i = 0;
        while i < groups[g].len() {
            out[at] = groups[g][i];
            at += 1;
            i += 1;
        }
        g += 1;
    }
    assert!(at == N, "N is the number of variables of every group");
    out
}

const PLACEHOLDER: Var = var("", "", "");
