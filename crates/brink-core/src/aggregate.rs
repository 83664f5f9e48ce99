//! Streaming aggregation of many runs, exact under merging in any order.
//!
//! Every weekly variable is summarised by a [`Histogram`]: counts in fixed logarithmic bins (256
//! per power of two, so a reported quantile is within 0.4% of the true order statistic and exact
//! when all values in its bin are equal), the exact minimum and maximum, and the sum in 2^-20
//! fixed point, each value rounded to the nearest (an integer, so addition is associative).
//! Counts, sums, minima and maxima merge exactly, so shards, threads and merge order never
//! change a result; memory does not grow with the number of runs.

use serde::{Deserialize, Serialize};
use std::io::{self, Read, Write};

const MANTISSA_BITS_KEPT: u32 = 8;
const SHIFT: u32 = 52 - MANTISSA_BITS_KEPT;
const FIXED_POINT_SCALE: f64 = 1_048_576.0; // 2^20

/// Counts per bin of 1/256 octave from `offset` on, each split in two: its low 8 bits in
/// `low`, the rest in `high`. Recording touches `low` alone but for one increment in 256 of a
/// bin, so a cache line holds 64 bins instead of 16 with u32 counts: the bins of a study's
/// 2,332 histograms are several megabytes, swept once per chunk of runs, and their cache
/// misses were the largest cost of recording (round 7 of docs/performance.md). A count is
/// below 2^32 (a study has at most `study::MAX_RUNS` runs), so `high` fits u32.
///
/// Serialized in canonical form (see [`DenseStore::canonical`]) so that equal stores give equal
/// bytes whatever their growth history: merged shards must equal one study byte for byte.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(from = "StoreForm")]
struct DenseStore {
    offset: i32,
    low: Vec<u8>,
    /// Empty until the first carry; then as long as `low`.
    high: Vec<u32>,
}

/// The serialized form of a [`DenseStore`]: whole counts from `offset` on.
#[derive(Deserialize)]
struct StoreForm {
    offset: i32,
    counts: Vec<u32>,
}

impl From<StoreForm> for DenseStore {
    fn from(form: StoreForm) -> DenseStore {
        let mut store = DenseStore::default();
        for (key, &c) in (form.offset..).zip(&form.counts) {
            if c > 0 {
                store.add(key, c);
            }
        }
        store
    }
}

/// Equal when the same bins hold the same counts, whatever the allocated range.
impl PartialEq for DenseStore {
    fn eq(&self, other: &Self) -> bool {
        self.nonzero().eq(other.nonzero())
    }
}

impl Serialize for DenseStore {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let (offset, counts) = self.canonical();
        let mut st = serializer.serialize_struct("DenseStore", 2)?;
        st.serialize_field("offset", &offset)?;
        st.serialize_field("counts", &counts)?;
        st.end()
    }
}

impl DenseStore {
    /// The count of the bin at index `i` of the allocated range.
    #[inline]
    fn count_at(&self, i: usize) -> u32 {
        let high = self.high.get(i).copied().unwrap_or(0);
        (high << 8) | u32::from(self.low[i])
    }

    /// Counts in allocated order.
    fn counts(&self) -> impl DoubleEndedIterator<Item = u32> + ExactSizeIterator + '_ {
        (0..self.low.len()).map(|i| self.count_at(i))
    }

    /// The offset and counts without leading or trailing empty bins (offset 0 when empty).
    fn canonical(&self) -> (i32, Vec<u32>) {
        let mut counts: Vec<u32> = self.counts().collect();
        let Some(first) = counts.iter().position(|&c| c > 0) else {
            return (0, Vec::new());
        };
        let last = counts.iter().rposition(|&c| c > 0).unwrap_or(first);
        counts.truncate(last + 1);
        counts.drain(..first);
        (self.offset + first as i32, counts)
    }

    #[inline(always)]
    fn add(&mut self, key: i32, n: u32) {
        // A key below the offset wraps to a huge index, so one bounds check covers both ends
        // of the range and the empty store.
        let i = key.wrapping_sub(self.offset) as u32 as usize;
        match self.low.get_mut(i) {
            Some(c) => {
                let total = u64::from(*c) + u64::from(n);
                *c = total as u8;
                if total > 0xFF {
                    self.carry(i, (total >> 8) as u32);
                }
            }
            None => self.add_outside(key, n),
        }
    }

    /// Adds `high` to the high part of bin `i` (allocating the high parts at the first carry).
    #[cold]
    #[inline(never)]
    fn carry(&mut self, i: usize, high: u32) {
        if self.high.is_empty() {
            self.high = vec![0; self.low.len()];
        }
        self.high[i] += high;
    }

    #[cold]
    #[inline(never)]
    fn add_outside(&mut self, key: i32, n: u32) {
        if self.low.is_empty() {
            // Start with room for a factor of ~4 either way (512 bins of 1/256 octave).
            self.offset = key - 256;
            self.low = vec![0; 512];
        } else {
            self.grow_to(key);
        }
        self.add(key, n);
    }

    /// Grows geometrically towards `key` so that repeated growth costs amortised O(1).
    fn grow_to(&mut self, key: i32) {
        let len = self.low.len() as i32;
        if key < self.offset {
            let grow = (self.offset - key).max(len) as usize;
            self.low.splice(0..0, std::iter::repeat_n(0, grow));
            if !self.high.is_empty() {
                self.high.splice(0..0, std::iter::repeat_n(0, grow));
            }
            self.offset -= grow as i32;
        } else {
            let needed = (key - self.offset + 1).max(2 * len) as usize;
            self.low.resize(needed, 0);
            if !self.high.is_empty() {
                self.high.resize(needed, 0);
            }
        }
    }

    fn merge(&mut self, other: &DenseStore) {
        for (key, c) in other.nonzero() {
            self.add(key, c);
        }
    }

    /// Bins with counts, as (key, count), for a canonical form independent of growth history.
    fn nonzero(&self) -> impl Iterator<Item = (i32, u32)> + '_ {
        (self.offset..).zip(self.counts()).filter(|&(_, c)| c > 0)
    }
}

