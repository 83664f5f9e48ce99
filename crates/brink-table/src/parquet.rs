//! A small Parquet writer: flat schema, no compression, one v1 data page per column chunk,
//! definition levels (RLE) for nullable columns, Thrift compact footer. Numbers are PLAIN;
//! text is dictionary-encoded (a PLAIN dictionary page, then RLE runs of indices), because
//! text columns repeat a few values (sides, variables, actors, events) and PLAIN text made
//! `events.parquet` larger than `events.csv`. The layout follows the Apache Parquet format
//! specification (parquet.thrift).

use crate::thrift::{self, Encoder};
use crate::{ColType, Schema, TableSink, Value};
use std::collections::HashMap;
use std::io::{self, Write};

/// Most rows per row group. Row groups are cut by row count only, so the file depends on the
/// rows alone (not on how they arrived): a merged study gives the bytes of the unsharded one.
pub const ROW_GROUP_ROWS: usize = 65_536;

/// Most cells per row group: a row group is buffered in memory until it is written, so a wide
/// table (a scenario with hundreds of parameters) gets fewer rows per group, and the writer's
/// memory stays near 64 MB of numbers whatever the scenario.
const ROW_GROUP_CELLS: usize = 8 * 1024 * 1024;

/// Rows per row group for a table of `columns` columns: [`ROW_GROUP_ROWS`], or fewer for a wide
/// table (at least 1,024). A function of the schema alone, so still deterministic.
pub fn row_group_rows(columns: usize) -> usize {
    (ROW_GROUP_CELLS / columns.max(1)).clamp(1024, ROW_GROUP_ROWS)
}

const MAGIC: &[u8; 4] = b"PAR1";
const CREATED_BY: &str = concat!("brink-table version ", env!("CARGO_PKG_VERSION"));

// parquet.thrift enums.
const TYPE_INT32: i32 = 1;
const TYPE_INT64: i32 = 2;
const TYPE_DOUBLE: i32 = 5;
const TYPE_BYTE_ARRAY: i32 = 6;
const REQUIRED: i32 = 0;
const OPTIONAL: i32 = 1;
const CONVERTED_UTF8: i32 = 0;
const CONVERTED_DATE: i32 = 6;
const CONVERTED_UINT_64: i32 = 14;
// Encodings and page types of parquet.thrift, shared with the reader.
pub(crate) const ENCODING_PLAIN: i32 = 0;
const ENCODING_RLE: i32 = 3;
pub(crate) const ENCODING_RLE_DICTIONARY: i32 = 8;
const CODEC_UNCOMPRESSED: i32 = 0;
pub(crate) const PAGE_DATA: i32 = 0;
pub(crate) const PAGE_DICTIONARY: i32 = 2;

fn physical(ty: ColType) -> i32 {
    match ty {
        ColType::Int32 | ColType::Date => TYPE_INT32,
        ColType::Int64 | ColType::UInt64 => TYPE_INT64,
        ColType::Double => TYPE_DOUBLE,
        ColType::Utf8 => TYPE_BYTE_ARRAY,
    }
}

/// One column of the row group being filled.
#[derive(Default)]
struct ColumnBuf {
    /// Plain-encoded non-null values (numbers).
    values: Vec<u8>,
    /// Definition levels as runs (level, count): 1 = present, 0 = null.
    levels: Vec<(u8, u32)>,
    /// Text: the row group's dictionary and each non-null value's index in it.
    dictionary: Option<Dictionary>,
}

/// Distinct texts in order of first appearance (so the bytes depend on the rows alone).
#[derive(Default)]
struct Dictionary {
    index: HashMap<String, u32>,
    /// The distinct texts, PLAIN-encoded.
    plain: Vec<u8>,
    ids: Vec<u32>,
}

impl Dictionary {
    fn push(&mut self, s: &str) -> io::Result<()> {
        let id = match self.index.get(s) {
            Some(&id) => id,
            None => {
                let id = u32::try_from(self.index.len())
                    .map_err(|_| io::Error::other("more than 2^32 distinct texts"))?;
                let n = u32::try_from(s.len())
                    .map_err(|_| io::Error::other("a text cell over 4 GiB"))?;
                self.plain.extend_from_slice(&n.to_le_bytes());
                self.plain.extend_from_slice(s.as_bytes());
                self.index.insert(s.to_string(), id);
                id
            }
        };
        self.ids.push(id);
        Ok(())
    }

    /// The indices in the RLE/bit-packed hybrid encoding, preceded by their bit width: RLE
    /// runs only (a header `count << 1` as a varint, then the index in whole bytes).
    fn encoded_ids(&self) -> Vec<u8> {
        let max = self.index.len().saturating_sub(1) as u32;
        let bit_width = (32 - max.leading_zeros()).max(1);
        let bytes = bit_width.div_ceil(8) as usize;
        let mut out = vec![bit_width as u8];
        let mut i = 0;
        while i < self.ids.len() {
            let id = self.ids[i];
            let run = self.ids[i..].iter().take_while(|&&x| x == id).count();
            thrift::put_varint(&mut out, (run as u64) << 1);
            out.extend_from_slice(&id.to_le_bytes()[..bytes]);
            i += run;
        }
        out
    }
}

