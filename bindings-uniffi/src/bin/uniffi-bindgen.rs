//! `uniffi-bindgen`: generates the Kotlin, Swift (and, for the tests, Python) sources of
//! `libmcp_probe_uniffi` with the UniFFI version the library was built with.

fn main() {
    uniffi::uniffi_bindgen_main()
}
