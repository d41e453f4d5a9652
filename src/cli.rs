//! The command line: argument parsing and the subcommands.
//!
//! Run-level failures (bad flags, a failed write) are `anyhow` errors; everything about an input
//! file is data in the report.

use std::io::Write;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::inventory::{self, InventoryFile};
use crate::report::{FailOn, Format};
use crate::{FileOutcome, load_inputs};

#[derive(Parser, Debug)]
#[command(
    name = "permgate",
    version,
    about = "Catches AWS Lambda permission mistakes in CloudFormation, SAM and Terraform plans before deploy"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Audit templates and plans: every missing or risky permission, with its location and fix
    Check {
        /// Files or directories (default: the current directory)
        paths: Vec<PathBuf>,
        /// Output format
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Lowest severity that makes the exit code 1
        #[arg(long, value_enum, default_value_t = FailOn::Error)]
        fail_on: FailOn,
        /// When to use colour in text output
        #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
        color: ColorChoice,
        /// The Terraform root module the plans were made from (default: each plan's own
        /// directory); its `.tf` files give plan findings their file, line and column
        #[arg(long, value_name = "DIR")]
        tf_source: Option<PathBuf>,
    },
    /// Print the resource model extracted from templates and plans
    Inventory {
        /// Files or directories (default: the current directory)
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = InventoryFormat::Json)]
        format: InventoryFormat,
    },
    /// Answer one question: may ROLE perform an action on a resource? Exit code 0 allowed,
    /// 1 denied, 3 unknown, 2 when the role is not found or ambiguous
    Access {
        /// The role: logical id, Terraform address, role name or role ARN
        role: String,
        /// The action, `service:Action` (`sqs:ReceiveMessage`)
        #[arg(long)]
        action: String,
        /// The resource ARN; `${AWS::Region}`-style pseudo parameters take the values the
        /// role's input fixes and otherwise stay symbolic
        #[arg(long, default_value = "*")]
        resource: String,
        /// Files or directories (default: the current directory)
        paths: Vec<PathBuf>,
        /// Output format
        #[arg(long, value_enum, default_value_t = AccessFormat::Text)]
        format: AccessFormat,
    },
    /// List the checks
    Checks,
    /// Print a check's documentation
    Explain {
        /// Check id (`PG101`) or name (`esm-sqs-permissions`)
        check: String,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum AccessFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum InventoryFormat {
    Json,
    Text,
}

fn default_paths(paths: Vec<PathBuf>) -> Vec<PathBuf> {
    if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths
    }
}

/// Runs a parsed command line and returns the process exit code.
pub fn run(cli: Cli, out: &mut dyn Write) -> anyhow::Result<u8> {
    match cli.command {
        Command::Check {
            paths,
            format,
            fail_on,
            color,
            tf_source,
        } => {
            let options = crate::AuditOptions { tf_source };
            let report = crate::audit_with(&default_paths(paths), &options);
            let color = match color {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                ColorChoice::Auto => {
                    use std::io::IsTerminal;
                    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
                }
            };
            crate::report::write(&report, format, crate::checks::CHECKS, color, out)?;
            Ok(report.exit_code(fail_on))
        }
        Command::Access {
            role,
            action,
            resource,
            paths,
            format,
        } => access(
            &role,
            &action,
            &resource,
            &default_paths(paths),
            format,
            out,
        ),
        Command::Checks => {
            for c in crate::checks::CHECKS {
                writeln!(
                    out,
                    "{}  {:<40} {:<8} {}",
                    c.id,
                    c.slug,
                    c.default_severity.as_str(),
                    c.summary
                )?;
            }
            Ok(0)
        }
        Command::Explain { check } => match crate::checks::find(&check) {
            Some(c) => {
                write!(out, "{}", crate::checks::explain(c))?;
                Ok(0)
            }
            None => {
                anyhow::bail!("no check `{check}`; `permgate checks` lists them")
            }
        },
        Command::Inventory { paths, format } => {
            let files = load_inputs(&default_paths(paths));
            let view: Vec<InventoryFile<'_>> = files
                .iter()
                .map(|f| {
                    let (format, status, message, stack) = match &f.outcome {
                        FileOutcome::Stack { format, stack } => {
                            (Some(*format), "audited", None, Some(&**stack))
                        }
                        FileOutcome::Skipped { format, reason } => {
                            (*format, "skipped", Some(reason.clone()), None)
                        }
                        FileOutcome::Error { format, error } => {
                            let msg = match error.span {
                                Some(s) => {
                                    let lc = f.source.line_col(s.start);
                                    format!("{}:{}: {}", lc.line, lc.column, error.message)
                                }
                                None => error.message.clone(),
                            };
                            (*format, "error", Some(msg), None)
                        }
                    };
                    InventoryFile {
                        source: &f.source,
                        format,
                        status,
                        message,
                        stack,
                    }
                })
                .collect();
            match format {
                InventoryFormat::Json => {
                    serde_json::to_writer_pretty(&mut *out, &inventory::to_json(&view))?;
                    writeln!(out)?;
                }
                InventoryFormat::Text => write!(out, "{}", inventory::to_text(&view))?,
            }
            let any_error = files
                .iter()
                .any(|f| matches!(f.outcome, FileOutcome::Error { .. }));
            Ok(if any_error { 2 } else { 0 })
        }
    }
}