impl ColumnBuf {
    fn for_column(col: &crate::Column) -> ColumnBuf {
        ColumnBuf {
            dictionary: (col.ty == ColType::Utf8).then(Dictionary::default),
            ..ColumnBuf::default()
        }
    }

    fn level(&mut self, present: bool) {
        let l = u8::from(present);
        match self.levels.last_mut() {
            Some((v, n)) if *v == l => *n += 1,
            _ => self.levels.push((l, 1)),
        }
    }
}

fn page_size(len: usize, column: &str) -> io::Result<i32> {
    i32::try_from(len).map_err(|_| io::Error::other(format!("column `{column}`: page over 2 GiB")))
}

struct ChunkMeta {
    offset: u64,
    size: u64,
    num_values: u64,
    /// Where the data page starts (after the dictionary page, if any).
    data_page_offset: u64,
    dictionary: bool,
}

struct RowGroupMeta {
    rows: u64,
    chunks: Vec<ChunkMeta>,
}

/// Writes rows of a schema as a Parquet file; call [`ParquetWriter::finish`] at the end.
pub struct ParquetWriter<W: Write> {
    out: W,
    schema: Schema,
    offset: u64,
    rows: usize,
    columns: Vec<ColumnBuf>,
    groups: Vec<RowGroupMeta>,
}

impl<W: Write> ParquetWriter<W> {
    pub fn new(mut out: W, schema: &Schema) -> io::Result<ParquetWriter<W>> {
        out.write_all(MAGIC)?;
        Ok(ParquetWriter {
            out,
            schema: schema.clone(),
            offset: MAGIC.len() as u64,
            rows: 0,
            columns: schema.columns.iter().map(ColumnBuf::for_column).collect(),
            groups: Vec::new(),
        })
    }

    fn flush_group(&mut self) -> io::Result<()> {
        if self.rows == 0 {
            return Ok(());
        }
        let mut chunks = Vec::with_capacity(self.columns.len());
        for (col, buf) in self.schema.columns.iter().zip(&mut self.columns) {
            let chunk_offset = self.offset;
            let dictionary = buf.dictionary.take().filter(|d| !d.index.is_empty());
            if let Some(d) = &dictionary {
                let size = page_size(d.plain.len(), &col.name)?;
                let mut h = Encoder::new();
                h.i32(1, PAGE_DICTIONARY);
                h.i32(2, size);
                h.i32(3, size);
                h.begin_struct(7);
                h.i32(1, d.index.len() as i32);
                h.i32(2, ENCODING_PLAIN);
                h.end_struct();
                let header = h.finish();
                self.out.write_all(&header)?;
                self.out.write_all(&d.plain)?;
                self.offset += (header.len() + d.plain.len()) as u64;
            }
            let data_page_offset = self.offset;
            let mut page = Vec::new();
            if col.nullable {
                let mut rle = Vec::new();
                for &(level, count) in &buf.levels {
                    // RLE run: header = count << 1 (varint), then the value in one byte.
                    thrift::put_varint(&mut rle, u64::from(count) << 1);
                    rle.push(level);
                }
                page.extend_from_slice(&(rle.len() as u32).to_le_bytes());
                page.extend_from_slice(&rle);
            }
            match &dictionary {
                Some(d) => page.extend_from_slice(&d.encoded_ids()),
                None => page.extend_from_slice(&buf.values),
            }
            let size = page_size(page.len(), &col.name)?;
            let mut h = Encoder::new();
            h.i32(1, PAGE_DATA);
            h.i32(2, size);
            h.i32(3, size);
            h.begin_struct(5);
            h.i32(1, self.rows as i32);
            h.i32(
                2,
                if dictionary.is_some() {
                    ENCODING_RLE_DICTIONARY
                } else {
                    ENCODING_PLAIN
                },
            );
            h.i32(3, ENCODING_RLE);
            h.i32(4, ENCODING_RLE);
            h.end_struct();
            let header = h.finish();
            self.out.write_all(&header)?;
            self.out.write_all(&page)?;
            self.offset += (header.len() + page.len()) as u64;
            chunks.push(ChunkMeta {
                offset: chunk_offset,
                size: self.offset - chunk_offset,
                num_values: self.rows as u64,
                data_page_offset,
                dictionary: dictionary.is_some(),
            });
            *buf = ColumnBuf::for_column(col);
        }
        self.groups.push(RowGroupMeta {
            rows: self.rows as u64,
            chunks,
        });
        self.rows = 0;
        Ok(())
    }

