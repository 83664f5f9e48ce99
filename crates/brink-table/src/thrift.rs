//! The subset of the Thrift compact protocol that Parquet metadata needs: an encoder (field
//! headers with id deltas, zigzag varints, binary, lists and nested structs) and a decoder that
//! reads the fields it is asked for and skips the others.

/// Compact-protocol type codes.
pub const BOOL_TRUE: u8 = 1;
pub const BOOL_FALSE: u8 = 2;
pub const BYTE: u8 = 3;
pub const I32: u8 = 5;
pub const I64: u8 = 6;
pub const BINARY: u8 = 8;
pub const LIST: u8 = 9;
pub const STRUCT: u8 = 12;

/// Appends `v` as an unsigned LEB128 varint (seven bits a byte, low first): Thrift compact
/// integers and the run headers of Parquet's RLE/bit-packed hybrid encoding.
pub fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// Reads an unsigned LEB128 varint from the front of `bytes`, advancing it.
pub fn take_varint(bytes: &mut &[u8]) -> Result<u64, &'static str> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let (&b, rest) = bytes.split_first().ok_or("truncated")?;
        *bytes = rest;
        v |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok(v);
        }
    }
    Err("varint too long")
}

/// A compact-protocol encoder of one top-level struct.
pub struct Encoder {
    pub buf: Vec<u8>,
    /// The last field id written, per open struct.
    last: Vec<i16>,
}

impl Encoder {
    pub fn new() -> Encoder {
        Encoder {
            buf: Vec::new(),
            last: vec![0],
        }
    }

    fn varint(&mut self, v: u64) {
        put_varint(&mut self.buf, v);
    }

    fn zigzag(&mut self, v: i64) {
        self.varint(((v << 1) ^ (v >> 63)) as u64);
    }

    fn field(&mut self, id: i16, ty: u8) {
        let last = self.last.last_mut().expect("inside a struct");
        let delta = id - *last;
        *last = id;
        if (1..=15).contains(&delta) {
            self.buf.push(((delta as u8) << 4) | ty);
        } else {
            self.buf.push(ty);
            self.zigzag(i64::from(id));
        }
    }

    pub fn i32(&mut self, id: i16, v: i32) {
        self.field(id, I32);
        self.zigzag(i64::from(v));
    }

    pub fn i64(&mut self, id: i16, v: i64) {
        self.field(id, I64);
        self.zigzag(v);
    }

    pub fn i8(&mut self, id: i16, v: i8) {
        self.field(id, BYTE);
        self.buf.push(v as u8);
    }

    pub fn bool(&mut self, id: i16, v: bool) {
        self.field(id, if v { BOOL_TRUE } else { BOOL_FALSE });
    }

    pub fn binary(&mut self, id: i16, v: &[u8]) {
        self.field(id, BINARY);
        self.varint(v.len() as u64);
        self.buf.extend_from_slice(v);
    }

    /// A struct field; close it with [`Encoder::end_struct`].
    pub fn begin_struct(&mut self, id: i16) {
        self.field(id, STRUCT);
        self.last.push(0);
    }

    /// Closes a struct opened by `begin_struct` or `begin_element`.
    pub fn end_struct(&mut self) {
        self.buf.push(0);
        self.last.pop();
    }

    /// A list field header; then write `n` elements of type `elem`.
    pub fn list(&mut self, id: i16, elem: u8, n: usize) {
        self.field(id, LIST);
        if n < 15 {
            self.buf.push(((n as u8) << 4) | elem);
        } else {
            self.buf.push(0xf0 | elem);
            self.varint(n as u64);
        }
    }

    /// A struct element of a list; close it with [`Encoder::end_struct`].
    pub fn begin_element(&mut self) {
        self.last.push(0);
    }

    pub fn elem_i32(&mut self, v: i32) {
        self.zigzag(i64::from(v));
    }

    pub fn elem_binary(&mut self, v: &[u8]) {
        self.varint(v.len() as u64);
        self.buf.extend_from_slice(v);
    }

    /// Ends the top-level struct and returns the bytes.
    pub fn finish(mut self) -> Vec<u8> {
        self.buf.push(0);
        self.buf
    }
}

/// A compact-protocol decoder over a byte slice. Errors are `InvalidData` with a short reason.
pub struct Decoder<'a> {
    bytes: &'a [u8],
    pos: usize,
    /// The last field id read, per open struct.
    last: Vec<i16>,
}

fn bad(what: &str) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        format!("Parquet metadata: {what}"),
    )
}

/// Nesting deeper than this is refused (our files nest 4 deep; a corrupt file could recurse).
const MAX_DEPTH: usize = 32;

