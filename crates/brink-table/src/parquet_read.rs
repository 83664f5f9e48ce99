//! Reads back the Parquet files [`crate::ParquetWriter`] writes, and any file of the same
//! subset: a flat schema, uncompressed v1 data pages, PLAIN or dictionary-encoded values (a
//! PLAIN dictionary page, then RLE/bit-packed indices), RLE/bit-packed definition levels.
//! `brink merge` uses it to combine shards written with `--format parquet` only. Every offset
//! and length is checked: a damaged or foreign file is an error, never a panic.

use crate::parquet::{ENCODING_PLAIN, ENCODING_RLE_DICTIONARY, PAGE_DATA, PAGE_DICTIONARY};
use crate::thrift::{self, Decoder};
use crate::{ColType, Schema};
use std::io;

/// One cell as stored: the physical value (dates as days since 1970-01-01, unsigned integers as
/// their two's-complement `i64`).
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Null,
    I32(i32),
    I64(i64),
    F64(f64),
    Str(String),
}

fn bad(what: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.into())
}

const MAGIC: &[u8; 4] = b"PAR1";

fn physical_name(t: i32) -> &'static str {
    match t {
        0 => "BOOLEAN",
        1 => "INT32",
        2 => "INT64",
        3 => "INT96",
        4 => "FLOAT",
        5 => "DOUBLE",
        6 => "BYTE_ARRAY",
        7 => "FIXED_LEN_BYTE_ARRAY",
        _ => "an unknown type",
    }
}

fn expected_physical(ty: ColType) -> i32 {
    match ty {
        ColType::Int32 | ColType::Date => 1,
        ColType::Int64 | ColType::UInt64 => 2,
        ColType::Double => 5,
        ColType::Utf8 => 6,
    }
}

struct ChunkInfo {
    codec: i32,
    num_values: i64,
    data_page_offset: i64,
    dictionary_page_offset: Option<i64>,
}

struct GroupInfo {
    rows: i64,
    chunks: Vec<ChunkInfo>,
}

/// Reads every row of a Parquet file whose columns are `schema`'s (names, types and
/// nullability), in file order, calling `on_row` with each. Returns the number of rows.
pub fn read_parquet_rows(
    bytes: &[u8],
    schema: &Schema,
    mut on_row: impl FnMut(&[Cell]) -> io::Result<()>,
) -> io::Result<u64> {
    let n = bytes.len();
    if n < 12 || &bytes[..4] != MAGIC || &bytes[n - 4..] != MAGIC {
        return Err(bad("not a Parquet file (no PAR1 magic)"));
    }
    let meta_len = u32::from_le_bytes(bytes[n - 8..n - 4].try_into().expect("4 bytes")) as usize;
    let meta_start = (n - 8)
        .checked_sub(meta_len)
        .filter(|&s| s >= 4)
        .ok_or_else(|| bad("footer length out of range"))?;
    let groups = file_metadata(&bytes[meta_start..n - 8], schema)?;
    let mut rows = 0u64;
    for g in &groups {
        if g.chunks.len() != schema.columns.len() {
            return Err(bad("a row group does not have one chunk per column"));
        }
        // A row takes at least one bit of the file (a definition level): a larger count is a
        // damaged header, refused before anything is allocated for it.
        let nrows = usize::try_from(g.rows)
            .ok()
            .filter(|&r| r <= n.saturating_mul(8))
            .ok_or_else(|| bad("row count out of range"))?;
        let mut columns: Vec<Vec<Cell>> = schema
            .columns
            .iter()
            .zip(&g.chunks)
            .map(|(c, ch)| read_chunk(bytes, c.ty, c.nullable, ch, nrows, &c.name))
            .collect::<io::Result<_>>()?;
        let mut row = Vec::with_capacity(columns.len());
        for r in 0..nrows {
            row.clear();
            // Moved out, not cloned: each cell is handed over once.
            row.extend(
                columns
                    .iter_mut()
                    .map(|col| std::mem::replace(&mut col[r], Cell::Null)),
            );
            on_row(&row)?;
        }
        rows += nrows as u64;
    }
    Ok(rows)
}

