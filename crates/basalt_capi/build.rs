//! Gives the shared library SQLite's SONAME, so programs linked against it load
//! `libsqlite3.so.0` as they would the real library, and compiles the C shim that holds the
//! variadic entry points (`csrc/varargs.c`).

fn main() {
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libsqlite3.so.0");
    println!("cargo:rerun-if-changed=csrc/varargs.c");
    println!("cargo:rerun-if-changed=csrc/exports.map");
    let map = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("csrc/exports.map");
    println!(
        "cargo:rustc-cdylib-link-arg=-Wl,--version-script={}",
        map.display()
    );
    cc::Build::new()
        .file("csrc/varargs.c")
        .warnings(true)
        .extra_warnings(true)
        .warnings_into_errors(true)
        // Nothing in Rust calls these functions: keep every object of the archive.
        .link_lib_modifier("+whole-archive")
        .compile("basalt_varargs");
}
