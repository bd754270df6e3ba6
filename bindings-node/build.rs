//! Link settings napi-rs needs to build a Node.js addon on every platform.

fn main() {
    napi_build::setup();
}
