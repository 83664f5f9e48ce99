//! The two random streams of a run, cheaply.
//!
//! A run's dynamics stream is its parameter stream advanced by xoshiro256's long jump (2^192
//! draws), so the two can never overlap. `Xoshiro256PlusPlus::long_jump` computes the jump as
//! 256 steps of the generator (~3,000 instructions, 1.5% of an engine run). But the jump is a
//! linear map of the 256-bit state over GF(2), the same for every state; it is tabulated here
//! once, by nibble (64 positions x 16 values x 256 bits = 32 KB, in L1), and applied as 64
//! table lookups and XORs (~700 instructions with the seeding). The streams are the same, bit
//! for bit, as seeding and `long_jump` (tested below against `rand_xoshiro`).
//!
//! The generator's state transition and the jump polynomial are those of Blackman & Vigna,
//! "Scrambled linear pseudorandom number generators", ACM Trans. Math. Softw. 47(4), 2021,
//! and of their reference implementation (<https://prng.di.unimi.it/xoshiro256plusplus.c>).

use rand::{RngCore, SeedableRng};
use rand_xoshiro::{SplitMix64, Xoshiro256PlusPlus};
use std::sync::OnceLock;

/// The long-jump polynomial of xoshiro256 (equivalent to 2^192 calls to `next`).
const LONG_JUMP: [u64; 4] = [
    0x76e1_5d3e_fefd_cbbf,
    0xc500_4e44_1c52_2fb3,
    0x7771_0069_854e_e241,
    0x3910_9bb0_2acb_e635,
];

type State = [u64; 4];

/// One step of xoshiro256's state (its output scrambler plays no part in the jump).
fn advance(s: &mut State) {
    let t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = s[3].rotate_left(45);
}

/// The long jump, step by step: the XOR of the states at the polynomial's set bits.
fn long_jump_by_steps(mut s: State) -> State {
    let mut out = [0u64; 4];
    for word in LONG_JUMP {
        for bit in 0..64 {
            if word & (1u64 << bit) != 0 {
                for (o, x) in out.iter_mut().zip(&s) {
                    *o ^= x;
                }
            }
            advance(&mut s);
        }
    }
    out
}

/// `TABLE[p][v]`: the jump of the state whose nibble `p` (bits 4p..4p+4, word p / 16) is `v` and
/// whose other bits are 0.
type JumpTable = [[State; 16]; 64];

fn jump_table() -> &'static JumpTable {
    static TABLE: OnceLock<Box<JumpTable>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = Box::new([[[0u64; 4]; 16]; 64]);
        for (p, row) in table.iter_mut().enumerate() {
            // The jumps of the nibble's four unit states, then every combination by XOR.
            let units: [State; 4] = std::array::from_fn(|k| {
                let mut unit = [0u64; 4];
                unit[p / 16] = 1u64 << (4 * (p % 16) + k);
                long_jump_by_steps(unit)
            });
            for (v, entry) in row.iter_mut().enumerate() {
                for (k, unit) in units.iter().enumerate() {
                    if v & (1 << k) != 0 {
                        for (e, u) in entry.iter_mut().zip(unit) {
                            *e ^= u;
                        }
                    }
                }
            }
        }
        table
    })
}

/// The long jump of `s` through the table.
fn long_jump(s: &State) -> State {
    let table = jump_table();
    let mut out = [0u64; 4];
    for (w, &word) in s.iter().enumerate() {
        for n in 0..16 {
            let entry = &table[w * 16 + n][((word >> (4 * n)) & 0xf) as usize];
            for (o, e) in out.iter_mut().zip(entry) {
                *o ^= e;
            }
        }
    }
    out
}

fn to_seed(s: &State) -> [u8; 32] {
    let mut bytes = [0u8; 32];
    for (chunk, word) in bytes.chunks_exact_mut(8).zip(s) {
        chunk.copy_from_slice(&word.to_le_bytes());
    }
    bytes
}

/// The parameter stream `Xoshiro256PlusPlus::seed_from_u64(seed)` and the dynamics stream, the
/// same generator after `long_jump()`.
pub fn parameters_and_dynamics(seed: u64) -> (Xoshiro256PlusPlus, Xoshiro256PlusPlus) {
    // `seed_from_u64` fills the 32 seed bytes from SplitMix64 and reads them as four
    // little-endian words.
    let mut bytes = [0u8; 32];
    SplitMix64::seed_from_u64(seed).fill_bytes(&mut bytes);
    let state: State = std::array::from_fn(|i| {
        u64::from_le_bytes(bytes[8 * i..8 * i + 8].try_into().expect("8 bytes"))
    });
    if state == [0; 4] {
        // `from_seed` would replace an all-zero seed (it never occurs: SplitMix64 is a
        // bijection of four distinct counters); take the library's path.
        let params = Xoshiro256PlusPlus::seed_from_u64(seed);
        let mut dynamics = params.clone();
        dynamics.long_jump();
        return (params, dynamics);
    }
    // The jump is invertible, so a non-zero state jumps to a non-zero state.
    (
        Xoshiro256PlusPlus::from_seed(bytes),
        Xoshiro256PlusPlus::from_seed(to_seed(&long_jump(&state))),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first_draws(mut rng: Xoshiro256PlusPlus) -> Vec<u64> {
        (0..64).map(|_| rng.next_u64()).collect()
    }

    #[test]
    fn the_streams_equal_seeding_and_the_library_long_jump() {
        let seeds = [0u64, 1, 42, u64::MAX, 0x8000_0000_0000_0000]
            .into_iter()
            .chain((0..200).map(|i| crate::study::run_seed(7, i)));
        for seed in seeds {
            let params = Xoshiro256PlusPlus::seed_from_u64(seed);
            let mut dynamics = params.clone();
            dynamics.long_jump();
            let (p, d) = parameters_and_dynamics(seed);
            assert_eq!(first_draws(p), first_draws(params), "seed {seed}");
            assert_eq!(first_draws(d), first_draws(dynamics), "seed {seed}");
        }
    }

    #[test]
    fn the_table_is_the_step_by_step_jump() {
        let mut s: State = [0x0123_4567_89ab_cdef, 3, u64::MAX, 1 << 63];
        for _ in 0..50 {
            assert_eq!(long_jump(&s), long_jump_by_steps(s));
            advance(&mut s);
            s[0] = s[0].wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }
}
