//! What every target does with an input: read it as a file named on the command line, run every
//! check, and write the report in every format. A panic, an abort or a hang anywhere is a bug.

use permgate::report::{Format, Report};

pub fn audit(name: &str, data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        // Non-UTF-8 bytes are refused before any reader runs (`readers::load`).
        return;
    };
    write_every_format(&permgate::audit_text(name, text.to_string()));
}

/// Writes `report` in every format, with the text options of a log and of a narrow terminal.
pub fn write_every_format(report: &Report) {
    let formats = [
        Format::Text,
        Format::Json,
        Format::Sarif,
        Format::Github,
        Format::Junit,
    ];
    for format in formats {
        for (color, width) in [(false, None), (true, Some(40))] {
            let text = permgate::report::text::TextOptions { color, width };
            let mut out = Vec::new();
            let written =
                permgate::report::write(report, format, permgate::checks::CHECKS, text, &mut out);
            assert!(written.is_ok(), "writing to memory cannot fail");
        }
    }
}
