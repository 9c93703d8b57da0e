//! Calls the C++ function through the generated bindings and checks the
//! answer, so that the probe proves the whole chain works.

#[allow(non_camel_case_types, dead_code, unsafe_code)]
mod ffi {
    include!(concat!(env!("OUT_DIR"), "/bindings.rs"));
}

#[allow(unsafe_code)]
fn main() {
    let pairs = [
        ffi::probe_pair { count: 40, width: 8, ok: true },
        ffi::probe_pair { count: 1000, width: 8, ok: false },
        ffi::probe_pair { count: 2, width: 8, ok: true },
    ];
    // SAFETY: `pairs` is a valid array of `pairs.len()` elements for the call.
    let sum = unsafe { ffi::probe_sum(pairs.as_ptr(), pairs.len()) };
    if sum != 42 {
        eprintln!("setup-probe: expected 42, got {sum}");
        std::process::exit(1);
    }
    println!("setup-probe: bindgen and C++ build ok");
}
