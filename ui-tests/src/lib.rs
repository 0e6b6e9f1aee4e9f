//! trybuild fixtures of flyer's macros; see tests/ui.rs and README.md.
