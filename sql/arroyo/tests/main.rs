//! Integration tests of the Arroyo plugin: the UDF definitions as Arroyo
//! parses them, and each built as its own dynamic library, loaded and called
//! through the Arrow C data interface as Arroyo's workers call it.

mod definitions;
mod plugin;
mod udfs;
