//! The command line: argument parsing and the subcommands.
//!
//! Run-level failures (bad flags, a failed write) are `anyhow` errors; everything about an input
//! file is data in the report.

use std::io::Write;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::FileOutcome;
use crate::inventory::{self, InventoryFile};
use crate::report::{FailOn, Format, escape};

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
    Check(CheckArgs),
    /// Print the resource model extracted from templates and plans
    Inventory {
        /// Files or directories (default: the current directory)
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = InventoryFormat::Json)]
        format: InventoryFormat,
        #[command(flatten)]
        parameters: crate::parameters::ParameterOptions,
        #[command(flatten)]
        environment: EnvironmentArgs,
    },
    /// Answer one question: may ROLE perform an action on a resource? Exit code 0 allowed,
    /// 1 denied, 3 unknown, 2 when the role is not found or ambiguous
    Access(AccessArgs),
    /// List the checks
    Checks,
    /// Print a check's documentation
    Explain {
        /// Check id (`PG101`) or name (`esm-sqs-permissions`)
        check: String,
    },
    /// Print a shell completion script (`permgate completions bash > /etc/bash_completion.d/permgate`)
    Completions {
        /// The shell
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print a manual page, in roff: `permgate man > permgate.1`, `permgate man check >
    /// permgate-check.1`
    Man {
        /// The subcommand whose page to print (default: the main page)
        subcommand: Option<String>,
    },
}

/// The options of `permgate check`. Every option but `--config`, `--no-config`, `--color`,
/// `--write-baseline`, `--stdin-filename` and `--only-templates` can also be set in
/// `.permgate.toml` under the same name; the command line wins.
#[derive(clap::Args, Debug, Default)]
pub struct CheckArgs {
    /// Files or directories (default: the current directory); `-` reads one input from
    /// standard input
    pub paths: Vec<PathBuf>,
    /// Output format [default: text]
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Lowest severity that makes the exit code 1 [default: error]
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// When to use colour in text output
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Configuration file [default: the nearest `.permgate.toml` from the current directory up
    /// to the repository root]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Read no configuration file
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
    /// Report only these checks: ids (`PG101`), id prefixes (`PG1`) or names, comma-separated
    /// or repeated
    #[arg(long, value_name = "CHECK", value_delimiter = ',')]
    pub select: Vec<String>,
    /// Do not report these checks (same forms as `--select`)
    #[arg(long, value_name = "CHECK", value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Report only findings that are not in this baseline file (exit code too); the summary
    /// counts the baselined ones and the ones fixed since
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record this run's findings in a baseline file; the run then counts them as baselined
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// The file name standard input (`-`) is reported under and fingerprinted with
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<PathBuf>,
    /// Leave out named files that are not templates or plans instead of reading them as
    /// inputs (for hooks such as pre-commit that pass every staged YAML and JSON file)
    #[arg(long)]
    pub only_templates: bool,
    #[command(flatten)]
    pub parameters: crate::parameters::ParameterOptions,
    /// The Terraform root module the plans were made from (default: each plan's own
    /// directory); its `.tf` files give plan findings their file, line and column
    #[arg(long, value_name = "DIR")]
    pub tf_source: Option<PathBuf>,
    /// A value for an input variable of a Terraform module audited without a plan, as
    /// `terraform plan -var`; wins over `.tfvars` files and `default` (repeatable; with
    /// `--var-file`, a later one wins, as on Terraform's command line)
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = parse_tf_var)]
    pub var: Vec<String>,
    /// A `.tfvars` or `.tfvars.json` file of values for a Terraform module audited without
    /// a plan, as `terraform plan -var-file` (repeatable; with `--var`, a later one wins)
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_file: Vec<PathBuf>,
    /// Where each `--var` and `--var-file` was written on the command line, in the order of
    /// `var` then `var_file` ([`Cli::parse_ordered`]); empty when not known.
    #[arg(skip)]
    pub var_positions: (Vec<usize>, Vec<usize>),
    /// The region templates are deployed to: `${AWS::Region}` takes this value (a CDK cloud
    /// assembly's own environment wins)
    #[arg(long, value_name = "REGION", value_parser = region_name)]
    pub region: Option<String>,
    /// The 12-digit account templates are deployed to: `${AWS::AccountId}` takes this value (a
    /// CDK cloud assembly's own environment wins)
    #[arg(long, value_name = "ID", value_parser = account_id)]
    pub account: Option<String>,
}

