//! A stable radix sort of items by a key of up to 16 bytes: the sorter's numeric keys
//! (`sorter.rs`), turned into unsigned numbers in the key's order.
//!
//! The key is read a byte (a *digit*) at a time, digit 0 the most significant. A digit that
//! every item shares orders nothing and is skipped. A large input is first split by its most
//! significant varying digit, and each part again, until a part fits in the processor's cache
//! (`SMALL` items); a part then sorts from its least significant digit up, every pass over
//! memory already in cache. Sorting the whole input from the least significant digit instead
//! would move every item through main memory once per digit, which cost more than all the
//! rest of an `ORDER BY` of a million rows.
//!
//! Invariants: every pass (split or least-significant pass) is stable, so items with equal
//! keys keep their input order. The caller lends the scratch space (as many items), so that it
//! can be memory the caller has done with: fresh memory costs a page fault per 4 KiB.

/// Parts at most this long sort from their least significant digit (16-byte items: 256 KiB).
const SMALL: usize = 1 << 14;

/// Parts at most this long sort by insertion (cheaper than 256-slot counts per digit).
const TINY: usize = 32;

/// The most digits a key has.
pub const MAX_DIGITS: usize = 16;

/// Sorts `items` stably by their keys of `digits` bytes, `digit(item, d)` being byte `d` of
/// an item's key, byte 0 the most significant; `scratch` is as long as `items`, and left
/// holding no particular order.
pub fn sort<T: Copy>(
    items: &mut [T],
    scratch: &mut [T],
    digits: usize,
    digit: impl Fn(&T, usize) -> u8,
) {
    debug_assert!(digits <= MAX_DIGITS);
    debug_assert_eq!(items.len(), scratch.len());
    let Some(first) = items.first().copied() else {
        return;
    };
    let mut varies = [false; MAX_DIGITS];
    for item in items.iter() {
        for (d, varies) in varies.iter_mut().enumerate().take(digits) {
            *varies |= digit(item, d) != digit(&first, d);
        }
    }
    let varying: Vec<usize> = (0..digits).filter(|&d| varies[d]).collect();
    sort_in(items, scratch, &varying, &digit);
}

/// Sorts `a` by `digits` (the digits that may still vary in it, most significant first), with
/// `s` (as long) as scratch.
fn sort_in<T: Copy, F: Fn(&T, usize) -> u8>(a: &mut [T], s: &mut [T], digits: &[usize], digit: &F) {
    debug_assert_eq!(a.len(), s.len());
    let Some((&d, rest)) = digits.split_first() else {
        return;
    };
    if a.len() <= SMALL {
        return sort_small(a, s, digits, digit);
    }
    let counts = count(a, d, digit);
    if counts.contains(&a.len()) {
        return sort_in(a, s, rest, digit);
    }
    scatter(a, s, d, &counts, digit);
    for part in parts(&counts) {
        sort_to(&mut s[part.clone()], &mut a[part], rest, digit);
    }
}

/// Writes `src` sorted by `digits` into `dst` (as long); `src` is scratch afterwards.
fn sort_to<T: Copy, F: Fn(&T, usize) -> u8>(
    src: &mut [T],
    dst: &mut [T],
    digits: &[usize],
    digit: &F,
) {
    debug_assert_eq!(src.len(), dst.len());
    let Some((&d, rest)) = digits.split_first() else {
        dst.copy_from_slice(src);
        return;
    };
    if src.len() <= SMALL {
        dst.copy_from_slice(src);
        return sort_small(dst, src, digits, digit);
    }
    let counts = count(src, d, digit);
    if counts.contains(&src.len()) {
        return sort_to(src, dst, rest, digit);
    }
    scatter(src, dst, d, &counts, digit);
    for part in parts(&counts) {
        sort_in(&mut dst[part.clone()], &mut src[part], rest, digit);
    }
}

/// Sorts a part that fits in cache: by insertion when tiny, else a pass per varying digit from
/// the least significant up, between `a` and `s`, ending in `a`.
fn sort_small<T: Copy, F: Fn(&T, usize) -> u8>(
    a: &mut [T],
    s: &mut [T],
    digits: &[usize],
    digit: &F,
) {
    if a.len() <= TINY {
        return insertion_sort(a, digits, digit);
    }
    let counts = count_all(a, digits.iter().copied(), digit);
    let mut in_a = true;
    for (&d, counts) in digits.iter().zip(&counts).rev() {
        if counts.contains(&a.len()) {
            continue;
        }
        if in_a {
            scatter(a, s, d, counts, digit);
        } else {
            scatter(s, a, d, counts, digit);
        }
        in_a = !in_a;
    }
    if !in_a {
        a.copy_from_slice(s);
    }
}