/// `permgate access`: reads the inputs, reports the ones that cannot be read on stderr, and
/// answers from the rest (the logic is [`crate::iam::access`]).
fn access(
    role: &str,
    action: &str,
    resource: &str,
    paths: &[PathBuf],
    format: AccessFormat,
    out: &mut dyn Write,
) -> anyhow::Result<u8> {
    let files = load_inputs(paths);
    let mut unreadable = 0usize;
    let mut stacks: Vec<&crate::model::Stack> = Vec::new();
    let mut sources: Vec<&crate::source::SourceFile> = Vec::new();
    for f in &files {
        match &f.outcome {
            FileOutcome::Stack { stack, .. } => {
                stacks.push(stack);
                sources.push(&f.source);
            }
            FileOutcome::Error { error, .. } => {
                unreadable += 1;
                eprintln!("permgate: {}", located(&f.source, error));
            }
            FileOutcome::Skipped { reason, .. } => {
                eprintln!("permgate: {}: skipped: {reason}", f.source.path.display());
            }
        }
    }
    let file_of = |i: usize| sources.get(i).copied();
    let answer = match crate::iam::access::answer(&stacks, role, action, resource) {
        Ok(a) => a,
        Err(e) => {
            let mut message = e.message(file_of);
            if unreadable > 0 {
                message.push_str(&format!(
                    "; {unreadable} input{} could not be read",
                    if unreadable == 1 { "" } else { "s" }
                ));
            }
            eprintln!("permgate: {message}");
            return Ok(exit_code(e.exit_code()));
        }
    };
    // What the reader could not fully read in the role's file may change the answer.
    if let (Some(stack), Some(source)) = (stacks.get(answer.stack), file_of(answer.stack)) {
        for d in &stack.diagnostics {
            eprintln!("permgate: warning: {}", located(source, d));
        }
    }
    match format {
        AccessFormat::Text => {
            let text = answer.render_text(file_of);
            write!(out, "{}", crate::report::escape::terminal(&text, true))?;
        }
        AccessFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &answer.to_json(file_of))?;
            writeln!(out)?;
        }
    }
    Ok(exit_code(answer.exit_code()))
}

/// `path:line:column: message` (or `path: message` without a location), escaped for a terminal.
fn located(source: &crate::source::SourceFile, error: &crate::diag::FileError) -> String {
    let path = source.path.display();
    let text = match error.span {
        Some(s) => {
            let lc = source.line_col(s.start);
            format!("{path}:{}:{}: {}", lc.line, lc.column, error.message)
        }
        None => format!("{path}: {}", error.message),
    };
    crate::report::escape::terminal(&text, false).into_owned()
}

fn exit_code(code: i32) -> u8 {
    u8::try_from(code).unwrap_or(2)
}