/// The `--var` values and `--var-file` files in the order they were written, as Terraform
/// applies `-var` and `-var-file` ("in the order they are provided", later winning:
/// <https://developer.hashicorp.com/terraform/language/values/variables#variable-definition-precedence>).
/// Without their positions (a [`Cli`] not made by [`Cli::parse_ordered`]), the files come
/// first.
fn tf_vars(
    values: &[String],
    files: &[PathBuf],
    (value_at, file_at): &(Vec<usize>, Vec<usize>),
) -> Vec<crate::readers::hcl::vars::VarInput> {
    use crate::readers::hcl::vars::VarInput;
    let known = value_at.len() == values.len() && file_at.len() == files.len();
    let mut placed: Vec<(usize, VarInput)> = files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let at = if known { file_at.get(i).copied() } else { None };
            (at.unwrap_or(0), VarInput::File(f.clone()))
        })
        .chain(values.iter().enumerate().filter_map(|(i, v)| {
            let at = if known {
                value_at.get(i).copied()
            } else {
                None
            };
            Some((at.unwrap_or(usize::MAX), VarInput::parse_value(v).ok()?))
        }))
        .collect();
    // Stable: without positions, files keep their order, then the values theirs.
    placed.sort_by_key(|(at, _)| *at);
    placed.into_iter().map(|(_, input)| input).collect()
}

impl Cli {
    /// Parses the process's command line as [`clap::Parser::parse`] does, and records where
    /// each `--var` and `--var-file` of `check` was written, which the derived struct loses.
    pub fn parse_ordered() -> Cli {
        use clap::{CommandFactory, FromArgMatches};
        let matches = Cli::command().get_matches();
        let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
        if let (Command::Check(args), Some(("check", check))) =
            (&mut cli.command, matches.subcommand())
        {
            let positions = |id: &str| -> Vec<usize> {
                check
                    .indices_of(id)
                    .map(Iterator::collect)
                    .unwrap_or_default()
            };
            args.var_positions = (positions("var"), positions("var_file"));
        }
        cli
    }
}

fn parse_tf_var(argument: &str) -> Result<String, String> {
    crate::readers::hcl::vars::VarInput::parse_value(argument).map(|_| argument.to_string())
}

/// A region name as AWS spells them (`eu-west-1`, `us-gov-west-1`).
fn region_name(text: &str) -> Result<String, String> {
    let ok = !text.is_empty()
        && text.contains('-')
        && text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok {
        Ok(text.to_string())
    } else {
        Err(format!(
            "`{text}` is not a region name (such as `eu-west-1`)"
        ))
    }
}

/// An AWS account id: 12 digits.
fn account_id(text: &str) -> Result<String, String> {
    if text.len() == 12 && text.chars().all(|c| c.is_ascii_digit()) {
        Ok(text.to_string())
    } else {
        Err(format!("`{text}` is not an account id (12 digits)"))
    }
}

/// `--region` and `--account` of `inventory` and `access`, as `check` has them.
#[derive(clap::Args, Debug, Default)]
pub struct EnvironmentArgs {
    /// The region templates are deployed to: `${AWS::Region}` takes this value (a CDK cloud
    /// assembly's own environment wins)
    #[arg(long, value_name = "REGION", value_parser = region_name)]
    pub region: Option<String>,
    /// The 12-digit account templates are deployed to: `${AWS::AccountId}` takes this value (a
    /// CDK cloud assembly's own environment wins)
    #[arg(long, value_name = "ID", value_parser = account_id)]
    pub account: Option<String>,
}