impl<'a> Decoder<'a> {
    pub fn new(bytes: &'a [u8]) -> Decoder<'a> {
        Decoder {
            bytes,
            pos: 0,
            last: vec![0],
        }
    }

    /// Bytes consumed so far.
    pub fn position(&self) -> usize {
        self.pos
    }

    fn byte(&mut self) -> std::io::Result<u8> {
        let b = *self.bytes.get(self.pos).ok_or_else(|| bad("truncated"))?;
        self.pos += 1;
        Ok(b)
    }

    fn varint(&mut self) -> std::io::Result<u64> {
        let mut rest = self.bytes.get(self.pos..).unwrap_or_default();
        let before = rest.len();
        let v = take_varint(&mut rest).map_err(bad)?;
        self.pos += before - rest.len();
        Ok(v)
    }

    fn zigzag(&mut self) -> std::io::Result<i64> {
        let v = self.varint()?;
        Ok((v >> 1) as i64 ^ -((v & 1) as i64))
    }

    /// The next field of the current struct as (id, type), or `None` at its end (which closes
    /// the struct).
    pub fn field(&mut self) -> std::io::Result<Option<(i16, u8)>> {
        let h = self.byte()?;
        if h == 0 {
            self.last.pop();
            return Ok(None);
        }
        let ty = h & 0x0f;
        let delta = i16::from(h >> 4);
        let last = *self
            .last
            .last()
            .ok_or_else(|| bad("field outside a struct"))?;
        let id = if delta == 0 {
            i16::try_from(self.zigzag()?).map_err(|_| bad("field id out of range"))?
        } else {
            last.checked_add(delta)
                .ok_or_else(|| bad("field id out of range"))?
        };
        if let Some(l) = self.last.last_mut() {
            *l = id;
        }
        Ok(Some((id, ty)))
    }

    pub fn i64(&mut self) -> std::io::Result<i64> {
        self.zigzag()
    }

    pub fn i32(&mut self) -> std::io::Result<i32> {
        i32::try_from(self.zigzag()?).map_err(|_| bad("i32 out of range"))
    }

    pub fn binary(&mut self) -> std::io::Result<&'a [u8]> {
        let n = usize::try_from(self.varint()?).map_err(|_| bad("length out of range"))?;
        let end = self.pos.checked_add(n).filter(|&e| e <= self.bytes.len());
        let end = end.ok_or_else(|| bad("truncated binary"))?;
        let v = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(v)
    }

    /// A list header: (element type, length).
    pub fn list(&mut self) -> std::io::Result<(u8, usize)> {
        let h = self.byte()?;
        let n = match h >> 4 {
            15 => usize::try_from(self.varint()?).map_err(|_| bad("list too long"))?,
            n => usize::from(n),
        };
        if n > self.bytes.len() {
            return Err(bad("list longer than the metadata"));
        }
        Ok((h & 0x0f, n))
    }

    /// Enters a struct (a struct field, or a struct element of a list).
    pub fn begin_struct(&mut self) -> std::io::Result<()> {
        if self.last.len() > MAX_DEPTH {
            return Err(bad("nested too deep"));
        }
        self.last.push(0);
        Ok(())
    }

    /// Skips one value of type `ty`.
    pub fn skip(&mut self, ty: u8) -> std::io::Result<()> {
        match ty {
            BOOL_TRUE | BOOL_FALSE => Ok(()),
            BYTE => self.byte().map(|_| ()),
            4 | I32 | I64 => self.varint().map(|_| ()),
            7 => {
                for _ in 0..8 {
                    self.byte()?;
                }
                Ok(())
            }
            BINARY => self.binary().map(|_| ()),
            LIST | 10 => {
                let (elem, n) = self.list()?;
                for _ in 0..n {
                    self.skip_element(elem)?;
                }
                Ok(())
            }
            11 => {
                let n = self.varint()?;
                if n == 0 {
                    return Ok(());
                }
                let kv = self.byte()?;
                for _ in 0..n {
                    self.skip_element(kv >> 4)?;
                    self.skip_element(kv & 0x0f)?;
                }
                Ok(())
            }
            STRUCT => {
                self.begin_struct()?;
                while let Some((_, t)) = self.field()? {
                    self.skip(t)?;
                }
                Ok(())
            }
            _ => Err(bad("unknown type")),
        }
    }

    /// Skips a list element (booleans in lists take a byte).
    fn skip_element(&mut self, ty: u8) -> std::io::Result<()> {
        if ty == BOOL_TRUE || ty == BOOL_FALSE {
            return self.byte().map(|_| ());
        }
        self.skip(ty)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_headers_varints_and_long_deltas() {
        let mut e = Encoder::new();
        e.i32(1, 1); // delta 1, type 5, zigzag(1) = 2
        e.i64(3, -1); // delta 2, type 6, zigzag(-1) = 1
        e.i32(20, 300); // delta 17: long form, id zigzag 40, zigzag(300)=600 = 0xd8 0x04
        e.bool(21, true);
        assert_eq!(
            e.finish(),
            [0x15, 0x02, 0x26, 0x01, 0x05, 40, 0xd8, 0x04, 0x11, 0x00]
        );
    }

    #[test]
    fn decoder_reads_what_the_encoder_writes_and_skips_the_rest() {
        let mut e = Encoder::new();
        e.i32(1, -7);
        e.list(2, I32, 20);
        for i in 0..20 {
            e.elem_i32(i);
        }
        e.begin_struct(4);
        e.binary(1, b"skipped");
        e.i8(2, 3);
        e.end_struct();
        e.i64(30, 1 << 40);
        let bytes = e.finish();
        let mut d = Decoder::new(&bytes);
        assert_eq!(d.field().unwrap(), Some((1, I32)));
        assert_eq!(d.i32().unwrap(), -7);
        assert_eq!(d.field().unwrap(), Some((2, LIST)));
        assert_eq!(d.list().unwrap(), (I32, 20));
        let items: Vec<i32> = (0..20).map(|_| d.i32().unwrap()).collect();
        assert_eq!(items, (0..20).collect::<Vec<_>>());
        let (id, ty) = d.field().unwrap().unwrap();
        assert_eq!((id, ty), (4, STRUCT));
        d.skip(ty).unwrap();
        assert_eq!(d.field().unwrap(), Some((30, I64)));
        assert_eq!(d.i64().unwrap(), 1 << 40);
        assert_eq!(d.field().unwrap(), None);
        assert_eq!(d.position(), bytes.len());
        // Truncated input is an error, not a panic.
        for cut in 0..bytes.len() {
            let mut d = Decoder::new(&bytes[..cut]);
            let mut r = Ok(());
            while r.is_ok() {
                r = match d.field() {
                    Ok(Some((_, t))) => d.skip(t),
                    Ok(None) => break,
                    Err(e) => Err(e),
                };
            }
        }
    }
}