/// Parses FileMetaData: checks the schema against `schema`, returns the row groups.
fn file_metadata(meta: &[u8], schema: &Schema) -> io::Result<Vec<GroupInfo>> {
    let mut d = Decoder::new(meta);
    let mut columns: Vec<(i32, i32, String)> = Vec::new();
    let mut groups = Vec::new();
    while let Some((id, ty)) = d.field()? {
        match (id, ty) {
            (2, thrift::LIST) => {
                let (_, n) = d.list()?;
                for i in 0..n {
                    d.begin_struct()?;
                    let (mut t, mut rep, mut name) = (-1, 0, String::new());
                    while let Some((fid, fty)) = d.field()? {
                        match (fid, fty) {
                            (1, thrift::I32) => t = d.i32()?,
                            (3, thrift::I32) => rep = d.i32()?,
                            (4, thrift::BINARY) => {
                                name = String::from_utf8_lossy(d.binary()?).into_owned()
                            }
                            _ => d.skip(fty)?,
                        }
                    }
                    // Element 0 is the root (a group, no type).
                    if i > 0 {
                        columns.push((t, rep, name));
                    }
                }
            }
            (4, thrift::LIST) => {
                let (_, n) = d.list()?;
                for _ in 0..n {
                    groups.push(row_group(&mut d)?);
                }
            }
            _ => d.skip(ty)?,
        }
    }
    if columns.len() != schema.columns.len() {
        return Err(bad(format!(
            "{} columns, expected {} (a table of another scenario or version?)",
            columns.len(),
            schema.columns.len()
        )));
    }
    for ((t, rep, name), c) in columns.iter().zip(&schema.columns) {
        if *name != c.name {
            return Err(bad(format!(
                "column `{name}` where `{}` was expected",
                c.name
            )));
        }
        if *t != expected_physical(c.ty) {
            return Err(bad(format!(
                "column `{name}` is {}, expected {}",
                physical_name(*t),
                physical_name(expected_physical(c.ty))
            )));
        }
        // REQUIRED = 0, OPTIONAL = 1.
        if *rep != i32::from(c.nullable) {
            return Err(bad(format!(
                "column `{name}`: nullability differs from the expected table"
            )));
        }
    }
    Ok(groups)
}

fn row_group(d: &mut Decoder) -> io::Result<GroupInfo> {
    d.begin_struct()?;
    let mut g = GroupInfo {
        rows: 0,
        chunks: Vec::new(),
    };
    while let Some((id, ty)) = d.field()? {
        match (id, ty) {
            (1, thrift::LIST) => {
                let (_, n) = d.list()?;
                for _ in 0..n {
                    g.chunks.push(column_chunk(d)?);
                }
            }
            (3, thrift::I64) => g.rows = d.i64()?,
            _ => d.skip(ty)?,
        }
    }
    Ok(g)
}

fn column_chunk(d: &mut Decoder) -> io::Result<ChunkInfo> {
    d.begin_struct()?;
    let mut ch = ChunkInfo {
        codec: 0,
        num_values: 0,
        data_page_offset: -1,
        dictionary_page_offset: None,
    };
    while let Some((id, ty)) = d.field()? {
        if (id, ty) != (3, thrift::STRUCT) {
            d.skip(ty)?;
            continue;
        }
        d.begin_struct()?;
        while let Some((fid, fty)) = d.field()? {
            match (fid, fty) {
                (4, thrift::I32) => ch.codec = d.i32()?,
                (5, thrift::I64) => ch.num_values = d.i64()?,
                (9, thrift::I64) => ch.data_page_offset = d.i64()?,
                (11, thrift::I64) => ch.dictionary_page_offset = Some(d.i64()?),
                _ => d.skip(fty)?,
            }
        }
    }
    Ok(ch)
}