    /// Writes the last row group and the footer; returns the underlying writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.flush_group()?;
        let meta = self.footer();
        self.out.write_all(&meta)?;
        self.out.write_all(&(meta.len() as u32).to_le_bytes())?;
        self.out.write_all(MAGIC)?;
        Ok(self.out)
    }

    fn footer(&self) -> Vec<u8> {
        let mut e = Encoder::new();
        e.i32(1, 1); // version
        e.list(2, thrift::STRUCT, self.schema.columns.len() + 1);
        e.begin_element(); // the root
        e.binary(4, b"schema");
        e.i32(5, self.schema.columns.len() as i32);
        e.end_struct();
        for c in &self.schema.columns {
            e.begin_element();
            e.i32(1, physical(c.ty));
            e.i32(3, if c.nullable { OPTIONAL } else { REQUIRED });
            e.binary(4, c.name.as_bytes());
            let converted = match c.ty {
                ColType::Utf8 => Some(CONVERTED_UTF8),
                ColType::Date => Some(CONVERTED_DATE),
                ColType::UInt64 => Some(CONVERTED_UINT_64),
                _ => None,
            };
            if let Some(ct) = converted {
                e.i32(6, ct);
            }
            // LogicalType (a union): STRING = 1, DATE = 6, INTEGER = 10.
            match c.ty {
                ColType::Utf8 => {
                    e.begin_struct(10);
                    e.begin_struct(1);
                    e.end_struct();
                    e.end_struct();
                }
                ColType::Date => {
                    e.begin_struct(10);
                    e.begin_struct(6);
                    e.end_struct();
                    e.end_struct();
                }
                ColType::UInt64 => {
                    e.begin_struct(10);
                    e.begin_struct(10);
                    e.i8(1, 64);
                    e.bool(2, false);
                    e.end_struct();
                    e.end_struct();
                }
                _ => {}
            }
            e.end_struct();
        }
        let rows: u64 = self.groups.iter().map(|g| g.rows).sum();
        e.i64(3, rows as i64);
        e.list(4, thrift::STRUCT, self.groups.len());
        for g in &self.groups {
            e.begin_element();
            e.list(1, thrift::STRUCT, g.chunks.len());
            for (c, ch) in self.schema.columns.iter().zip(&g.chunks) {
                e.begin_element(); // ColumnChunk
                e.i64(2, ch.offset as i64);
                e.begin_struct(3); // ColumnMetaData
                e.i32(1, physical(c.ty));
                let mut encodings = vec![ENCODING_PLAIN];
                if c.nullable {
                    encodings.push(ENCODING_RLE);
                }
                if ch.dictionary {
                    encodings.push(ENCODING_RLE_DICTIONARY);
                }
                e.list(2, thrift::I32, encodings.len());
                for enc in encodings {
                    e.elem_i32(enc);
                }
                e.list(3, thrift::BINARY, 1);
                e.elem_binary(c.name.as_bytes());
                e.i32(4, CODEC_UNCOMPRESSED);
                e.i64(5, ch.num_values as i64);
                e.i64(6, ch.size as i64);
                e.i64(7, ch.size as i64);
                e.i64(9, ch.data_page_offset as i64);
                if ch.dictionary {
                    e.i64(11, ch.offset as i64);
                }
                e.end_struct();
                e.end_struct();
            }
            let bytes: u64 = g.chunks.iter().map(|c| c.size).sum();
            e.i64(2, bytes as i64);
            e.i64(3, g.rows as i64);
            e.i64(5, g.chunks.first().map_or(0, |c| c.offset) as i64);
            e.i64(6, bytes as i64);
            e.end_struct();
        }
        e.binary(6, CREATED_BY.as_bytes());
        e.finish()
    }
}

impl<W: Write> TableSink for ParquetWriter<W> {
    fn write_row(&mut self, row: &[Value]) -> io::Result<()> {
        self.schema.check_row(row)?;
        for (buf, v) in self.columns.iter_mut().zip(row) {
            buf.level(!matches!(v, Value::Null));
            match *v {
                Value::Null => {}
                Value::I32(x) => buf.values.extend_from_slice(&x.to_le_bytes()),
                Value::Date { days, .. } => buf.values.extend_from_slice(&days.to_le_bytes()),
                Value::I64(x) => buf.values.extend_from_slice(&x.to_le_bytes()),
                Value::U64(x) => buf.values.extend_from_slice(&x.to_le_bytes()),
                Value::F64(x) => buf.values.extend_from_slice(&x.to_le_bytes()),
                Value::Str(s) => match buf.dictionary.as_mut() {
                    Some(d) => d.push(s)?,
                    None => {
                        // `check_row` lets text only into text columns, which have a dictionary.
                        return Err(io::Error::other("text in a column that is not text"));
                    }
                },
            }
        }
        self.rows += 1;
        if self.rows == row_group_rows(self.columns.len()) {
            self.flush_group()?;
        }
        Ok(())
    }
}
