//! CSV: a header line, then one line per row. Numbers are written in the shortest decimal
//! form that reads back to the same value, in plain notation (`336912`, `0.0000001`), as Rust's
//! `{}` prints them (see [`push_f64`]); nulls are empty cells; text with a comma, quote or
//! newline is quoted.

use crate::{Schema, TableSink, Value};
use std::io::{self, Write};

/// Writes rows of a schema as CSV lines.
pub struct CsvWriter<W: Write> {
    out: W,
    schema: Schema,
    line: Vec<u8>,
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
            line: Vec::with_capacity(512),
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
        self.schema.check_row(row)?;
        self.line.clear();
        for (i, v) in row.iter().enumerate() {
            if i > 0 {
                self.line.push(b',');
            }
            match *v {
                Value::Null => {}
                Value::I32(x) => push_i64(&mut self.line, i64::from(x)),
                Value::I64(x) => push_i64(&mut self.line, x),
                Value::U64(x) => push_u64(&mut self.line, x),
                Value::F64(x) => push_f64(&mut self.line, x),
                Value::Str(s) => self.line.extend_from_slice(csv_field(s).as_bytes()),
                Value::Date { iso, .. } => self.line.extend_from_slice(iso.as_bytes()),
            }
        }
        self.line.push(b'\n');
        self.out.write_all(&self.line)
    }
}

/// Appends the decimal digits of `x` (as `{}` prints it).
fn push_u64(line: &mut Vec<u8>, mut x: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (x % 10) as u8;
        x /= 10;
        if x == 0 {
            break;
        }
    }
    line.extend_from_slice(&buf[i..]);
}

/// Appends `x` as `{}` prints it.
fn push_i64(line: &mut Vec<u8>, x: i64) {
    if x < 0 {
        line.push(b'-');
    }
    push_u64(line, x.unsigned_abs());
}

/// Appends `x` as `format!("{x}")` prints it (the shortest digits that read back to the same
/// number, in plain decimal notation: `336912`, `0.0000001`, `-0`), but without `core::fmt`:
/// whole numbers as integers, others from `zmij`'s shortest digits, laid out here. Formatting
/// floats was half the work of writing `runs.csv`. One difference: when two shortest candidates
/// are equally close (a value with few fractional bits, e.g. 1690060720831323.25), `zmij` and
/// `{}` may pick different ones; both read back to the same number. Tested against `{}` on
/// random bit patterns and typical values.
pub fn push_f64(line: &mut Vec<u8>, x: f64) {
    if !x.is_finite() {
        line.extend_from_slice(format!("{x}").as_bytes());
        return;
    }
    // Whole numbers (most counts) print as integers; -0 keeps its sign, as `{}` does.
    // (A cast, not `f64::trunc`, which is a library call on the baseline x86-64 target.)
    if x.abs() < 1e15 && (x as i64) as f64 == x {
        if x == 0.0 && x.is_sign_negative() {
            line.push(b'-');
        }
        push_i64(line, x as i64);
        return;
    }
    let mut buffer = zmij::Buffer::new();
    let printed = buffer.format_finite(x).as_bytes();
    let (negative, unsigned) = match printed.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, printed),
    };
    let (mantissa, exponent) = match unsigned.iter().position(|&b| b == b'e' || b == b'E') {
        Some(i) => (&unsigned[..i], parse_exponent(&unsigned[i + 1..])),
        None => (unsigned, 0),
    };
    // The mantissa's digits without the point, and where the point falls among them (a
    // shortest f64 has at most 17 digits; zmij may add a `.0`).
    let mut digits = [0u8; 32];
    let mut n = 0;
    let mut point = None;
    for &b in mantissa {
        if b == b'.' {
            point = Some(n);
        } else if n < digits.len() {
            digits[n] = b;
            n += 1;
        }
    }
    let mut point = point.unwrap_or(n) as i32 + exponent;
    let mut start = 0;
    while start < n && digits[start] == b'0' {
        start += 1;
        point -= 1;
    }
    while n > start && digits[n - 1] == b'0' {
        n -= 1;
    }
    let digits = &digits[start..n];
    if negative {
        line.push(b'-');
    }
    if digits.is_empty() {
        line.push(b'0');
    } else if point <= 0 {
        line.extend_from_slice(b"0.");
        line.resize(line.len() + point.unsigned_abs() as usize, b'0');
        line.extend_from_slice(digits);
    } else if point as usize >= digits.len() {
        line.extend_from_slice(digits);
        line.resize(line.len() + (point as usize - digits.len()), b'0');
    } else {
        let (whole, fraction) = digits.split_at(point as usize);
        line.extend_from_slice(whole);
        line.push(b'.');
        line.extend_from_slice(fraction);
    }
}

