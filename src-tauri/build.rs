include!("src/command_list.rs");

macro_rules! command_names {
    ($($name:ident ($($arg:ident : $ty:ty),*) -> $ret:ty;)*) => {
        &[$(stringify!($name)),*]
    };
}

const COMMANDS: &[&str] = for_each_command!(command_names);

fn main() {
    // A plain `cargo build` embeds ui/dist without noticing it changed.
    println!("cargo:rerun-if-changed=../ui/dist");
    println!("cargo:rerun-if-changed=src/command_list.rs");
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build script failed");
}