/// Reads one column chunk's values: `rows` cells.
fn read_chunk(
    bytes: &[u8],
    ty: ColType,
    nullable: bool,
    ch: &ChunkInfo,
    rows: usize,
    name: &str,
) -> io::Result<Vec<Cell>> {
    let ctx = |what: &str| bad(format!("column `{name}`: {what}"));
    if ch.codec != 0 {
        return Err(ctx(
            "compressed pages are not supported (brink writes uncompressed Parquet)",
        ));
    }
    if usize::try_from(ch.num_values).ok() != Some(rows) {
        return Err(ctx("value count differs from the row count"));
    }
    // A chunk starts with its dictionary page, if it has one.
    let first = ch.dictionary_page_offset.unwrap_or(ch.data_page_offset);
    let mut pos = usize::try_from(first).map_err(|_| ctx("no data page"))?;
    let mut dictionary: Option<Vec<Cell>> = None;
    let mut cells = Vec::with_capacity(rows);
    while cells.len() < rows {
        let header = bytes
            .get(pos..)
            .ok_or_else(|| ctx("page offset beyond the file"))?;
        let mut d = Decoder::new(header);
        let (mut page_type, mut size, mut values, mut encoding) = (-1, -1i64, -1i64, 0);
        while let Some((id, fty)) = d.field()? {
            match (id, fty) {
                (1, thrift::I32) => page_type = d.i32()?,
                (3, thrift::I32) => size = i64::from(d.i32()?),
                // DataPageHeader and DictionaryPageHeader: the value count, then the encoding.
                (5 | 7, thrift::STRUCT) => {
                    d.begin_struct()?;
                    while let Some((fid, t)) = d.field()? {
                        match (fid, t) {
                            (1, thrift::I32) => values = i64::from(d.i32()?),
                            (2, thrift::I32) => encoding = d.i32()?,
                            _ => d.skip(t)?,
                        }
                    }
                }
                _ => d.skip(fty)?,
            }
        }
        let start = pos + d.position();
        let size = usize::try_from(size).map_err(|_| ctx("negative page size"))?;
        let page = start
            .checked_add(size)
            .and_then(|end| bytes.get(start..end))
            .ok_or_else(|| ctx("page beyond the end of the file"))?;
        pos = start + size;
        match (page_type, encoding) {
            // A dictionary page: PLAIN values (PLAIN_DICTIONARY in older writers); every value
            // takes at least four bytes, which bounds the count before anything is allocated.
            (PAGE_DICTIONARY, ENCODING_PLAIN | ENCODING_PLAIN_DICTIONARY) => {
                if dictionary.is_some() || !cells.is_empty() {
                    return Err(ctx("a dictionary page after the first page"));
                }
                let values = usize::try_from(values)
                    .ok()
                    .filter(|&v| v <= page.len() / 4)
                    .ok_or_else(|| ctx("dictionary size out of range"))?;
                let mut dict = Vec::with_capacity(values);
                read_page(page, ty, false, values, &mut dict).map_err(|e| ctx(&e))?;
                dictionary = Some(dict);
                continue;
            }
            (PAGE_DICTIONARY, _) => return Err(ctx("a dictionary page not PLAIN-encoded")),
            (PAGE_DATA, _) => {}
            _ => return Err(ctx("only v1 data pages and dictionary pages are supported")),
        }
        let values = usize::try_from(values)
            .ok()
            .filter(|&v| v > 0 && v <= rows - cells.len())
            .ok_or_else(|| ctx("page value count out of range"))?;
        match encoding {
            ENCODING_PLAIN => read_page(page, ty, nullable, values, &mut cells),
            ENCODING_RLE_DICTIONARY | ENCODING_PLAIN_DICTIONARY => {
                let dict = dictionary
                    .as_deref()
                    .ok_or_else(|| ctx("dictionary-encoded values without a dictionary page"))?;
                read_dictionary_page(page, nullable, values, dict, &mut cells)
            }
            _ => Err("values neither PLAIN nor dictionary-encoded".into()),
        }
        .map_err(|e| ctx(&e))?;
    }
    Ok(cells)
}

/// The dictionary encoding of older writers, read as [`ENCODING_RLE_DICTIONARY`] (brink writes
/// the latter).
const ENCODING_PLAIN_DICTIONARY: i32 = 2;

/// The definition levels of a page of `count` values, and the bytes after them.
fn split_levels(page: &[u8], nullable: bool, count: usize) -> Result<(Vec<bool>, &[u8]), String> {
    if !nullable {
        return Ok((vec![true; count], page));
    }
    let len = page
        .get(..4)
        .map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")) as usize)
        .ok_or("truncated definition levels")?;
    let levels = page
        .get(4..)
        .and_then(|b| b.get(..len))
        .ok_or("truncated definition levels")?;
    Ok((definition_levels(levels, count)?, &page[4 + len..]))
}

