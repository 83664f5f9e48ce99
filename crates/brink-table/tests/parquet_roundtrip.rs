//! Parquet round trip: files written by brink-table, read back by an independent reader (the
//! `parquet` crate), give the same column names, types and values, nulls included.

use brink_table::{ColType, Column, ParquetWriter, ROW_GROUP_ROWS, Schema, TableSink, Value};
use parquet::basic::{ConvertedType, IntType, LogicalType, Repetition, Type as PhysicalType};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;

fn schema() -> Schema {
    Schema::new(vec![
        Column::new("run", ColType::Int64, false),
        Column::new("seed", ColType::UInt64, false),
        Column::new("week", ColType::Int32, false),
        Column::new("date", ColType::Date, false),
        Column::new("final.RU.at_front", ColType::Double, true),
        Column::new("outcome", ColType::Utf8, true),
    ])
}

/// Row `i` of the test table: every type, nulls in a pattern, non-ASCII and empty text.
fn row_values(i: u64) -> (i64, u64, i32, i32, Option<f64>, Option<String>) {
    let x = (i % 7 != 3).then_some((i as f64) * 0.1 - 3.0);
    let text = match i % 5 {
        0 => None,
        1 => Some(String::new()),
        2 => Some("ru_military_victory".to_string()),
        3 => Some("Kyiv, Київ \"q\"".to_string()),
        _ => Some(format!("row {i}")),
    };
    (
        i as i64 - 5,
        u64::MAX - i * 1_000_003,
        (i % 53) as i32,
        19_256 + (i % 53) as i32 * 7,
        x,
        text,
    )
}

fn write(n: u64) -> Vec<u8> {
    let mut w = ParquetWriter::new(Vec::new(), &schema()).unwrap();
    for i in 0..n {
        let (run, seed, week, days, x, text) = row_values(i);
        w.write_row(&[
            Value::I64(run),
            Value::U64(seed),
            Value::I32(week),
            Value::Date { days, iso: "" },
            Value::opt_f64(x),
            text.as_deref().map_or(Value::Null, Value::Str),
        ])
        .unwrap();
    }
    w.finish().unwrap()
}

fn read_back(bytes: Vec<u8>, n: u64) {
    let reader = SerializedFileReader::new(bytes::Bytes::from(bytes)).expect("a valid file");
    let meta = reader.metadata();
    assert_eq!(meta.file_metadata().num_rows(), n as i64);
    let expected_groups = (n as usize)
        .div_ceil(ROW_GROUP_ROWS)
        .max(if n == 0 { 0 } else { 1 });
    assert_eq!(meta.num_row_groups(), expected_groups);
    let descr = meta.file_metadata().schema_descr();
    let cols: Vec<_> = (0..descr.num_columns()).map(|i| descr.column(i)).collect();
    let names: Vec<&str> = cols.iter().map(|c| c.name()).collect();
    assert_eq!(
        names,
        [
            "run",
            "seed",
            "week",
            "date",
            "final.RU.at_front",
            "outcome"
        ]
    );
    let phys: Vec<PhysicalType> = cols.iter().map(|c| c.physical_type()).collect();
    assert_eq!(
        phys,
        [
            PhysicalType::INT64,
            PhysicalType::INT64,
            PhysicalType::INT32,
            PhysicalType::INT32,
            PhysicalType::DOUBLE,
            PhysicalType::BYTE_ARRAY
        ]
    );
    assert_eq!(cols[1].converted_type(), ConvertedType::UINT_64);
    assert_eq!(
        cols[1].logical_type_ref(),
        Some(&LogicalType::Integer(IntType {
            bit_width: 64,
            is_signed: false
        }))
    );
    assert_eq!(cols[3].logical_type_ref(), Some(&LogicalType::Date));
    assert_eq!(cols[5].logical_type_ref(), Some(&LogicalType::String));
    let rep: Vec<Repetition> = cols
        .iter()
        .map(|c| c.self_type().get_basic_info().repetition())
        .collect();
    assert_eq!(
        rep,
        [
            Repetition::REQUIRED,
            Repetition::REQUIRED,
            Repetition::REQUIRED,
            Repetition::REQUIRED,
            Repetition::OPTIONAL,
            Repetition::OPTIONAL
        ]
    );

    let mut count = 0u64;
    for (i, row) in reader.get_row_iter(None).unwrap().enumerate() {
        let row = row.expect("row decodes");
        let i = i as u64;
        let (run, seed, week, days, x, text) = row_values(i);
        let fields: Vec<&Field> = row.get_column_iter().map(|(_, f)| f).collect();
        assert_eq!(fields[0], &Field::Long(run), "row {i}");
        assert_eq!(fields[1], &Field::ULong(seed), "row {i}");
        assert_eq!(fields[2], &Field::Int(week), "row {i}");
        assert_eq!(fields[3], &Field::Date(days), "row {i}");
        match x {
            Some(v) => assert_eq!(fields[4], &Field::Double(v), "row {i}"),
            None => assert_eq!(fields[4], &Field::Null, "row {i}"),
        }
        match text {
            Some(s) => assert_eq!(fields[5], &Field::Str(s), "row {i}"),
            None => assert_eq!(fields[5], &Field::Null, "row {i}"),
        }
        count += 1;
    }
    assert_eq!(count, n);
}

#[test]
fn parquet_round_trip_small_table() {
    read_back(write(100), 100);
}

#[test]
fn parquet_round_trip_several_row_groups() {
    let n = ROW_GROUP_ROWS as u64 + 1234;
    read_back(write(n), n);
}

#[test]
fn parquet_round_trip_empty_table() {
    read_back(write(0), 0);
}

#[test]
fn parquet_bytes_depend_on_the_rows_only() {
    assert_eq!(write(500), write(500));
    assert_ne!(write(500), write(501));
}
