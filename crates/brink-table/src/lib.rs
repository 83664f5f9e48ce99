//! brink-table: tables of named, typed columns, written row by row as CSV or as Parquet.
//!
//! A [`Schema`] is defined once per output table (in `brink-core::output`); the same rows of
//! [`Value`]s go to a [`CsvWriter`], a [`ParquetWriter`] or both. Writers write into any
//! `std::io::Write`; opening files (atomically) is the caller's business.
//!
//! The Parquet writer is small and dependency-free: numbers PLAIN, text dictionary-encoded, no
//! compression, one data page per column chunk, row groups of [`ROW_GROUP_ROWS`] rows (fewer
//! for wide tables: [`row_group_rows`]), Thrift compact metadata.
//! [`read_parquet_rows`] reads that subset back (for `brink merge`). Its
//! output is a pure function of the schema and the rows (no timestamps), so equal rows give equal
//! bytes. See docs/report.md for the reasons (build cost) and the column types.

#![forbid(unsafe_code)]

mod csv;
mod parquet;
mod parquet_read;
mod thrift;

pub use csv::{CsvWriter, csv_field, parse_csv_line};
pub use parquet::{ParquetWriter, ROW_GROUP_ROWS, row_group_rows};
pub use parquet_read::{Cell, read_parquet_rows};

use std::io;

/// The type of a column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColType {
    /// Signed 32-bit integer (Parquet INT32).
    Int32,
    /// Signed 64-bit integer (Parquet INT64).
    Int64,
    /// Unsigned 64-bit integer (Parquet INT64 annotated UINT_64; seeds).
    UInt64,
    /// 64-bit float (Parquet DOUBLE).
    Double,
    /// UTF-8 text (Parquet BYTE_ARRAY annotated STRING).
    Utf8,
    /// Calendar date (Parquet INT32 annotated DATE, days since 1970-01-01; ISO 8601 in CSV).
    Date,
}

impl ColType {
    /// The name used in docs and error messages.
    pub fn name(self) -> &'static str {
        match self {
            ColType::Int32 => "int32",
            ColType::Int64 => "int64",
            ColType::UInt64 => "uint64",
            ColType::Double => "double",
            ColType::Utf8 => "string",
            ColType::Date => "date",
        }
    }
}

/// A named, typed column; `nullable` columns may hold [`Value::Null`] (an empty CSV cell).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub ty: ColType,
    pub nullable: bool,
}

impl Column {
    pub fn new(name: impl Into<String>, ty: ColType, nullable: bool) -> Column {
        Column {
            name: name.into(),
            ty,
            nullable,
        }
    }
}

/// The columns of a table, in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Schema {
    pub columns: Vec<Column>,
}

impl Schema {
    pub fn new(columns: Vec<Column>) -> Schema {
        Schema { columns }
    }

    /// Appends a column.
    pub fn push(&mut self, name: impl Into<String>, ty: ColType, nullable: bool) {
        self.columns.push(Column::new(name, ty, nullable));
    }

    /// The CSV header line (without the newline).
    pub fn csv_header(&self) -> String {
        self.columns
            .iter()
            .map(|c| csv_field(&c.name))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Checks that a row fits the schema (count, types, nulls).
    pub fn check_row(&self, row: &[Value]) -> io::Result<()> {
        if row.len() != self.columns.len() {
            return Err(invalid(format!(
                "a row has {} values for {} columns",
                row.len(),
                self.columns.len()
            )));
        }
        for (c, v) in self.columns.iter().zip(row) {
            let ok = match v {
                Value::Null => c.nullable,
                Value::I32(_) => c.ty == ColType::Int32,
                Value::I64(_) => c.ty == ColType::Int64,
                Value::U64(_) => c.ty == ColType::UInt64,
                Value::F64(_) => c.ty == ColType::Double,
                Value::Str(_) => c.ty == ColType::Utf8,
                Value::Date { .. } => c.ty == ColType::Date,
            };
            if !ok {
                return Err(invalid(format!(
                    "column `{}` ({}{}) cannot hold {v:?}",
                    c.name,
                    c.ty.name(),
                    if c.nullable { ", nullable" } else { "" }
                )));
            }
        }
        Ok(())
    }
}

/// One cell.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value<'a> {
    Null,
    I32(i32),
    I64(i64),
    U64(u64),
    F64(f64),
    Str(&'a str),
    /// A date: days since 1970-01-01 and its ISO 8601 text (`YYYY-MM-DD`) for CSV.
    Date {
        days: i32,
        iso: &'a str,
    },
}

impl Value<'_> {
    /// `Null` for `None`.
    pub fn opt_f64(x: Option<f64>) -> Value<'static> {
        x.map_or(Value::Null, Value::F64)
    }
}

/// Where rows go: a CSV writer, a Parquet writer, or several.
pub trait TableSink {
    fn write_row(&mut self, row: &[Value]) -> io::Result<()>;
}

pub(crate) fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg)
}