/// Decodes one dictionary-encoded page of `count` values (definition levels, then the indices'
/// bit width in one byte and the indices in the RLE/bit-packed hybrid encoding) into `out`.
fn read_dictionary_page(
    page: &[u8],
    nullable: bool,
    count: usize,
    dictionary: &[Cell],
    out: &mut Vec<Cell>,
) -> Result<(), String> {
    let (present, rest) = split_levels(page, nullable, count)?;
    let defined = present.iter().filter(|&&p| p).count();
    let (&bit_width, packed) = rest.split_first().ok_or("truncated dictionary indices")?;
    let ids = if defined == 0 {
        Vec::new()
    } else {
        hybrid(packed, defined, u32::from(bit_width))?
    };
    let mut ids = ids.into_iter();
    for p in present {
        if !p {
            out.push(Cell::Null);
            continue;
        }
        let id = ids.next().ok_or("missing dictionary index")?;
        let cell = dictionary
            .get(id as usize)
            .ok_or("dictionary index out of range")?;
        out.push(cell.clone());
    }
    Ok(())
}

/// Decodes one page of `count` values (definition levels, then PLAIN values) into `out`.
fn read_page(
    page: &[u8],
    ty: ColType,
    nullable: bool,
    count: usize,
    out: &mut Vec<Cell>,
) -> Result<(), String> {
    let (present, mut rest) = split_levels(page, nullable, count)?;
    let mut take = |n: usize| -> Result<&[u8], String> {
        let (head, tail) = rest.split_at_checked(n).ok_or("truncated values")?;
        rest = tail;
        Ok(head)
    };
    for p in present {
        if !p {
            out.push(Cell::Null);
            continue;
        }
        out.push(match ty {
            ColType::Int32 | ColType::Date => {
                Cell::I32(i32::from_le_bytes(take(4)?.try_into().expect("4 bytes")))
            }
            ColType::Int64 | ColType::UInt64 => {
                Cell::I64(i64::from_le_bytes(take(8)?.try_into().expect("8 bytes")))
            }
            ColType::Double => Cell::F64(f64::from_le_bytes(take(8)?.try_into().expect("8 bytes"))),
            ColType::Utf8 => {
                let n = u32::from_le_bytes(take(4)?.try_into().expect("4 bytes")) as usize;
                let s = std::str::from_utf8(take(n)?).map_err(|_| "text that is not UTF-8")?;
                Cell::Str(s.to_string())
            }
        });
    }
    Ok(())
}

/// Definition levels of bit width 1 in the RLE/bit-packed hybrid encoding: `count` flags.
fn definition_levels(b: &[u8], count: usize) -> Result<Vec<bool>, String> {
    Ok(hybrid(b, count, 1)?.into_iter().map(|v| v == 1).collect())
}