/// A stable insertion sort by `digits`, most significant first.
fn insertion_sort<T: Copy, F: Fn(&T, usize) -> u8>(a: &mut [T], digits: &[usize], digit: &F) {
    let less = |x: &T, y: &T| {
        for &d in digits {
            match digit(x, d).cmp(&digit(y, d)) {
                std::cmp::Ordering::Equal => {}
                ordering => return ordering.is_lt(),
            }
        }
        false
    };
    for i in 1..a.len() {
        let item = a[i];
        let mut j = i;
        while j > 0 && less(&item, &a[j - 1]) {
            a[j] = a[j - 1];
            j -= 1;
        }
        a[j] = item;
    }
}

/// How many items have each value of digit `d`.
fn count<T, F: Fn(&T, usize) -> u8>(items: &[T], d: usize, digit: &F) -> [usize; 256] {
    let mut counts = [0usize; 256];
    for item in items {
        counts[digit(item, d) as usize] += 1;
    }
    counts
}

/// `count` for each of `digits`, in one pass over the items.
fn count_all<T, F: Fn(&T, usize) -> u8>(
    items: &[T],
    digits: impl Iterator<Item = usize> + Clone,
    digit: &F,
) -> Vec<[usize; 256]> {
    let mut counts = vec![[0usize; 256]; digits.clone().count()];
    for item in items {
        for (counts, d) in counts.iter_mut().zip(digits.clone()) {
            counts[digit(item, d) as usize] += 1;
        }
    }
    counts
}

/// Moves `from` into `to` ordered by digit `d` (whose `counts` are given), stably.
fn scatter<T: Copy, F: Fn(&T, usize) -> u8>(
    from: &[T],
    to: &mut [T],
    d: usize,
    counts: &[usize; 256],
    digit: &F,
) {
    let mut next = [0usize; 256];
    let mut total = 0;
    for (slot, n) in next.iter_mut().zip(counts) {
        *slot = total;
        total += n;
    }
    for item in from {
        let slot = &mut next[digit(item, d) as usize];
        to[*slot] = *item;
        *slot += 1;
    }
}

/// The ranges of the parts `scatter` made, one per digit value that occurs.
fn parts(counts: &[usize; 256]) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
    let mut start = 0;
    counts.iter().filter(|&&n| n > 0).map(move |&n| {
        start += n;
        start - n..start
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xorshift(mut state: u64) -> impl FnMut() -> u64 {
        move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        }
    }

    /// The radix sort gives what a stable comparison sort gives, for keys of one and two
    /// words, with bytes that vary, bytes every key shares, many equal keys, skewed top
    /// digits, and sizes on both sides of `TINY` and `SMALL`.
    #[test]
    fn radix_sort_is_a_stable_sort() {
        let mut next = xorshift(0x2545_f491_4f6c_dd1d);
        let spreads = [
            (u64::MAX, u64::MAX),
            (0xffff, 0xff_0000_00ff),
            (3, 1),
            (0, 0),
            (0xff00_0000_0000_0000, 0xffff),
            (0x0300_0000_0000_0000, u64::MAX),
        ];
        let lens = [0, 1, 7, TINY + 3, 5000, SMALL + 1, 3 * SMALL + 17];
        for (m0, m1) in spreads {
            for len in lens {
                let keys: Vec<([u64; 2], usize)> = (0..len)
                    .map(|seq| ([next() & m0, next() & m1], seq))
                    .collect();
                let mut expected = keys.clone();
                expected.sort_by_key(|k| k.0);
                let mut two = keys.clone();
                let mut scratch = keys.clone();
                sort(&mut two, &mut scratch, 16, |k, d| {
                    (k.0[d / 8] >> (56 - 8 * (d % 8))) as u8
                });
                assert_eq!(two, expected, "two words, masks {m0:#x} {m1:#x}, {len}");
                let mut one: Vec<(u64, usize)> = keys.iter().map(|k| (k.0[0], k.1)).collect();
                let mut expected: Vec<(u64, usize)> = one.clone();
                expected.sort_by_key(|k| k.0);
                let mut scratch = one.clone();
                sort(&mut one, &mut scratch, 8, |k, d| {
                    (k.0 >> (56 - 8 * d)) as u8
                });
                assert_eq!(one, expected, "one word, mask {m0:#x}, {len}");
            }
        }
    }
}
