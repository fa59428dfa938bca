//! Bakes the rpIds this build's macOS entitlements associate the app with
//! (`webcredentials:<rpId>` in src-tauri/macos/Entitlements.plist) into the core, so Touch ID is
//! offered exactly for the tenant the signed app was built for (passkey/providers.rs).

use std::path::Path;

fn main() {
    const PLIST: &str = "../../src-tauri/macos/Entitlements.plist";
    let plist = Path::new(env!("CARGO_MANIFEST_DIR")).join(PLIST);
    // Relative to the package, so a target dir shared by clones at other paths (CI's cache)
    // watches this clone's file rather than keeping what another clone's build baked in.
    println!("cargo:rerun-if-changed={PLIST}");
    // Outside this repository (e.g. a packaged crate) there is no entitlements file: no rpId.
    let text = std::fs::read_to_string(&plist).unwrap_or_default();
    let domains: Vec<&str> = text
        .split("<string>webcredentials:")
        .skip(1)
        .filter_map(|rest| rest.split("</string>").next())
        // `?mode=developer` asks macOS to skip Apple's CDN; the rpId is before it.
        .map(|entry| entry.split('?').next().unwrap_or(entry).trim())
        .filter(|domain| !domain.is_empty())
        .collect();
    println!(
        "cargo:rustc-env=IBEX_ASSOCIATED_DOMAINS={}",
        domains.join(",")
    );
}