/// `count` values of `bit_width` bits (at most 32) in the RLE/bit-packed hybrid encoding: runs
/// with a varint header, `count << 1` followed by one value in whole bytes, or
/// `groups << 1 | 1` followed by groups of eight values packed least significant bit first.
fn hybrid(mut b: &[u8], count: usize, bit_width: u32) -> Result<Vec<u32>, String> {
    if bit_width > 32 {
        return Err("bit width over 32".into());
    }
    let value_bytes = bit_width.div_ceil(8) as usize;
    let mask = if bit_width == 32 {
        u32::MAX
    } else {
        (1u32 << bit_width) - 1
    };
    let mut out = Vec::with_capacity(count);
    while out.len() < count {
        let header = thrift::take_varint(&mut b).map_err(|e| format!("run header: {e}"))?;
        let left = count - out.len();
        if header & 1 == 0 {
            let n = usize::try_from(header >> 1).map_err(|_| "run too long")?;
            let (bytes, tail) = b.split_at_checked(value_bytes).ok_or("truncated run")?;
            b = tail;
            let mut v = [0u8; 4];
            v[..value_bytes].copy_from_slice(bytes);
            let v = u32::from_le_bytes(v);
            if n == 0 || n > left || v > mask {
                return Err("run out of range".into());
            }
            out.extend(std::iter::repeat_n(v, n));
        } else {
            let groups = usize::try_from(header >> 1).map_err(|_| "run too long")?;
            let len = groups
                .checked_mul(bit_width as usize)
                .ok_or("run too long")?;
            let (packed, tail) = b.split_at_checked(len).ok_or("truncated run")?;
            b = tail;
            let (mut acc, mut bits) = (0u64, 0u32);
            let mut bytes = packed.iter();
            // Values past `count` are padding: not decoded (and a huge group count of width 0,
            // which spans no bytes, cannot spin).
            for _ in 0..groups.saturating_mul(8).min(left) {
                while bits < bit_width {
                    let byte = bytes.next().ok_or("truncated run")?;
                    acc |= u64::from(*byte) << bits;
                    bits += 8;
                }
                out.push((acc as u32) & mask);
                acc >>= bit_width;
                bits -= bit_width;
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Column, ParquetWriter, ROW_GROUP_ROWS, TableSink, Value};

    fn schema() -> Schema {
        Schema::new(vec![
            Column::new("run", ColType::Int64, false),
            Column::new("seed", ColType::UInt64, false),
            Column::new("x", ColType::Double, true),
            Column::new("label", ColType::Utf8, true),
            Column::new("week", ColType::Int32, false),
            Column::new("date", ColType::Date, false),
        ])
    }

    fn write(rows: usize) -> Vec<u8> {
        let s = schema();
        let mut w = ParquetWriter::new(Vec::new(), &s).unwrap();
        for i in 0..rows {
            let label = format!("r{i}");
            let row = [
                Value::I64(i as i64),
                Value::U64(u64::MAX - i as u64),
                if i.is_multiple_of(3) {
                    Value::Null
                } else {
                    Value::F64(i as f64 * 0.1)
                },
                if i.is_multiple_of(5) {
                    Value::Null
                } else {
                    Value::Str(&label)
                },
                Value::I32(i as i32 % 53),
                Value::Date {
                    days: 19_256 + i as i32,
                    iso: "unused",
                },
            ];
            w.write_row(&row).unwrap();
        }
        w.finish().unwrap()
    }

    #[test]
    fn reads_back_every_row_the_writer_wrote() {
        // Two row groups, nulls in both nullable columns.
        let rows = ROW_GROUP_ROWS + 7;
        let bytes = write(rows);
        let mut seen = 0usize;
        let n = read_parquet_rows(&bytes, &schema(), |row| {
            let i = seen;
            assert_eq!(row[0], Cell::I64(i as i64));
            assert_eq!(row[1], Cell::I64((u64::MAX - i as u64) as i64));
            let x = if i.is_multiple_of(3) {
                Cell::Null
            } else {
                Cell::F64(i as f64 * 0.1)
            };
            assert_eq!(row[2], x);
            let label = if i.is_multiple_of(5) {
                Cell::Null
            } else {
                Cell::Str(format!("r{i}"))
            };
            assert_eq!(row[3], label);
            assert_eq!(row[4], Cell::I32(i as i32 % 53));
            assert_eq!(row[5], Cell::I32(19_256 + i as i32));
            seen += 1;
            Ok(())
        })
        .unwrap();
        assert_eq!((n as usize, seen), (rows, rows));
    }

    #[test]
    fn repeated_text_is_dictionary_encoded_and_reads_back() {
        // Few distinct texts, in runs and alternating, with nulls, and a text column that is
        // null throughout (no dictionary at all).
        let s = Schema::new(vec![
            Column::new("side", ColType::Utf8, false),
            Column::new("event", ColType::Utf8, true),
            Column::new("never", ColType::Utf8, true),
        ]);
        let sides = ["RU", "UA"];
        let events = ["partial_mobilization", "annexation", "nuclear_alert"];
        let expected = |i: usize| {
            (
                sides[i / 7 % 2],
                (!i.is_multiple_of(4)).then(|| events[i % 3]),
            )
        };
        let rows = 20_000;
        let mut w = ParquetWriter::new(Vec::new(), &s).unwrap();
        for i in 0..rows {
            let (side, event) = expected(i);
            w.write_row(&[
                Value::Str(side),
                event.map_or(Value::Null, Value::Str),
                Value::Null,
            ])
            .unwrap();
        }
        let bytes = w.finish().unwrap();
        // PLAIN text alone would take 6 bytes a side and ~18 an event: 400 kB.
        assert!(bytes.len() < 80_000, "{} bytes", bytes.len());
        let mut i = 0;
        read_parquet_rows(&bytes, &s, |row| {
            let (side, event) = expected(i);
            assert_eq!(row[0], Cell::Str(side.into()), "row {i}");
            assert_eq!(
                row[1],
                event.map_or(Cell::Null, |e| Cell::Str(e.into())),
                "row {i}"
            );
            assert_eq!(row[2], Cell::Null);
            i += 1;
            Ok(())
        })
        .unwrap();
        assert_eq!(i, rows);
    }

    #[test]
    fn wide_tables_get_shorter_row_groups_and_read_back() {
        assert_eq!(crate::row_group_rows(6), ROW_GROUP_ROWS);
        assert_eq!(crate::row_group_rows(171), 49_056);
        assert_eq!(crate::row_group_rows(100_000), 1024);
        // 600 columns: groups of 13,981 rows, so 20,000 rows make two.
        let cols = 600;
        let s = Schema::new(
            (0..cols)
                .map(|c| Column::new(format!("c{c}"), ColType::Double, false))
                .collect(),
        );
        let mut w = ParquetWriter::new(Vec::new(), &s).unwrap();
        let rows = 20_000;
        for i in 0..rows {
            let row: Vec<Value> = (0..cols)
                .map(|c| Value::F64((i * cols + c) as f64))
                .collect();
            w.write_row(&row).unwrap();
        }
        let bytes = w.finish().unwrap();
        let mut i = 0;
        let n = read_parquet_rows(&bytes, &s, |row| {
            assert_eq!(row[7], Cell::F64((i * cols + 7) as f64));
            i += 1;
            Ok(())
        })
        .unwrap();
        assert_eq!(n as usize, rows);
        let groups = file_metadata(
            &bytes[bytes.len()
                - 8
                - u32::from_le_bytes(bytes[bytes.len() - 8..bytes.len() - 4].try_into().unwrap())
                    as usize..bytes.len() - 8],
            &s,
        )
        .unwrap();
        assert_eq!(
            groups.iter().map(|g| g.rows).collect::<Vec<_>>(),
            [13_981, 6_019]
        );
    }

    #[test]
    fn bit_packed_runs_of_any_width_are_read() {
        // Width 3, one group: values 0..8 packed LSB first into 3 bytes (0b10_001_000,
        // 0b1_100_011_0, 0b111_110_1), as other writers (e.g. pyarrow) emit indices.
        let v = hybrid(&[0x03, 0b1000_1000, 0b1100_0110, 0b1111_1010], 8, 3).unwrap();
        assert_eq!(v, [0, 1, 2, 3, 4, 5, 6, 7]);
        // An RLE run of width 9 takes two bytes; padding past `count` is not returned.
        assert_eq!(hybrid(&[0x06, 0x2c, 0x01], 3, 9).unwrap(), [300, 300, 300]);
        assert_eq!(
            hybrid(&[0x03, 0b1000_1000, 0b1100_0110, 0b1111_1010], 5, 3).unwrap(),
            [0, 1, 2, 3, 4]
        );
        // A value wider than the bit width, a truncated run: errors.
        assert!(hybrid(&[0x02, 0x09], 1, 3).is_err());
        assert!(hybrid(&[0x03, 0x00], 8, 3).is_err());
    }

    #[test]
    fn bit_packed_definition_levels_are_read() {
        // Header (1 group << 1) | 1, then 0b1010_0101: flags 1,0,1,0,0,1,0,1.
        let flags = definition_levels(&[0x03, 0b1010_0101], 8).unwrap();
        assert_eq!(flags, [true, false, true, false, false, true, false, true]);
    }

    #[test]
    fn another_schema_or_a_damaged_file_is_an_error_not_a_panic() {
        let bytes = write(50);
        let mut other = schema();
        other.columns[2] = Column::new("y", ColType::Double, true);
        let e = read_parquet_rows(&bytes, &other, |_| Ok(())).unwrap_err();
        assert!(e.to_string().contains("column `x` where `y`"), "{e}");
        other = schema();
        other.columns[2].ty = ColType::Int64;
        let e = read_parquet_rows(&bytes, &other, |_| Ok(())).unwrap_err();
        assert!(e.to_string().contains("DOUBLE, expected INT64"), "{e}");
        // Every truncation and every single-byte corruption: an error or (for bytes that only
        // change values) rows, never a panic.
        for cut in 0..bytes.len() {
            let _ = read_parquet_rows(&bytes[..cut], &schema(), |_| Ok(()));
        }
        for i in 0..bytes.len() {
            let mut b = bytes.clone();
            b[i] ^= 0x5a;
            let _ = read_parquet_rows(&b, &schema(), |_| Ok(()));
        }
        assert!(read_parquet_rows(b"PAR1PAR1", &schema(), |_| Ok(())).is_err());
    }
}
