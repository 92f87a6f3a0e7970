//! Erasure: filled in below.
