//! `.permgate.toml`: read, then turned into the rules the suppression stage applies. Any input
//! is a configuration or a located error, never a panic.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let source = permgate::source::SourceFile::new(".permgate.toml", text.to_string());
    if let Ok(config) = permgate::config::parse(source) {
        let _ = permgate::config::rules(Some(&config), None, None);
    }
});