/// The options of `permgate access`.
#[derive(clap::Args, Debug)]
pub struct AccessArgs {
    /// The role: logical id, Terraform address, role name or role ARN
    pub role: String,
    /// The action, `service:Action` (`sqs:ReceiveMessage`)
    #[arg(long)]
    pub action: String,
    /// The resource ARN; `${AWS::Region}`-style pseudo parameters take the values the
    /// role's input fixes and otherwise stay symbolic; `${Resource.Attr}` is an attribute
    /// of a resource of the input, as permgate prints it
    #[arg(long, default_value = "*")]
    pub resource: String,
    /// Files or directories (default: the current directory)
    pub paths: Vec<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = AccessFormat::Text)]
    pub format: AccessFormat,
    #[command(flatten)]
    pub parameters: crate::parameters::ParameterOptions,
    /// Leave out the resource's own policy (key, queue, stream, table, secret or cluster
    /// policy): the identity-only view
    #[arg(long)]
    pub ignore_resource_policies: bool,
    #[command(flatten)]
    pub environment: EnvironmentArgs,
}

#[derive(Clone, Copy, Debug, Default, ValueEnum)]
pub enum ColorChoice {
    #[default]
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
        Command::Check(args) => check(args, out),
        Command::Access(args) => access(args, out),
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
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut command, "permgate", out);
            Ok(0)
        }
        Command::Man { subcommand } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            command.build();
            let page = match subcommand {
                None => clap_mangen::Man::new(command),
                Some(name) => {
                    let Some(sub) = command.find_subcommand(&name) else {
                        anyhow::bail!("no subcommand `{name}`; `permgate --help` lists them");
                    };
                    // Titled as its page is named: `permgate-check(1)`.
                    clap_mangen::Man::new(sub.clone().version(env!("CARGO_PKG_VERSION")))
                        .title(format!("permgate-{name}"))
                }
            };
            page.render(out)?;
            Ok(0)
        }
        Command::Inventory {
            paths,
            format,
            parameters,
            environment,
        } => {
            let (files, parameter_errors) = load(&default_paths(paths), &parameters, environment)?;
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
                        FileOutcome::Assembly { warnings } => {
                            let message = warnings.first().map(|w| w.message.clone());
                            (None, "audited", message, None)
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
            let any_error = parameter_errors > 0
                || files
                    .iter()
                    .any(|f| matches!(f.outcome, FileOutcome::Error { .. }));
            Ok(if any_error { 2 } else { 0 })
        }
    }
}

