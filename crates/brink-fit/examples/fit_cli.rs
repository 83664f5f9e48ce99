//! Stand-alone `brink fit` for trying the command before it is wired into the `brink` binary:
//! `cargo run -p brink-fit --example fit_cli -- crates/brink-fit/examples/iwo_jima.csv --law all`
use clap::Parser;

#[derive(Parser)]
#[command(name = "brink-fit")]
struct Cli {
    #[command(flatten)]
    args: brink_fit::cli::FitArgs,
}

fn main() {
    let cli = Cli::parse();
    let mut out = std::io::stdout().lock();
    if let Err(e) = brink_fit::cli::run(&cli.args, &mut out) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
