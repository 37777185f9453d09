//! Gives the shared library SQLite's SONAME, so programs linked against it load
//! `libsqlite3.so.0` as they would the real library.

fn main() {
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libsqlite3.so.0");
}
