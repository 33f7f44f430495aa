//! Tests of the XLIFF reader.