/// `permgate check`: the configuration, the audit, the baseline, the report.
fn check(args: CheckArgs, out: &mut dyn Write) -> anyhow::Result<u8> {
    let cwd = std::env::current_dir()?;
    let root = crate::config::repository_root(&cwd);
    let config = if args.no_config {
        None
    } else {
        match &args.config {
            Some(path) => Some(crate::config::load(path)?),
            None => crate::config::discover(&cwd, &root)
                .map(|p| crate::config::load(&p))
                .transpose()?,
        }
    };
    let format = match (args.format, &config) {
        (Some(f), _) => f,
        (None, Some(c)) => c.format()?.unwrap_or_default(),
        (None, None) => Format::default(),
    };
    let fail_on = match (args.fail_on, &config) {
        (Some(f), _) => f,
        (None, Some(c)) => c.fail_on()?.unwrap_or_default(),
        (None, None) => FailOn::default(),
    };
    let selectors = |list: Vec<String>| {
        (!list.is_empty()).then(|| {
            list.into_iter()
                .map(|text| crate::config::Selector { text, span: None })
                .collect()
        })
    };
    let rules = crate::config::rules(
        config.as_ref(),
        selectors(args.select),
        selectors(args.ignore),
    )?;
    let baseline = match (&args.baseline, &config) {
        (Some(path), _) => Some(path.clone()),
        (None, Some(c)) => c.file.baseline.as_ref().map(|b| c.dir().join(b.get_ref())),
        (None, None) => None,
    };
    // Writing a baseline replaces the one named: the run is compared with what it writes, so
    // the old file is neither read nor required. Otherwise a bad baseline stops the run before
    // anything is audited.
    let old_baseline = match (&args.write_baseline, &baseline) {
        (None, Some(path)) => Some((crate::baseline::read(path)?, path.display().to_string())),
        _ => None,
    };

    let mut paths = default_paths(args.paths);
    let stdin_count = paths.iter().filter(|p| p.as_os_str() == "-").count();
    if stdin_count > 1 {
        anyhow::bail!("`-` (standard input) can be given once");
    }
    if args.stdin_filename.is_some() && stdin_count == 0 {
        anyhow::bail!(
            "`--stdin-filename` names standard input, which is read only when `-` is a path"
        );
    }
    let stdin = if stdin_count == 1 {
        paths.retain(|p| p.as_os_str() != "-");
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut bytes)?;
        Some(crate::StdinInput {
            name: args
                .stdin_filename
                .unwrap_or_else(|| PathBuf::from("<stdin>")),
            bytes,
        })
    } else {
        None
    };
    if paths.is_empty() && stdin.is_none() {
        paths.push(PathBuf::from("."));
    }

    let options = crate::AuditOptions {
        rules,
        root,
        cwd,
        today: crate::day::Day::today(),
        tf_source: match (args.tf_source, &config) {
            (Some(dir), _) => Some(dir),
            (None, Some(c)) => c.file.tf_source.as_ref().map(|d| c.dir().join(d.get_ref())),
            (None, None) => None,
        },
        tf_vars: {
            let configured: Vec<PathBuf> = config
                .iter()
                .flat_map(|c| {
                    c.file
                        .tf_var_files
                        .iter()
                        .flatten()
                        .map(|f| c.dir().join(f.get_ref()))
                })
                .collect();
            // A configuration file's `tf_var_files` come before the command line.
            let mut inputs: Vec<crate::readers::hcl::vars::VarInput> = configured
                .into_iter()
                .map(crate::readers::hcl::vars::VarInput::File)
                .collect();
            inputs.extend(tf_vars(&args.var, &args.var_file, &args.var_positions));
            inputs
        },
    };
    let parameters = parameter_options(args.parameters, config.as_ref());
    let (given, file_error) =
        crate::parameters::command_line(&parameters).map_err(anyhow::Error::msg)?;
    let mut values = crate::ParameterSources::new(&parameters, given);
    values.errors.extend(file_error);
    let configured = |key: fn(&crate::config::ConfigFile) -> &Option<toml::Spanned<String>>,
                      check: fn(&str) -> Result<String, String>|
     -> anyhow::Result<Option<String>> {
        match config.as_ref().and_then(|c| key(&c.file).as_ref()) {
            Some(value) => check(value.get_ref())
                .map(Some)
                .map_err(|e| anyhow::anyhow!("{}: {e}", crate::config::FILE_NAME)),
            None => Ok(None),
        }
    };
    values.region = match args.region {
        Some(region) => Some(region),
        None => configured(|f| &f.region, region_name)?,
    };
    values.account = match args.account {
        Some(account) => Some(account),
        None => configured(|f| &f.account, account_id)?,
    };
    let mut report = crate::audit_with(&paths, stdin, &mut values, args.only_templates, &options);
    if let Some(path) = &args.write_baseline {
        let written = crate::baseline::write(&report, path)?;
        crate::baseline::apply(&mut report, &written, &path.display().to_string());
    } else if let Some((old, name)) = &old_baseline {
        crate::baseline::apply(&mut report, old, name);
    }

    use std::io::IsTerminal;
    let terminal = std::io::stdout().is_terminal();
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => terminal && std::env::var_os("NO_COLOR").is_none(),
    };
    // Only a terminal has a width; a CI log or a file gets unwrapped lines.
    let width = terminal
        .then(|| terminal_size::terminal_size().map(|(w, _)| usize::from(w.0)))
        .flatten();
    let text = crate::report::text::TextOptions { color, width };
    match format {
        Format::Github => {
            let summary = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty());
            if let Some(path) = &summary {
                let markdown =
                    crate::report::github::summary_markdown(&report, crate::checks::CHECKS);
                let mut file = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .map_err(|e| {
                        anyhow::anyhow!(
                            "cannot write the job summary `{}`: {e}",
                            std::path::Path::new(path).display()
                        )
                    })?;
                file.write_all(markdown.as_bytes())?;
            }
            crate::report::github::write_with_summary(
                &report,
                crate::checks::CHECKS,
                summary.is_some(),
                out,
            )?;
        }
        _ => crate::report::write(&report, format, crate::checks::CHECKS, text, out)?,
    }
    Ok(report.exit_code(fail_on))
}

