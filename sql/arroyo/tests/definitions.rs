//! The definitions in udfs/ read the way Arroyo's API reads a UDF before it
//! builds it (arroyo-udf-host 0.2's `ParsedUdfFile::try_parse`): one
//! function marked `#[udf]`, whose name becomes the SQL name and whose Rust
//! types become the SQL signature, and an optional `[dependencies]` comment.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use arroyo_udf_common::parse::{NullableType, ParsedUdf};
use arroyo_udf_plugin::arrow::datatypes::DataType;
use steamflow_arroyo_udf::UDFS;
use syn::{FnArg, Item, ItemFn, Pat};

use crate::plugin::crate_dir;

fn definition_path(name: &str) -> PathBuf {
    crate_dir().join("udfs").join(format!("{name}.rs"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// The functions of a file annotated `#[udf]`, as Arroyo finds them.
fn udf_functions(file: &syn::File) -> Vec<&ItemFn> {
    file.items
        .iter()
        .filter_map(|item| match item {
            Item::Fn(function) => Some(function),
            _ => None,
        })
        .filter(|f| {
            f.attrs
                .iter()
                .any(|a| a.path().segments.last().is_some_and(|s| s.ident == "udf"))
        })
        .collect()
}

fn parameter_names(function: &ItemFn) -> Vec<String> {
    function
        .sig
        .inputs
        .iter()
        .map(|arg| match arg {
            FnArg::Typed(typed) => match &*typed.pat {
                Pat::Ident(ident) => ident.ident.to_string(),
                _ => panic!("a UDF parameter is not a plain name"),
            },
            FnArg::Receiver(_) => panic!("a UDF takes no self"),
        })
        .collect()
}

#[test]
fn every_definition_parses_as_arroyo_parses_it() {
    // arroyo-udf-host 0.2, `parse_dependencies`.
    let dependencies = regex::Regex::new(r"/\*\n(\[dependencies]\n[\s\S]*?)\*/").expect("regex");
    for udf in UDFS {
        let path = definition_path(udf.name);
        let source = read(&path);
        let deps = dependencies
            .captures(&source)
            .and_then(|c| c.get(1))
            .unwrap_or_else(|| panic!("{}: no [dependencies] comment", path.display()));
        assert!(
            deps.as_str().contains("steamflow-arroyo-udf = "),
            "{}: the dependencies do not name steamflow-arroyo-udf",
            path.display()
        );

        let file = syn::parse_file(&source)
            .unwrap_or_else(|e| panic!("{}: not Rust: {e}", path.display()));
        let functions = udf_functions(&file);
        assert_eq!(
            functions.len(),
            1,
            "{}: one #[udf] function",
            path.display()
        );
        let function = functions[0];
        let parsed = ParsedUdf::try_parse(function)
            .unwrap_or_else(|e| panic!("{}: Arroyo would refuse it: {e}", path.display()));

        assert_eq!(parsed.name, udf.name);
        assert!(!parsed.udf_type.is_async(), "{}", udf.name);
        assert_eq!(parsed.vec_arguments, 0, "{} is a scalar UDF", udf.name);
        // Non-null DOUBLE arguments: a NULL argument gives NULL without a call.
        let double = NullableType::not_null(DataType::Float64);
        assert_eq!(
            parsed.args,
            vec![double; udf.arguments.len()],
            "{}",
            udf.name
        );
        // A nullable DOUBLE result: NULL for out-of-range input.
        assert_eq!(
            parsed.ret_type,
            NullableType::null(DataType::Float64),
            "{}",
            udf.name
        );
        let names: Vec<_> = udf.arguments.iter().map(|a| a.name.to_owned()).collect();
        assert_eq!(parameter_names(function), names, "{}", udf.name);
    }
}

#[test]
fn every_definition_is_catalogued_and_built() {
    let catalogued: BTreeSet<_> = UDFS.iter().map(|u| u.name.to_owned()).collect();
    assert_eq!(catalogued.len(), UDFS.len(), "a UDF is catalogued twice");

    let files: BTreeSet<_> = std::fs::read_dir(crate_dir().join("udfs"))
        .expect("udfs/")
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect();
    assert_eq!(files, catalogued, "udfs/*.rs and the catalogue differ");

    let manifest = read(&crate_dir().join("Cargo.toml"));
    for name in &catalogued {
        let entry = format!(
            "[[example]]\nname = \"{name}\"\npath = \"udfs/{name}.rs\"\ncrate-type = [\"cdylib\"]\n"
        );
        assert!(
            manifest.contains(&entry),
            "Cargo.toml lacks the cdylib of {name}"
        );
    }
}