/// `v` in 2^-20 fixed point, rounded to the nearest integer (ties to even). Every recording
/// path maps a value to the same integer, so a sum does not depend on which path recorded it
/// (a chunk's column may be constant in one study and varying in a sharded one).
#[inline]
fn fixed_point(v: f64) -> i128 {
    let scaled = v * FIXED_POINT_SCALE;
    if scaled.abs() < ROUNDING_LIMIT {
        i128::from(round_small(scaled))
    } else {
        fixed_point_wide(scaled)
    }
}

/// `1.5 * 2^52`: adding it to a number of magnitude below 2^51 leaves a number whose last
/// mantissa bit is worth 1, so the addition itself rounds to the nearest integer (ties to even,
/// the default rounding mode), and the integer is read from the bits. No library call, no
/// float-to-integer conversion (which SSE2 cannot do for 64-bit integers in SIMD registers).
const ROUNDING_SHIFT: f64 = 6_755_399_441_055_744.0;
/// Magnitudes below which [`round_small`] is exact.
const ROUNDING_LIMIT: f64 = 2_251_799_813_685_248.0; // 2^51

/// `x` rounded to the nearest integer, ties to even, for |x| < 2^51.
#[inline(always)]
fn round_small(x: f64) -> i64 {
    ((x + ROUNDING_SHIFT).to_bits() as i64).wrapping_sub(ROUNDING_SHIFT.to_bits() as i64)
}

/// Out of line: values beyond 2^31 in magnitude (2^51 in fixed point) are rare, and the i128
/// conversion is a library call that would crowd the hot loop's registers.
#[cold]
#[inline(never)]
fn fixed_point_wide(scaled: f64) -> i128 {
    scaled.round_ties_even() as i128
}

#[inline]
fn key_of(magnitude: f64) -> i32 {
    (magnitude.to_bits() >> SHIFT) as i32
}

fn lower_bound(key: i32) -> f64 {
    f64::from_bits((key as u64) << SHIFT)
}

/// Lanes of the extremes pass: wide enough for two SSE2 or one AVX register of f64.
const LANES: usize = 4;

/// Count and extremes of the defined (non-NaN) values of a column.
struct ColumnExtremes {
    defined: u64,
    min: f64,
    max: f64,
}

impl ColumnExtremes {
    /// `None` when every value is NaN. Branch-free per value (compare-and-select ignores NaN:
    /// `NaN < x` is false), in independent lanes so that the compiler can vectorise it.
    #[inline]
    fn of(column: &[f64]) -> Option<ColumnExtremes> {
        let mut min = [f64::INFINITY; LANES];
        let mut max = [f64::NEG_INFINITY; LANES];
        let mut defined = [0u64; LANES];
        let mut chunks = column.chunks_exact(LANES);
        for chunk in &mut chunks {
            for k in 0..LANES {
                let v = chunk[k];
                min[k] = if v < min[k] { v } else { min[k] };
                max[k] = if v > max[k] { v } else { max[k] };
                defined[k] += u64::from(!v.is_nan());
            }
        }
        let mut out = ColumnExtremes {
            defined: defined.iter().sum(),
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        };
        for &v in chunks.remainder() {
            out.defined += u64::from(!v.is_nan());
            out.min = if v < out.min { v } else { out.min };
            out.max = if v > out.max { v } else { out.max };
        }
        for k in 0..LANES {
            out.min = if min[k] < out.min { min[k] } else { out.min };
            out.max = if max[k] > out.max { max[k] } else { out.max };
        }
        (out.defined > 0).then_some(out)
    }
}

