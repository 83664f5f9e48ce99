//! The battle-record format: `time,a,b,reinf_a,reinf_b[,casualties_a,casualties_b]`.
//!
//! * `time`: when the strengths were observed, in increasing order with a constant step (one row
//!   per day, or per step). A gap is a missing row: add the row with empty strength cells.
//! * `a`, `b`: strengths at that time; an empty cell means "not observed".
//! * `reinf_a`, `reinf_b`: reinforcements that arrived during the step ending at that time
//!   (optional columns, empty = 0).
//! * `casualties_a`, `casualties_b`: losses recorded directly for the step ending at that time
//!   (optional columns; empty = not recorded).
//!
//! Lines starting with `#` and blank lines are ignored. The first data row is the start of the
//! battle: both strengths must be given there.

use std::fmt;

/// Side index: 0 is A, 1 is B.
pub const SIDES: [usize; 2] = [0, 1];

/// A parsed battle record. Vectors are indexed by row (row 0 is the start).
#[derive(Clone, Debug, PartialEq)]
pub struct BattleData {
    /// Observation times, strictly increasing with a constant step.
    pub time: Vec<f64>,
    /// Observed strengths of A (`[0]`) and B (`[1]`); `None` where not observed.
    pub strength: [Vec<Option<f64>>; 2],
    /// Reinforcements arriving in the step ending at each row (`0.0` on row 0).
    pub reinforcements: [Vec<f64>; 2],
    /// Directly recorded losses in the step ending at each row, if the column exists.
    pub casualties: [Option<Vec<Option<f64>>>; 2],
    /// 1-based line number of each row in the source text (for messages).
    pub line: Vec<usize>,
}

impl BattleData {
    /// Number of steps (rows minus one).
    pub fn steps(&self) -> usize {
        self.time.len() - 1
    }

    /// Length of one step, in the data's time unit.
    pub fn dt(&self) -> f64 {
        self.time[1] - self.time[0]
    }

    /// Number of observed strength cells after the start row, per side.
    pub fn observed_count(&self, side: usize) -> usize {
        self.strength[side][1..]
            .iter()
            .filter(|v| v.is_some())
            .count()
    }
}

/// What is wrong with a battle record, where, and how to fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataError {
    /// 1-based line number (0 when the whole file is concerned, e.g. empty).
    pub line: usize,
    /// The column concerned, if any.
    pub column: Option<String>,
    /// What is wrong.
    pub problem: String,
    /// How to fix it.
    pub fix: String,
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "line {}", self.line)?;
        } else {
            write!(f, "whole file")?;
        }
        if let Some(c) = &self.column {
            write!(f, ", column `{c}`")?;
        }
        write!(f, ": {}. Fix: {}", self.problem, self.fix)
    }
}

impl std::error::Error for DataError {}

/// A remark about the data that does not stop the fit (shown in `warnings`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataWarning {
    pub line: usize,
    pub message: String,
}

impl fmt::Display for DataWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

const KNOWN: [&str; 7] = [
    "time",
    "a",
    "b",
    "reinf_a",
    "reinf_b",
    "casualties_a",
    "casualties_b",
];

fn err(line: usize, column: Option<&str>, problem: String, fix: &str) -> DataError {
    DataError {
        line,
        column: column.map(str::to_string),
        problem,
        fix: fix.to_string(),
    }
}

/// Parses one numeric cell. `Ok(None)` for an empty cell.
fn cell(raw: &str, line: usize, column: &str) -> Result<Option<f64>, DataError> {
    let t = raw.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let v: f64 = t.parse().map_err(|_| {
        err(
            line,
            Some(column),
            format!("`{t}` is not a number"),
            "write a plain decimal number (no thousands separators or units), or leave the cell empty if it was not observed",
        )
    })?;
    if !v.is_finite() {
        return Err(err(
            line,
            Some(column),
            format!("`{t}` is not a finite number"),
            "write a finite number, or leave the cell empty if it was not observed",
        ));
    }
    Ok(Some(v))
}

