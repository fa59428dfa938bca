fn main() {
    let builder = tauri::Builder::default();
    #[cfg(feature = "plugins")]
    let builder = builder
        .plugin(tauri_plugin_single_instance::init(|_, _, _| {}))
        .plugin(tauri_plugin_updater::Builder::new().build())
        .plugin(tauri_plugin_notification::init());
    builder
        .run(tauri::generate_context!())
        .expect("empty app failed to start");
}