/// Extremes of the defined values in column order (the reference the lanes must equal).
fn sequential_extremes(column: &[f64]) -> (f64, f64) {
    let (mut min, mut max) = (f64::INFINITY, f64::NEG_INFINITY);
    for &v in column {
        if v < min {
            min = v;
        }
        if v > max {
            max = v;
        }
    }
    (min, max)
}

/// The sum of the defined values of a column in 2^-20 fixed point, each rounded as
/// [`fixed_point`] does. When every `|value| * 2^20` is below 2^51 (the extremes tell), each
/// value rounds by [`round_small`] and the column sums in i64 (no overflow below 2^12 values),
/// in a loop the compiler vectorises; else value by value in i128.
#[inline]
fn column_sum_fixed(column: &[f64], min: f64, max: f64) -> i128 {
    let largest = min.abs().max(max.abs()) * FIXED_POINT_SCALE;
    if largest < ROUNDING_LIMIT && column.len() <= 4096 {
        // NaN (undefined) adds nothing.
        let sum: i64 = column
            .iter()
            .map(|&v| {
                if v.is_nan() {
                    0
                } else {
                    round_small(v * FIXED_POINT_SCALE)
                }
            })
            .sum();
        i128::from(sum)
    } else {
        column
            .iter()
            .filter(|v| !v.is_nan())
            .map(|&v| fixed_point(v))
            .sum()
    }
}

/// A mergeable summary of one variable over many runs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Histogram {
    count: u64,
    zeros: u64,
    positive: DenseStore,
    negative: DenseStore,
    min: f64,
    max: f64,
    sum_fixed: i128,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            count: 0,
            zeros: 0,
            positive: DenseStore::default(),
            negative: DenseStore::default(),
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            sum_fixed: 0,
        }
    }
}

impl Histogram {
    /// Records one finite value (non-finite values are a bug upstream and are refused loudly in
    /// debug builds, skipped in release builds so one bad run cannot poison a study).
    #[inline]
    pub fn record(&mut self, v: f64) {
        debug_assert!(v.is_finite(), "non-finite value recorded");
        self.record_repeated(v, 1);
    }

    /// Records every value of `column` but NaNs (undefined): the same result as recording the
    /// defined values one by one in order with compare-and-select extremes.
    ///
    /// Three passes instead of one loop that does everything, because each pass is then simple
    /// enough for the compiler to keep its totals in registers (the first runs in SIMD lanes):
    /// extremes and count, then the fixed-point sum (in i64 when the extremes prove it cannot
    /// overflow), then the bins (without sign tests when every value is positive).
    fn record_column(&mut self, column: &[f64]) {
        // Many columns hold one value in every run (an unused stage, a variable that is zero or
        // undefined for a side): recorded at once, as a weighted insert.
        if let Some((&first, rest)) = column.split_first()
            && rest.iter().all(|v| v.to_bits() == first.to_bits())
        {
            self.record_repeated(first, column.len() as u64);
            return;
        }
        debug_assert!(
            column.iter().all(|v| v.is_finite() || v.is_nan()),
            "non-finite value recorded"
        );
        let Some(extremes) = ColumnExtremes::of(column) else {
            return;
        };
        if !(extremes.min.is_finite() && extremes.max.is_finite()) {
            // An infinity is a bug upstream (refused above in debug builds): skip it as
            // `record` does, value by value.
            self.record_in_order(column);
            return;
        }
        let (lo, hi) = if extremes.min == 0.0 || extremes.max == 0.0 {
            // Lanes may meet +0.0 and -0.0 in another order than one pass would; zeros are
            // rare as extremes of a varying column, so redo the extremes in order.
            sequential_extremes(column)
        } else {
            (extremes.min, extremes.max)
        };
        self.count += extremes.defined;
        if lo < self.min {
            self.min = lo;
        }
        if hi > self.max {
            self.max = hi;
        }
        self.sum_fixed += column_sum_fixed(column, lo, hi);
        if lo > 0.0 {
            // Every defined value is positive.
            let store = &mut self.positive;
            if extremes.defined == column.len() as u64 {
                for &v in column {
                    store.add(key_of(v), 1);
                }
            } else {
                for &v in column {
                    if !v.is_nan() {
                        store.add(key_of(v), 1);
                    }
                }
            }
            return;
        }
        for &v in column {
            if v > 0.0 {
                self.positive.add(key_of(v), 1);
            } else if v < 0.0 {
                self.negative.add(key_of(-v), 1);
            } else if v == 0.0 {
                self.zeros += 1;
            }
        }
    }

