use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = tillpoint::Cli::parse();
    match tillpoint::server::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tillpoint: {e}");
            ExitCode::from(2)
        }
    }
}
