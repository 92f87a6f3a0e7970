//! Export: filled in below.
