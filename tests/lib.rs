//! Integration tests live in `all.rs` and its modules.
