//! Builds the UDF libraries and calls them as Arroyo's worker does.
//!
//! Arroyo's host (`arroyo-udf-host`, not published; the same in Arroyo 0.11 to 0.15)
//! opens each UDF library with dlopen and resolves one symbol,
//! `__run: unsafe extern "C-unwind" fn(FfiArrays) -> RunResult`. It hands
//! the arguments over as Arrow C data interface arrays (`FfiArrays`, whose
//! memory the library takes over and frees) and reads the result back with
//! `arrow::ffi::from_ffi`. This module does exactly that with libloading.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock, PoisonError};

use arroyo_udf_common::{FfiArraySchema, FfiArrays, RunResult};
use arroyo_udf_plugin::arrow::array::{make_array, Array, ArrayData, Float64Array};
use arroyo_udf_plugin::arrow::datatypes::DataType;
use arroyo_udf_plugin::arrow::ffi::from_ffi;

/// The signature of the entry point `#[udf]` exports (arroyo-udf-host's
/// `UdfDylibInterface::__run`).
type Run = unsafe extern "C-unwind" fn(FfiArrays) -> RunResult;

/// This crate's folder. Read when the test runs (cargo sets it), not baked
/// in when it is built: a test binary reused from a build cache may have
/// been built in another checkout.
pub fn crate_dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf(),
        PathBuf::from,
    )
}

/// The UDF libraries, by UDF name, built once per test run.
pub fn libraries() -> &'static BTreeMap<String, PathBuf> {
    static BUILT: OnceLock<BTreeMap<String, PathBuf>> = OnceLock::new();
    BUILT.get_or_init(|| build().unwrap_or_else(|e| panic!("building the UDF libraries: {e}")))
}

/// `cargo build --examples`: every definition in udfs/ as its own cdylib,
/// as Arroyo's compiler service builds each UDF. Cargo's JSON messages say
/// where each library was written.
fn build() -> Result<BTreeMap<String, PathBuf>, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let manifest = crate_dir().join("Cargo.toml");
    let mut command = Command::new(cargo);
    command.args(["build", "--examples", "--locked", "--message-format=json"]);
    // In the profile the tests were built in, so their dependencies are reused.
    if !cfg!(debug_assertions) {
        command.arg("--release");
    }
    let output = command
        .arg("--manifest-path")
        .arg(&manifest)
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo build failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let mut libraries = BTreeMap::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if message["reason"] != "compiler-artifact" {
            continue;
        }
        let target = &message["target"];
        let is_cdylib = target["crate_types"]
            .as_array()
            .is_some_and(|types| types.iter().any(|t| t == "cdylib"));
        if !is_cdylib {
            continue;
        }
        let name = target["name"].as_str().ok_or("artifact without a name")?;
        let library = message["filenames"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| f.as_str())
            .find(|f| f.ends_with(std::env::consts::DLL_SUFFIX))
            .ok_or_else(|| format!("no dynamic library among the files of {name}"))?;
        libraries.insert(name.to_owned(), PathBuf::from(library));
    }
    Ok(libraries)
}

/// One loaded UDF library.
///
/// Like Arroyo's worker, which keeps every UDF library it opened for the
/// life of the process, a library here is never closed: unloading a Rust
/// library while another thread may still be in its panic or backtrace
/// machinery (or hold its thread-locals) is not safe.
pub struct Plugin {
    name: String,
    run: Run,
}

/// Why a call returned no array.
#[derive(Debug)]
pub enum CallError {
    /// The library reported `RunResult::Err` (a panic it caught).
    Udf,
    /// The result could not be imported or was not a Float64 array.
    #[allow(dead_code)] // Read through `Debug` when a test fails.
    Result(String),
}

impl Plugin {
    /// The library of the UDF `name`, loaded on first use, with its `__run`.
    pub fn load(name: &str) -> &'static Plugin {
        static LOADED: OnceLock<Mutex<BTreeMap<String, &'static Plugin>>> = OnceLock::new();
        let mut loaded = LOADED
            .get_or_init(Mutex::default)
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        loaded
            .entry(name.to_owned())
            .or_insert_with(|| Box::leak(Box::new(Plugin::open(name))))
    }

    fn open(name: &str) -> Plugin {
        let path = libraries()
            .get(name)
            .unwrap_or_else(|| panic!("no library was built for UDF {name}"));
        // SAFETY: the library is one of ours, built from udfs/ just now;
        // its initialisers are Rust's own.
        let library = unsafe { libloading::Library::new(path) }
            .unwrap_or_else(|e| panic!("loading {}: {e}", path.display()));
        // SAFETY: `#[udf]` exports `__run` with exactly this signature.
        let run = unsafe { library.get::<Run>(c"__run") }
            .map(|symbol| *symbol)
            .unwrap_or_else(|e| panic!("{} exports no __run: {e}", path.display()));
        // Never closed (see above): `run` stays valid for the process.
        std::mem::forget(library);
        Plugin {
            name: name.to_owned(),
            run,
        }
    }

    /// Calls the UDF on one batch, as Arroyo's `SyncUdfDylib::invoke` does.
    pub fn call(&self, args: &[&dyn Array]) -> Result<Float64Array, CallError> {
        let data: Vec<ArrayData> = args.iter().map(|a| a.to_data()).collect();
        let arrays = FfiArrays::from_vec(data);
        // SAFETY: `run` is the library's `__run`, and the library is never
        // closed; `arrays` is handed over, as the ABI requires.
        match unsafe { (self.run)(arrays) } {
            RunResult::Ok(FfiArraySchema(array, schema)) => {
                // SAFETY: the library exported a valid array and its schema.
                let data = unsafe { from_ffi(array, &schema) }
                    .map_err(|e| CallError::Result(format!("{}: {e}", self.name)))?;
                let result = make_array(data);
                if result.data_type() != &DataType::Float64 {
                    return Err(CallError::Result(format!(
                        "{} returned {}",
                        self.name,
                        result.data_type()
                    )));
                }
                result
                    .as_any()
                    .downcast_ref::<Float64Array>()
                    .cloned()
                    .ok_or_else(|| CallError::Result(format!("{}: not a Float64Array", self.name)))
            }
            RunResult::Err => Err(CallError::Udf),
        }
    }
}