/// Parses a battle record from CSV text. Returns the data and remarks about it.
pub fn parse_csv(text: &str) -> Result<(BattleData, Vec<DataWarning>), DataError> {
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
        .filter(|(_, l)| {
            let t = l.trim();
            !t.is_empty() && !t.starts_with('#')
        });

    let Some((header_line, header)) = lines.next() else {
        return Err(err(
            0,
            None,
            "the file is empty (no header, no data)".into(),
            "start with the header `time,a,b,reinf_a,reinf_b` and one row per step (see docs/fit.md)",
        ));
    };
    let names: Vec<String> = header
        .split(',')
        .map(|s| s.trim().to_ascii_lowercase())
        .collect();
    let mut index = [None; 7];
    for (pos, name) in names.iter().enumerate() {
        match KNOWN.iter().position(|k| k == name) {
            Some(k) if index[k].is_some() => {
                return Err(err(
                    header_line,
                    Some(name),
                    format!("column `{name}` appears twice in the header"),
                    "keep one column of each name",
                ));
            }
            Some(k) => index[k] = Some(pos),
            None => {
                let problem = if name.parse::<f64>().is_ok() {
                    "the first row is numbers, not a header".to_string()
                } else {
                    format!("unknown column `{name}`")
                };
                return Err(err(
                    header_line,
                    Some(name),
                    problem,
                    "the header names columns among time,a,b,reinf_a,reinf_b,casualties_a,casualties_b (time, a and b are required)",
                ));
            }
        }
    }
    for required in 0..3 {
        if index[required].is_none() {
            return Err(err(
                header_line,
                Some(KNOWN[required]),
                format!("the header has no `{}` column", KNOWN[required]),
                "the header must name at least time,a,b (e.g. `time,a,b,reinf_a,reinf_b`)",
            ));
        }
    }

    let mut data = BattleData {
        time: Vec::new(),
        strength: [Vec::new(), Vec::new()],
        reinforcements: [Vec::new(), Vec::new()],
        casualties: [index[5].map(|_| Vec::new()), index[6].map(|_| Vec::new())],
        line: Vec::new(),
    };
    let mut warnings = Vec::new();

    for (line, row) in lines {
        let fields: Vec<&str> = row.split(',').collect();
        if fields.len() != names.len() {
            return Err(err(
                line,
                None,
                format!(
                    "the row has {} fields but the header has {} columns",
                    fields.len(),
                    names.len()
                ),
                "give every row one field per header column (empty fields are allowed: `3,,1200,,`)",
            ));
        }
        let get = |k: usize| -> Result<Option<f64>, DataError> {
            match index[k] {
                Some(pos) => cell(fields[pos], line, KNOWN[k]),
                None => Ok(None),
            }
        };
        let row_index = data.time.len();

        let Some(t) = get(0)? else {
            return Err(err(
                line,
                Some("time"),
                "the time cell is empty".into(),
                "give every row its time; leave a and b empty instead if nothing was observed",
            ));
        };
        if let Some(&prev) = data.time.last() {
            if t <= prev {
                return Err(err(
                    line,
                    Some("time"),
                    format!("time {t} is not after the previous row's time {prev}"),
                    "sort the rows by increasing time and remove duplicate times",
                ));
            }
            if row_index >= 2 {
                let step = data.time[1] - data.time[0];
                let gap = t - prev;
                if (gap - step).abs() > 1e-9 * step.abs().max(1.0) {
                    let (problem, fix) = if gap > step {
                        (
                            format!(
                                "time jumps from {prev} to {t} but the step is {step} (set by the first two rows): rows are missing"
                            ),
                            format!(
                                "add a row for each missing time ({}...) with empty a and b cells where nothing was observed",
                                prev + step
                            ),
                        )
                    } else {
                        (
                            format!(
                                "time {t} is only {gap} after {prev} but the step is {step} (set by the first two rows)"
                            ),
                            "use one constant time step for all rows".to_string(),
                        )
                    };
                    return Err(DataError {
                        line,
                        column: Some("time".into()),
                        problem,
                        fix,
                    });
                }
            }
        }

        for side in SIDES {
            let column = KNOWN[1 + side];
            let s = get(1 + side)?;
            if let Some(v) = s
                && v < 0.0
            {
                return Err(err(
                    line,
                    Some(column),
                    format!("strength {v} is negative"),
                    "strengths are head counts (or equivalent units) and cannot be below 0; leave the cell empty if unknown",
                ));
            }
            let r = get(3 + side)?.unwrap_or(0.0);
            if r < 0.0 {
                return Err(err(
                    line,
                    Some(KNOWN[3 + side]),
                    format!("reinforcement {r} is negative"),
                    "reinforcements are arrivals (>= 0); withdrawals are not supported: remove the withdrawn units from the strengths and mention it in your notes",
                ));
            }
            if row_index == 0 && r != 0.0 {
                return Err(err(
                    line,
                    Some(KNOWN[3 + side]),
                    "the first row has reinforcements, but there is no step before it for them to arrive in".into(),
                    "include them in the starting strength, or add an earlier row (e.g. strength 0) so they arrive in the first step",
                ));
            }
            if let Some(col) = data.casualties[side].as_mut() {
                let c = get(5 + side)?;
                if let Some(v) = c {
                    if v < 0.0 {
                        return Err(err(
                            line,
                            Some(KNOWN[5 + side]),
                            format!("casualties {v} are negative"),
                            "casualties are losses in the step (>= 0); returns to duty belong in reinf_a/reinf_b",
                        ));
                    }
                    if row_index == 0 {
                        return Err(err(
                            line,
                            Some(KNOWN[5 + side]),
                            "the first row has casualties, but there is no step before it".into(),
                            "leave casualties empty on the first row",
                        ));
                    }
                }
                col.push(c);
            }
            data.strength[side].push(s);
            data.reinforcements[side].push(r);
        }
        data.time.push(t);
        data.line.push(line);
    }

    if data.time.is_empty() {
        return Err(err(
            header_line,
            None,
            "the file has a header but no data rows".into(),
            "add one row per step, starting with the strengths of both sides at the start",
        ));
    }
    if data.time.len() < 2 {
        return Err(err(
            data.line[0],
            None,
            "the file has only one data row (the start); nothing to fit".into(),
            "add one row per later step with the observed strengths",
        ));
    }
    for side in SIDES {
        if data.strength[side][0].is_none() {
            return Err(err(
                data.line[0],
                Some(KNOWN[1 + side]),
                "the first row (the start of the battle) does not give this side's strength".into(),
                "give both strengths on the first row; every fit starts from them",
            ));
        }
    }
    if SIDES.iter().all(|&s| data.observed_count(s) == 0)
        && data
            .casualties
            .iter()
            .all(|c| c.as_ref().is_none_or(|v| v.iter().all(|x| x.is_none())))
    {
        return Err(err(
            data.line[0],
            None,
            "no strength or casualty is observed after the start row".into(),
            "give the observed strengths (or casualties) of at least one side at later times",
        ));
    }

    // Remarks: a strength that rises more than its recorded reinforcements (negative implied loss).
    for side in SIDES {
        let obs = &data.strength[side];
        for i in 1..obs.len() {
            if let (Some(prev), Some(now)) = (obs[i - 1], obs[i]) {
                let implied = prev + data.reinforcements[side][i] - now;
                if implied < 0.0 {
                    warnings.push(DataWarning {
                        line: data.line[i],
                        message: format!(
                            "{} rises from {prev} to {now} with {} recorded reinforcements: the implied loss in this step is {implied} (a recording error, or returns to duty); loss-based methods merge this step with the one before",
                            ["a", "b"][side],
                            data.reinforcements[side][i]
                        ),
                    });
                }
            }
        }
    }
    Ok((data, warnings))
}
