//! Generates bindings to probe.h with bindgen and compiles probe.cc, as
//! librocksdb-sys does for RocksDB.

use std::env;
use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=probe.h");
    println!("cargo:rerun-if-changed=probe.cc");
    let bindings = bindgen::Builder::default()
        .header("probe.h")
        .allowlist_function("probe_sum")
        .allowlist_type("probe_pair")
        .generate()
        .expect("bindgen could not read probe.h (is libclang installed, with its headers?)");
    let out = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    bindings
        .write_to_file(out.join("bindings.rs"))
        .expect("writing the bindings");
    cc::Build::new()
        .cpp(true)
        .flag("-std=c++17")
        .file("probe.cc")
        .compile("probe");
}
