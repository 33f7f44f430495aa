//! `tmm completions` and `tmm man`: shell completions and the manual page, generated from
//! the command-line definition so they never fall behind it.

use std::io::Write;
use std::process::ExitCode;

use clap::CommandFactory;

/// Print a shell completion script.
///
/// Examples: `tmm completions bash > ~/.local/share/bash-completion/completions/tmm`;
/// `tmm completions zsh > ~/.zfunc/_tmm`; `tmm completions fish > ~/.config/fish/completions/tmm.fish`
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The shell
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

/// Print the manual page (roff), for `man`.
///
/// Example: `tmm man > ~/.local/share/man/man1/tmm.1`
#[derive(Debug, clap::Args)]
pub struct ManArgs {}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut cmd = crate::cli::Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "tmm", &mut buf);
    let mut out = std::io::stdout().lock();
    out.write_all(&buf)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

pub fn man(_: ManArgs) -> anyhow::Result<ExitCode> {
    let cmd = crate::cli::Cli::command();
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd).render(&mut buf)?;
    let mut out = std::io::stdout().lock();
    out.write_all(&buf)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
