//! The `permgate` binary: parse the command line, run, map the result to an exit code.

use std::io::Write;
use std::process::ExitCode;

// The readers build many small nodes and strings and free them in bulk; mimalloc handles that
// pattern without the fragmentation glibc's allocator shows on large templates. It is built
// without transparent huge pages (`no_thp` in Cargo.toml): with them every region it touches
// is resident in 2 MiB units, which added about 20 MB to every run and 10 % to a large plan's
// peak, for a few milliseconds saved on small inputs.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Standard output that outlives a closed pipe: once the reader has gone (`permgate check |
/// head -1`), further output is dropped instead of failing the run, so the exit code is the one
/// the audit decided. A gate must never turn a failure into success because its output was
/// cut short.
struct PipeTolerant<W: Write> {
    inner: W,
    closed: bool,
}

impl<W: Write> PipeTolerant<W> {
    fn tolerate(&mut self, result: std::io::Result<()>) -> std::io::Result<()> {
        match result {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(())
            }
            other => other,
        }
    }
}

impl<W: Write> Write for PipeTolerant<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.closed {
            return Ok(buf.len());
        }
        let result = self.inner.write_all(buf);
        self.tolerate(result).map(|()| buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.closed {
            return Ok(());
        }
        let result = self.inner.flush();
        self.tolerate(result)
    }
}

fn main() -> ExitCode {
    let cli = permgate::cli::Cli::parse_ordered();
    let stdout = std::io::stdout();
    let mut out = PipeTolerant {
        inner: std::io::BufWriter::new(stdout.lock()),
        closed: false,
    };
    let result = permgate::cli::run(cli, &mut out).and_then(|code| {
        out.flush()?;
        Ok(code)
    });
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            // Run-level errors can quote arguments (`permgate explain <id>`): escaped like every
            // other piece of user text that reaches a terminal.
            let message = format!("{e:#}");
            eprintln!(
                "permgate: {}",
                permgate::report::escape::terminal(&message, false)
            );
            ExitCode::from(2)
        }
    }
}