    /// Records the finite values of `column` one by one, in order: the plain form of
    /// [`Histogram::record_column`], for columns holding an infinity and as its test reference.
    fn record_in_order(&mut self, column: &[f64]) {
        for &v in column {
            if !v.is_finite() {
                continue;
            }
            self.count += 1;
            if v < self.min {
                self.min = v;
            }
            if v > self.max {
                self.max = v;
            }
            self.sum_fixed += fixed_point(v);
            if v > 0.0 {
                self.positive.add(key_of(v), 1);
            } else if v < 0.0 {
                self.negative.add(key_of(-v), 1);
            } else {
                self.zeros += 1;
            }
        }
    }

    /// Records `v` `n` times (a weighted insert; non-finite values are skipped).
    fn record_repeated(&mut self, v: f64, n: u64) {
        if !v.is_finite() {
            debug_assert!(v.is_nan(), "non-finite value recorded");
            return;
        }
        self.count += n;
        self.min = self.min.min(v);
        self.max = self.max.max(v);
        self.sum_fixed += fixed_point(v) * i128::from(n);
        let n_bins = u32::try_from(n).expect("a column holds fewer than 2^32 runs");
        if v > 0.0 {
            self.positive.add(key_of(v), n_bins);
        } else if v < 0.0 {
            self.negative.add(key_of(-v), n_bins);
        } else {
            self.zeros += n;
        }
    }

    pub fn merge(&mut self, other: &Histogram) {
        self.count += other.count;
        self.zeros += other.zeros;
        self.positive.merge(&other.positive);
        self.negative.merge(&other.negative);
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
        self.sum_fixed += other.sum_fixed;
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    pub fn mean(&self) -> Option<f64> {
        (self.count > 0).then(|| self.sum_fixed as f64 / FIXED_POINT_SCALE / self.count as f64)
    }

    pub fn min(&self) -> Option<f64> {
        (self.count > 0).then_some(self.min)
    }

    pub fn max(&self) -> Option<f64> {
        (self.count > 0).then_some(self.max)
    }

    /// The p-quantile (inverse empirical CDF, the smallest value with at least `p * n` values at
    /// or below it), reported as its bin's lower bound clamped to [min, max].
    pub fn quantile(&self, p: f64) -> Option<f64> {
        if self.count == 0 {
            return None;
        }
        let rank = ((p * self.count as f64).ceil() as u64).clamp(1, self.count);
        let mut seen = 0u64;
        let clamp = |x: f64| x.clamp(self.min, self.max);
        for (i, c) in self.negative.counts().enumerate().rev() {
            seen += u64::from(c);
            if seen >= rank {
                let key = self.negative.offset + i as i32;
                // The bin of -x covers (-upper, -lower]; its far end is -lower_bound(key + 1).
                return Some(clamp(-lower_bound(key + 1)));
            }
        }
        seen += self.zeros;
        if seen >= rank {
            return Some(clamp(0.0));
        }
        for (i, c) in self.positive.counts().enumerate() {
            seen += u64::from(c);
            if seen >= rank {
                return Some(clamp(lower_bound(self.positive.offset + i as i32)));
            }
        }
        Some(self.max)
    }

    fn write<W: Write>(&self, w: &mut W) -> io::Result<()> {
        w.write_all(&self.count.to_le_bytes())?;
        w.write_all(&self.zeros.to_le_bytes())?;
        w.write_all(&self.min.to_le_bytes())?;
        w.write_all(&self.max.to_le_bytes())?;
        w.write_all(&self.sum_fixed.to_le_bytes())?;
        for store in [&self.positive, &self.negative] {
            let bins: Vec<(i32, u32)> = store.nonzero().collect();
            w.write_all(&(bins.len() as u32).to_le_bytes())?;
            for (k, c) in bins {
                w.write_all(&k.to_le_bytes())?;
                w.write_all(&c.to_le_bytes())?;
            }
        }
        Ok(())
    }

    fn read<R: Read>(r: &mut R) -> io::Result<Histogram> {
        let mut h = Histogram {
            count: read_u64(r)?,
            zeros: read_u64(r)?,
            min: f64::from_bits(read_u64(r)?),
            max: f64::from_bits(read_u64(r)?),
            sum_fixed: {
                let mut b = [0u8; 16];
                r.read_exact(&mut b)?;
                i128::from_le_bytes(b)
            },
            ..Histogram::default()
        };
        for i in 0..2 {
            let mut b4 = [0u8; 4];
            r.read_exact(&mut b4)?;
            let n = u32::from_le_bytes(b4) as usize;
            if n > 1 << 20 {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "histogram too large",
                ));
            }
            let mut store = DenseStore::default();
            for _ in 0..n {
                r.read_exact(&mut b4)?;
                let key = i32::from_le_bytes(b4);
                r.read_exact(&mut b4)?;
                store.add(key, u32::from_le_bytes(b4));
            }
            if i == 0 {
                h.positive = store;
            } else {
                h.negative = store;
            }
        }
        Ok(h)
    }
}