/// The parameter options of the command line, each completed from the configuration file when
/// the command line does not give it.
fn parameter_options(
    mut options: crate::parameters::ParameterOptions,
    config: Option<&crate::config::LoadedConfig>,
) -> crate::parameters::ParameterOptions {
    let Some(config) = config else {
        return options;
    };
    if options.overrides.is_empty()
        && let Some(items) = &config.file.parameter_overrides
    {
        options.overrides = items.iter().map(|i| i.get_ref().clone()).collect();
    }
    if options.file.is_none()
        && let Some(file) = &config.file.parameters
    {
        options.file = Some(config.dir().join(file.get_ref()));
    }
    if options.config_env.is_none()
        && let Some(env) = &config.file.config_env
    {
        options.config_env = Some(env.get_ref().clone());
    }
    options
}

/// `permgate access`: reads the inputs, reports the ones that cannot be read on stderr, and
/// answers from the rest (the logic is [`crate::iam::access`]).
fn access(args: AccessArgs, out: &mut dyn Write) -> anyhow::Result<u8> {
    let AccessArgs {
        role,
        action,
        resource,
        paths,
        format,
        parameters,
        ignore_resource_policies,
        environment,
    } = args;
    let (role, action, resource) = (role.as_str(), action.as_str(), resource.as_str());
    let (mut files, parameter_errors) = load(&default_paths(paths), &parameters, environment)?;
    let mut unreadable = parameter_errors;
    let kept: Vec<Option<crate::readers::KeptTemplate>> =
        files.iter_mut().map(|f| f.kept.take()).collect();
    let mut stacks: Vec<&crate::model::Stack> = Vec::new();
    let mut sources: Vec<&crate::source::SourceFile> = Vec::new();
    // Per stack: its syntax tree when the stack uses parameter defaults, and its given values.
    let mut trees: Vec<(
        Option<crate::readers::KeptTemplate>,
        &crate::parameters::GivenValues,
    )> = Vec::new();
    for (f, tree) in files.iter().zip(kept) {
        match &f.outcome {
            FileOutcome::Stack { stack, .. } => {
                stacks.push(stack);
                sources.push(&f.source);
                trees.push((tree, &f.given));
            }
            FileOutcome::Error { error, .. } => {
                unreadable += 1;
                eprintln!("permgate: {}", located(&f.source, error));
            }
            FileOutcome::Skipped { reason, .. } => {
                let text = format!("{}: skipped: {reason}", f.source.path.display());
                eprintln!("permgate: {}", escape::terminal(&text, false));
            }
            FileOutcome::Assembly { warnings } => {
                for warning in warnings {
                    eprintln!("permgate: warning: {}", located(&f.source, warning));
                }
            }
        }
    }
    let file_of = |i: usize| sources.get(i).copied();
    let answer =
        match crate::iam::access::answer(&stacks, role, action, resource, ignore_resource_policies)
        {
            Ok(a) => a,
            Err(e) => {
                let mut message = e.message(file_of);
                if unreadable > 0 {
                    message.push_str(&format!(
                        "; {unreadable} input{} could not be read",
                        if unreadable == 1 { "" } else { "s" }
                    ));
                }
                eprintln!("permgate: {}", escape::terminal(&message, false));
                return Ok(exit_code(e.exit_code()));
            }
        };
    let answer = match trees.get_mut(answer.stack) {
        Some((tree @ Some(_), given)) => {
            let tree = tree.take();
            qualify_defaults(
                answer,
                &stacks,
                tree,
                given,
                ignore_resource_policies,
                resource,
            )
        }
        _ => answer,
    };
    // What the reader could not fully read in the role's file may change the answer.
    if let (Some(stack), Some(source)) = (stacks.get(answer.stack), file_of(answer.stack)) {
        for d in &stack.diagnostics {
            eprintln!("permgate: warning: {}", located(source, d));
        }
    }
    match format {
        AccessFormat::Text => {
            // Each line escaped on its own: a line break inside a value (a `Sid`) is shown as
            // `\n`, never starts a line of its own.
            for (i, line) in answer.render_lines(file_of).iter().enumerate() {
                let indent = if i == 0 { "" } else { "  " };
                writeln!(out, "{indent}{}", escape::line_start(line))?;
            }
        }
        AccessFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &answer.to_json(file_of))?;
            writeln!(out)?;
        }
    }
    // The answer is given, but with a parameter value that could not be applied it is not the
    // answer for the deploy: the run fails as for a bad input.
    if parameter_errors > 0 {
        return Ok(2);
    }
    Ok(exit_code(answer.exit_code()))
}