/// The exponent after zmij's `e`: an optional sign and up to 3 digits.
fn parse_exponent(text: &[u8]) -> i32 {
    let (sign, digits) = match text.split_first() {
        Some((b'-', rest)) => (-1, rest),
        Some((b'+', rest)) => (1, rest),
        _ => (1, text),
    };
    sign * digits.iter().fold(0i32, |e, &d| {
        e.saturating_mul(10)
            .saturating_add(i32::from(d.wrapping_sub(b'0')))
    })
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
    fn integers_print_as_display_does() {
        let mut line = Vec::new();
        for x in [0, 7, -7, 10, 1_000_000, i64::MAX, i64::MIN, -1] {
            line.clear();
            super::push_i64(&mut line, x);
            assert_eq!(String::from_utf8(line.clone()).unwrap(), x.to_string());
        }
        for x in [0, 9, 10, u64::MAX] {
            line.clear();
            super::push_u64(&mut line, x);
            assert_eq!(String::from_utf8(line.clone()).unwrap(), x.to_string());
        }
    }

    #[test]
    fn floats_print_as_display_does_and_read_back_exactly() {
        let mut cases: Vec<f64> = vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.1,
            0.3,
            1e-7,
            1.5e-300,
            5e-324,
            f64::MAX,
            f64::MIN_POSITIVE,
            336_912.0,
            1e15,
            1e16,
            1e21,
            1e22,
            123_456_789.012_345,
            2.0f64.powi(53),
            0.000_123,
            7.25e-5,
            1e100,
            1e23,
        ];
        // Random bit patterns (every magnitude) and values like the model's.
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut bit_patterns = Vec::new();
        for _ in 0..200_000 {
            bit_patterns.push(f64::from_bits(next()));
            let u = (next() >> 11) as f64 / (1u64 << 53) as f64;
            cases.push(u * 1e6);
            cases.push((u * 1e5).round() / 100.0);
            cases.push(u);
        }
        // Model-like values: exactly the text of `{}`.
        let mut bytes = Vec::new();
        let mut text = |x: f64| {
            bytes.clear();
            super::push_f64(&mut bytes, x);
            String::from_utf8(bytes.clone()).unwrap()
        };
        for &x in &cases {
            assert_eq!(text(x), format!("{x}"), "bits {:#x}", x.to_bits());
        }
        cases.extend(bit_patterns);
        let mut ties = 0;
        let n = cases.len();
        for x in cases.into_iter().filter(|x| x.is_finite()) {
            let line = text(x);
            // Always the same number back, bit for bit.
            assert_eq!(
                line.parse::<f64>().unwrap().to_bits(),
                x.to_bits(),
                "{line}"
            );
            let display = format!("{x}");
            if line != display {
                // Only a tie between two shortest candidates, differing in the last digit.
                assert_eq!(line.len(), display.len(), "{line} vs {display}");
                let (a, b) = (line.as_bytes(), display.as_bytes());
                let k = a.len() - 1;
                assert_eq!(a[..k], b[..k], "{line} vs {display}");
                assert_eq!(a[k].abs_diff(b[k]), 1, "{line} vs {display}");
                ties += 1;
            }
        }
        // Ties are rare: random bit patterns hit some (huge magnitudes), model-like values none.
        assert!(ties < n / 1000, "{ties} ties in {n}");
    }

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