fn read_u64<R: Read>(r: &mut R) -> io::Result<u64> {
    let mut b = [0u8; 8];
    r.read_exact(&mut b)?;
    Ok(u64::from_le_bytes(b))
}

/// Histograms of every (week, side, variable), plus the number of runs folded in.
#[derive(Clone, Debug, PartialEq)]
pub struct Accumulator {
    pub weeks: u32,
    pub sides: usize,
    pub variables: usize,
    pub runs: u64,
    hist: Vec<Histogram>,
}

const MAGIC: &[u8; 8] = b"BRNKAGG2";

/// Cells transposed together by [`Accumulator::record_rows`]: eight `f64` are one 64-byte cache
/// line of a row.
const TRANSPOSE_BLOCK: usize = 8;

impl Accumulator {
    pub fn new(weeks: u32, sides: usize, variables: usize) -> Accumulator {
        let n = (weeks as usize + 1) * sides * variables;
        Accumulator {
            weeks,
            sides,
            variables,
            runs: 0,
            hist: vec![Histogram::default(); n],
        }
    }

    #[inline]
    fn index(&self, week: u32, side: usize, var: usize) -> usize {
        (week as usize * self.sides + side) * self.variables + var
    }

    #[inline]
    pub fn record(&mut self, week: u32, side: usize, values: &[Option<f64>]) {
        let base = self.index(week, side, 0);
        for (k, v) in values.iter().enumerate() {
            if let Some(x) = v {
                self.hist[base + k].record(*x);
            }
        }
    }

    /// Records a batch of runs stored row by row: `values[run * cells + cell]` for
    /// `run < runs`, where `cells` is [`Accumulator::cells`] (NaN = undefined).
    ///
    /// Rows, because each run then writes its observations into a few contiguous pages while
    /// it runs; a cell-major buffer spreads one run's 2,332 stores over as many cache lines and
    /// ~1,200 pages, and its column stride of 2 KB mapped them all to a few cache sets. That cost
    /// more than recording the values (round 7 in docs/performance.md). The rows are transposed
    /// here [`TRANSPOSE_BLOCK`] cells at a time, so each histogram still records one contiguous
    /// column with its bins in cache.
    pub fn record_rows(&mut self, values: &[f64], runs: usize) {
        let cells = self.hist.len();
        assert_eq!(
            values.len(),
            runs * cells,
            "{runs} rows of {cells} cells expected"
        );
        if runs == 0 {
            return;
        }
        let mut columns = vec![0.0; TRANSPOSE_BLOCK * runs];
        for (block, hists) in self.hist.chunks_mut(TRANSPOSE_BLOCK).enumerate() {
            let first = block * TRANSPOSE_BLOCK;
            let width = hists.len();
            for (run, row) in values.chunks_exact(cells).enumerate() {
                for (j, &v) in row[first..first + width].iter().enumerate() {
                    columns[j * runs + run] = v;
                }
            }
            for (h, column) in hists.iter_mut().zip(columns.chunks_exact(runs)) {
                h.record_column(column);
            }
        }
        self.runs += runs as u64;
    }

    /// Number of cells (week, side, variable).
    pub fn cells(&self) -> usize {
        self.hist.len()
    }

    pub fn get(&self, week: u32, side: usize, var: usize) -> &Histogram {
        &self.hist[self.index(week, side, var)]
    }

    /// Folds another accumulator of the same shape in. Exact and order-independent.
    pub fn merge(&mut self, other: &Accumulator) {
        assert_eq!(
            (self.weeks, self.sides, self.variables),
            (other.weeks, other.sides, other.variables),
            "accumulators of different shapes"
        );
        self.runs += other.runs;
        for (a, b) in self.hist.iter_mut().zip(&other.hist) {
            a.merge(b);
        }
    }

