//! The `brink report` command: the only place where brink-report writes a file.

use crate::ReportError;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Write one self-contained HTML report (inline SVG charts, no network) of a study directory.
#[derive(Clone, Debug, clap::Args)]
pub struct ReportArgs {
    /// A study's output directory (`brink run --out DIR`).
    pub dir: PathBuf,
    /// The HTML file to write (default: DIR/report.html).
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

/// Reads the study, renders the page and writes it atomically; says where on `log`.
pub fn run<W: Write>(args: &ReportArgs, log: &mut W) -> Result<(), ReportError> {
    let study = crate::load(&args.dir)?;
    let html = crate::render(&study);
    let out = args
        .output
        .clone()
        .unwrap_or_else(|| args.dir.join("report.html"));
    write_atomic(&out, html.as_bytes())?;
    let _ = writeln!(log, "wrote {} ({} bytes)", out.display(), html.len());
    Ok(())
}

fn write_atomic(dest: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    let io = |error| ReportError::Io {
        path: dest.to_path_buf(),
        error,
    };
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "report.html".into());
    let tmp = dest.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, dest)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(io)
}