/// The answer asked again of the role's template read with the parameter defaults withheld
/// (its kept syntax tree `tree`); an answer that does not hold without them rests on the
/// defaults and says so, as `check` says of its findings ([`crate::checks::assumed`]).
fn qualify_defaults(
    answer: crate::iam::access::AccessAnswer,
    stacks: &[&crate::model::Stack],
    tree: Option<crate::readers::KeptTemplate>,
    given: &crate::parameters::GivenValues,
    ignore_resource_policies: bool,
    resource: &str,
) -> crate::iam::access::AccessAnswer {
    let Some(stack) = stacks.get(answer.stack).copied() else {
        return answer;
    };
    let Some(tree) = tree.filter(|_| stack.assumed_defaults().next().is_some()) else {
        return answer;
    };
    let without = crate::readers::read_without_defaults(tree, given);
    // The role is asked for by its id, in its own stack: the evaluation reads no other.
    let again = without.and_then(|(_, symbolic)| {
        crate::iam::access::answer(
            &[symbolic.as_ref()],
            &answer.role,
            &answer.action,
            resource,
            ignore_resource_policies,
        )
        .ok()
    });
    let statements = match &answer.decision {
        crate::iam::eval::Decision::Allowed { by }
        | crate::iam::eval::Decision::ExplicitDeny { by } => by.clone(),
        _ => Vec::new(),
    };
    let spans: Vec<crate::source::Span> = answer
        .role_span
        .into_iter()
        .chain(statements.iter().filter_map(|s| s.span))
        .collect();
    let because = crate::checks::assumed::reason(stack, &spans);
    crate::iam::access::qualify(answer, again.as_ref(), because)
}

/// Reads the inputs with the parameter values of `options` and the region and account of
/// `environment`; the problems of the values' sources are written to stderr and counted (a
/// misspelt parameter must not pass unnoticed).
fn load(
    paths: &[PathBuf],
    options: &crate::parameters::ParameterOptions,
    environment: EnvironmentArgs,
) -> anyhow::Result<(Vec<crate::LoadedFile>, usize)> {
    let (given, file_error) =
        crate::parameters::command_line(options).map_err(anyhow::Error::msg)?;
    let mut values = crate::ParameterSources::new(options, given);
    values.errors.extend(file_error);
    values.region = environment.region;
    values.account = environment.account;
    let mut files = crate::load_inputs_with(paths, None, &mut values, false, None);
    // A Terraform module without a plan is read from its source, as `check` reads it.
    let modules = crate::load_modules_without_plan(paths, &files, None, &[]);
    files.extend(modules);
    for (source, error) in &values.errors {
        eprintln!("permgate: {}", located(source, error));
    }
    Ok((files, values.errors.len()))
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
    escape::terminal(&text, false).into_owned()
}

fn exit_code(code: i32) -> u8 {
    u8::try_from(code).unwrap_or(2)
}