    pub fn write<W: Write>(&self, w: &mut W) -> io::Result<()> {
        w.write_all(MAGIC)?;
        w.write_all(&self.weeks.to_le_bytes())?;
        w.write_all(&(self.sides as u32).to_le_bytes())?;
        w.write_all(&(self.variables as u32).to_le_bytes())?;
        w.write_all(&self.runs.to_le_bytes())?;
        for h in &self.hist {
            h.write(w)?;
        }
        Ok(())
    }

    pub fn read<R: Read>(r: &mut R) -> io::Result<Accumulator> {
        let mut magic = [0u8; 8];
        r.read_exact(&mut magic)?;
        if &magic != MAGIC {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "not a brink aggregate file (bad magic)",
            ));
        }
        let mut b4 = [0u8; 4];
        r.read_exact(&mut b4)?;
        let weeks = u32::from_le_bytes(b4);
        r.read_exact(&mut b4)?;
        let sides = u32::from_le_bytes(b4) as usize;
        r.read_exact(&mut b4)?;
        let variables = u32::from_le_bytes(b4) as usize;
        if weeks > 10_000 || sides > 16 || variables > 1_000 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "implausible aggregate shape",
            ));
        }
        let runs = read_u64(r)?;
        let mut acc = Accumulator::new(weeks, sides, variables);
        acc.runs = runs;
        for h in acc.hist.iter_mut() {
            *h = Histogram::read(r)?;
        }
        Ok(acc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    #[test]
    fn equal_histograms_serialize_to_equal_bytes_whatever_their_growth() {
        // Inserting the same values in another order grows the bins from another side.
        let values = [1.0, 1.0e6, 3.0, 0.001, 250.0];
        let mut a = Histogram::default();
        let mut b = Histogram::default();
        for v in values {
            a.record(v);
        }
        for v in values.iter().rev() {
            b.record(*v);
        }
        assert_eq!(a, b);
        let (ja, jb) = (
            serde_json::to_string(&a).unwrap(),
            serde_json::to_string(&b).unwrap(),
        );
        assert_eq!(ja, jb);
        // And the canonical form reads back to an equal histogram.
        let back: Histogram = serde_json::from_str(&ja).unwrap();
        assert_eq!(back, a);
        assert_eq!(back.quantile(0.5), a.quantile(0.5));
    }

    fn exact_quantile(sorted: &[f64], p: f64) -> f64 {
        let n = sorted.len();
        let rank = ((p * n as f64).ceil() as usize).clamp(1, n);
        sorted[rank - 1]
    }

    #[test]
    fn recording_a_column_equals_recording_value_by_value() {
        let columns: [Vec<f64>; 14] = [
            vec![3.5; 256],
            vec![0.0; 7],
            vec![-2.25; 9],
            vec![f64::NAN; 5],
            vec![1.0, 1.0, f64::NAN, -4.0, 0.0, 1e9, 1e-9, 1.0],
            (0..300).map(|i| (i as f64 - 150.0) * 1.7).collect(),
            // Positive with gaps (the no-sign-test path), and without (the no-NaN path).
            (0..37)
                .map(|i| if i % 5 == 0 { f64::NAN } else { i as f64 * 0.3 })
                .collect(),
            (1..41).map(|i| 1.0 / i as f64).collect(),
            // Signed zeros as extremes, in lanes and in the remainder.
            vec![0.0, -0.0, 1.0, 2.0, -0.0, 0.0, 3.0, 0.0, -0.0],
            vec![-0.0, 0.0, -1.0, -2.0, 0.0, -0.0, -3.0, -0.0, 0.0, -0.0],
            // Beyond the i64 sum bound: value by value in i128.
            vec![4e12, -3e13, 5e12, 1e13, 7e12, -2e12],
            vec![1e15, 2e15, 3e15, f64::NAN, 4e15],
            // Either side of 2^31 (2^51 in fixed point), where rounding changes method.
            vec![2_147_483_647.9, -2_147_483_648.5, 2_147_483_648.0, 1.0],
            // Ties in fixed point (odd multiples of 2^-21) round to even.
            (0..9)
                .map(|i| f64::from(2 * i + 1) / 2_097_152.0 - 3.0)
                .collect(),
        ];
        for column in &columns {
            let mut by_column = Histogram::default();
            by_column.record(0.125);
            by_column.record_column(column);
            let mut by_value = Histogram::default();
            by_value.record(0.125);
            for &v in column.iter().filter(|v| !v.is_nan()) {
                by_value.record(v);
            }
            // PartialEq compares every field: count, zeros, bins, extremes and the exact sum.
            assert_eq!(by_column, by_value, "column {column:?}");
            // The passes equal the one-loop form bit for bit, the signs of zero extremes included.
            let mut in_order = Histogram::default();
            in_order.record(0.125);
            in_order.record_in_order(column);
            assert_eq!(by_column, in_order, "column {column:?}");
            assert_eq!(by_column.min.to_bits(), in_order.min.to_bits());
            assert_eq!(by_column.max.to_bits(), in_order.max.to_bits());
        }
    }

    #[test]
    fn recording_rows_equals_recording_each_cell_value_by_value() {
        // 3 weeks x 2 sides x 5 variables = 30 cells: three full transpose blocks and a short
        // one; 13 runs, with undefined cells, constant cells and both signs.
        let (weeks, sides, variables, runs) = (2u32, 2usize, 5usize, 13usize);
        let mut rows = Accumulator::new(weeks, sides, variables);
        let cells = rows.cells();
        let value = |run: usize, cell: usize| match cell % 6 {
            0 => 7.0,
            1 if run.is_multiple_of(4) => f64::NAN,
            2 => -(run as f64) * 0.5 - cell as f64,
            _ => (run * 31 + cell * 7) as f64 / 3.0,
        };
        let values: Vec<f64> = (0..runs)
            .flat_map(|run| (0..cells).map(move |cell| value(run, cell)))
            .collect();
        rows.record_rows(&values, runs);
        let mut by_value = Accumulator::new(weeks, sides, variables);
        for run in 0..runs {
            for week in 0..=weeks {
                for side in 0..sides {
                    let first = (week as usize * sides + side) * variables;
                    let recorded: Vec<Option<f64>> = (first..first + variables)
                        .map(|cell| Some(value(run, cell)).filter(|v| !v.is_nan()))
                        .collect();
                    by_value.record(week, side, &recorded);
                }
            }
        }
        by_value.runs = runs as u64;
        assert_eq!(rows, by_value);
        // Cell 13 (week 1, side 0, variable 3) is undefined in every fourth run.
        assert_eq!(rows.get(1, 0, 3).count(), (runs - runs.div_ceil(4)) as u64);
    }

    #[test]
    fn counts_carry_past_their_low_eight_bits_exactly() {
        // Reference: plain u64 counts per key.
        let mut expected = std::collections::BTreeMap::<i32, u64>::new();
        let mut store = DenseStore::default();
        let mut add = |store: &mut DenseStore, key: i32, n: u32| {
            store.add(key, n);
            *expected.entry(key).or_default() += u64::from(n);
        };
        // Single increments through several carries, a bin at 255 + 1, weighted inserts that
        // carry more than once, and growth both ways after the high parts exist.
        for _ in 0..700 {
            add(&mut store, 1000, 1);
        }
        for _ in 0..255 {
            add(&mut store, 1001, 1);
        }
        add(&mut store, 1001, 1);
        add(&mut store, 1002, 70_000);
        add(&mut store, 1002, 4_000_000);
        add(&mut store, 1000 - 5_000, 300);
        add(&mut store, 1000 + 9_000, 1);
        add(&mut store, 1000 + 9_000, 256);
        let got: Vec<(i32, u64)> = store.nonzero().map(|(k, c)| (k, u64::from(c))).collect();
        let want: Vec<(i32, u64)> = expected.iter().map(|(&k, &c)| (k, c)).collect();
        assert_eq!(got, want);
        // Merging and the serialized form keep whole counts.
        let mut merged = DenseStore::default();
        merged.merge(&store);
        merged.merge(&store);
        let doubled: Vec<(i32, u32)> = want.iter().map(|&(k, c)| (k, 2 * c as u32)).collect();
        assert_eq!(merged.nonzero().collect::<Vec<_>>(), doubled);
        let json = serde_json::to_string(&store).unwrap();
        assert!(json.contains("4070000"), "{json}");
        let back: DenseStore = serde_json::from_str(&json).unwrap();
        assert_eq!(back, store);
    }

    #[test]
    fn fixed_point_rounds_to_the_nearest_and_ties_to_even() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(17);
        for i in 0..200_000 {
            // Every magnitude from 2^-30 to 2^60 in fixed point (both rounding methods), both
            // signs, and exact ties.
            let v = if i % 4 == 0 {
                f64::from(rng.random_range(-1_000_000..1_000_000)) + 0.5
            } else {
                let m: f64 = rng.random_range(-1.0..1.0);
                m * 2f64.powi(rng.random_range(-30..60))
            } / FIXED_POINT_SCALE;
            let want = (v * FIXED_POINT_SCALE).round_ties_even() as i128;
            assert_eq!(fixed_point(v), want, "{v}");
            let mut h = Histogram::default();
            h.record_column(&[v, v * 0.5, f64::NAN, v * 0.25]);
            let sum = want
                + (v * 0.5 * FIXED_POINT_SCALE).round_ties_even() as i128
                + (v * 0.25 * FIXED_POINT_SCALE).round_ties_even() as i128;
            if v != 0.0 {
                assert_eq!(h.sum_fixed, sum, "{v}");
            }
        }
        assert_eq!(fixed_point(0.5 / FIXED_POINT_SCALE), 0);
        assert_eq!(fixed_point(1.5 / FIXED_POINT_SCALE), 2);
        assert_eq!(fixed_point(-2.5 / FIXED_POINT_SCALE), -2);
        // Ties beyond 2^51, where the slow path rounds (random draws there are integers).
        let beyond = ROUNDING_LIMIT + 1.5;
        assert_eq!(fixed_point(beyond / FIXED_POINT_SCALE), (1i128 << 51) + 2);
        assert_eq!(fixed_point(-beyond / FIXED_POINT_SCALE), -(1i128 << 51) - 2);
        assert_eq!(
            fixed_point((beyond + 1.0) / FIXED_POINT_SCALE),
            (1i128 << 51) + 2
        );
    }

    #[test]
    fn histograms_round_trip_through_json_bit_for_bit() {
        // `brink merge` reads the event statistics' histograms back from JSON: a float parsed
        // one unit in the last place off would make merged shards differ from the unsharded
        // study (serde_json parses exactly only with its `float_roundtrip` feature).
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(17);
        for _ in 0..2_000 {
            let mut h = Histogram::default();
            h.record(rng.random::<f64>() * 1e5);
            let json = serde_json::to_string(&h).unwrap();
            let back: Histogram = serde_json::from_str(&json).unwrap();
            assert_eq!(back.min.to_bits(), h.min.to_bits(), "{json}");
        }
    }

    #[test]
    fn quantiles_are_within_bin_resolution_of_the_exact_order_statistic() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        let xs: Vec<f64> = (0..50_000)
            .map(|_| (rng.random::<f64>() * 12.0).exp())
            .collect();
        let mut h = Histogram::default();
        xs.iter().for_each(|&x| h.record(x));
        let mut sorted = xs.clone();
        sorted.sort_by(f64::total_cmp);
        for p in [0.05, 0.25, 0.5, 0.75, 0.95] {
            let exact = exact_quantile(&sorted, p);
            let got = h.quantile(p).unwrap();
            assert!(
                got <= exact && (exact - got) / exact < 1.0 / 256.0 + 1e-12,
                "p={p}: {got} vs {exact}"
            );
        }
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        assert!((h.mean().unwrap() - mean).abs() / mean < 1e-9);
    }

    #[test]
    fn equal_values_and_small_integers_are_exact() {
        let mut h = Histogram::default();
        for _ in 0..10 {
            h.record(123_456.789);
        }
        assert_eq!(h.quantile(0.5), Some(123_456.789));
        let mut h = Histogram::default();
        for x in 0..200 {
            h.record(f64::from(x));
        }
        assert_eq!(h.quantile(0.5), Some(99.0));
        assert_eq!(h.quantile(0.05), Some(9.0));
    }

    #[test]
    fn merging_in_any_order_is_exact() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(9);
        let parts: Vec<Vec<f64>> = (0..5)
            .map(|_| (0..1000).map(|_| rng.random::<f64>() * 1e5 - 2e4).collect())
            .collect();
        let build = |order: &[usize]| {
            let mut total = Histogram::default();
            for &i in order {
                let mut h = Histogram::default();
                parts[i].iter().for_each(|&x| h.record(x));
                total.merge(&h);
            }
            total
        };
        let a = build(&[0, 1, 2, 3, 4]);
        let b = build(&[4, 2, 0, 3, 1]);
        assert_eq!(a, b);
        let mut one = Histogram::default();
        parts.iter().flatten().for_each(|&x| one.record(x));
        assert_eq!(a, one);
    }

    #[test]
    fn accumulator_round_trips_through_bytes() {
        let mut acc = Accumulator::new(3, 2, 2);
        acc.record(1, 0, &[Some(5.0), None]);
        acc.record(2, 1, &[Some(-1.5), Some(0.0)]);
        acc.runs = 1;
        let mut bytes = Vec::new();
        acc.write(&mut bytes).unwrap();
        let back = Accumulator::read(&mut bytes.as_slice()).unwrap();
        assert_eq!(acc, back);
        assert!(Accumulator::read(&mut &b"garbage!"[..]).is_err());
    }
}
