//! The subset of the Thrift compact protocol that Parquet metadata needs (writing only):
//! field headers with id deltas, zigzag varints, binary, lists and nested structs.

/// Compact-protocol type codes.
pub const BOOL_TRUE: u8 = 1;
pub const BOOL_FALSE: u8 = 2;
pub const BYTE: u8 = 3;
pub const I32: u8 = 5;
pub const I64: u8 = 6;
pub const BINARY: u8 = 8;
pub const LIST: u8 = 9;
pub const STRUCT: u8 = 12;

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

    fn varint(&mut self, mut v: u64) {
        loop {
            let byte = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                self.buf.push(byte);
                return;
            }
            self.buf.push(byte | 0x80);
        }
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
}
