//! CSV: a header line, then one line per row. Numbers use Rust's shortest round-trip
//! formatting (parsing the text gives back the same value), nulls are empty cells, text with
//! a comma, quote or newline is quoted.

use crate::{Schema, TableSink, Value};
use std::io::{self, Write};

/// Writes rows of a schema as CSV lines.
pub struct CsvWriter<W: Write> {
    out: W,
    schema: Schema,
    line: String,
}

impl<W: Write> CsvWriter<W> {
    /// A writer that first writes the header line.
    pub fn new(mut out: W, schema: &Schema) -> io::Result<CsvWriter<W>> {
        writeln!(out, "{}", schema.csv_header())?;
        Ok(Self::without_header(out, schema))
    }

    /// A writer of rows only (to append to a file that has its header).
    pub fn without_header(out: W, schema: &Schema) -> CsvWriter<W> {
        CsvWriter {
            out,
            schema: schema.clone(),
            line: String::with_capacity(512),
        }
    }

    /// The underlying writer, e.g. to append lines that are already CSV text.
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.out
    }

    /// The underlying writer (flush or commit it yourself).
    pub fn into_inner(self) -> W {
        self.out
    }
}

impl<W: Write> TableSink for CsvWriter<W> {
    fn write_row(&mut self, row: &[Value]) -> io::Result<()> {
        use std::fmt::Write as _;
        self.schema.check_row(row)?;
        self.line.clear();
        for (i, v) in row.iter().enumerate() {
            if i > 0 {
                self.line.push(',');
            }
            let _ = match v {
                Value::Null => Ok(()),
                Value::I32(x) => write!(self.line, "{x}"),
                Value::I64(x) => write!(self.line, "{x}"),
                Value::U64(x) => write!(self.line, "{x}"),
                Value::F64(x) => write!(self.line, "{x}"),
                Value::Str(s) => {
                    self.line.push_str(&csv_field(s));
                    Ok(())
                }
                Value::Date { iso, .. } => {
                    self.line.push_str(iso);
                    Ok(())
                }
            };
        }
        self.line.push('\n');
        self.out.write_all(self.line.as_bytes())
    }
}

/// A CSV cell: quoted (quotes doubled) if it holds a comma, a quote or a newline.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Splits one CSV line (without its newline) into cells, undoing [`csv_field`]'s quoting.
/// `None` if a quoted cell is not closed.
pub fn parse_csv_line(line: &str) -> Option<Vec<String>> {
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    let mut at_start = true;
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    cell.push('"');
                } else {
                    quoted = false;
                }
            } else {
                cell.push(c);
            }
        } else if c == '"' && at_start {
            quoted = true;
            at_start = false;
        } else if c == ',' {
            cells.push(std::mem::take(&mut cell));
            at_start = true;
        } else {
            cell.push(c);
            at_start = false;
        }
    }
    if quoted {
        return None;
    }
    cells.push(cell);
    Some(cells)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ColType, Column};

    #[test]
    fn csv_rows_format_numbers_nulls_and_quotes() {
        let schema = Schema::new(vec![
            Column::new("a", ColType::Int32, false),
            Column::new("b", ColType::Double, true),
            Column::new("c", ColType::Utf8, true),
            Column::new("d", ColType::Date, false),
        ]);
        let mut w = CsvWriter::new(Vec::new(), &schema).unwrap();
        w.write_row(&[
            Value::I32(-3),
            Value::F64(0.1),
            Value::Str("x, \"y\""),
            Value::Date {
                days: 0,
                iso: "1970-01-01",
            },
        ])
        .unwrap();
        w.write_row(&[
            Value::I32(7),
            Value::Null,
            Value::Null,
            Value::Date {
                days: 1,
                iso: "1970-01-02",
            },
        ])
        .unwrap();
        let text = String::from_utf8(w.into_inner()).unwrap();
        assert_eq!(
            text,
            "a,b,c,d\n-3,0.1,\"x, \"\"y\"\"\",1970-01-01\n7,,,1970-01-02\n"
        );
        let cells = parse_csv_line(text.lines().nth(1).unwrap()).unwrap();
        assert_eq!(cells, ["-3", "0.1", "x, \"y\"", "1970-01-01"]);
        assert_eq!(parse_csv_line("a,\"b").map(|_| ()), None);
    }

    #[test]
    fn rows_that_do_not_fit_the_schema_are_refused() {
        let schema = Schema::new(vec![Column::new("a", ColType::Int32, false)]);
        let mut w = CsvWriter::without_header(Vec::new(), &schema);
        let e = w.write_row(&[Value::Null]).unwrap_err();
        assert!(e.to_string().contains("column `a` (int32)"), "{e}");
        let e = w.write_row(&[Value::F64(1.0)]).unwrap_err();
        assert!(e.to_string().contains("cannot hold"), "{e}");
        assert!(w.write_row(&[]).is_err());
    }
}
