//! Stand-alone runner of `brink effects` until the lead wires it into the `brink` binary:
//! `cargo run -p brink-effects --example effects -- --yield-kt 10 --height-m 500`.
use brink_effects::cli::{EffectsArgs, run};
use clap::Parser;

#[derive(Parser)]
#[command(name = "brink-effects")]
struct Cli {
    #[command(flatten)]
    args: EffectsArgs,
}

fn main() {
    let cli = Cli::parse();
    let mut out = std::io::stdout();
    if let Err(e) = run(&cli.args, &mut out) {
        eprintln!("error: {e}");
        std::process::exit(2);
    }
}
