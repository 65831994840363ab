//! The Modbus word-order decoder: registers ⇄ values for every data type
//! and byte order (the table is in [`crate::config`]).
//!
//! A value of n registers is first put into canonical order — high
//! register first, high byte first (`ABCD`, big-endian) — by reversing the
//! registers when the order is low-word-first (`CDAB`, `DCBA`) and swapping
//! the bytes of each register when the order swaps bytes (`BADC`, `DCBA`).
//! Both steps are their own inverse and commute, so encoding applies the
//! same two steps to the canonical registers.

use crate::config::{ByteOrder, DataType};

/// Most registers one value spans (float64).
pub const MAX_WIDTH: usize = 4;

/// The canonical (`ABCD`) registers of a value read in `order`, in place.
fn to_canonical(words: &mut [u16], order: ByteOrder) {
    if order.low_word_first() {
        words.reverse();
    }
    if order.swap_bytes() {
        for word in words.iter_mut() {
            *word = word.swap_bytes();
        }
    }
}

/// The big-endian integer made of canonical registers.
fn canonical_bits(words: &[u16]) -> u64 {
    words
        .iter()
        .fold(0u64, |bits, &word| (bits << 16) | u64::from(word))
}

/// The raw (unscaled) value of the registers of one tag; `None` when the
/// number of registers is not the width of `data_type` or the type is `bool`.
///
/// 16-bit types swap their bytes for `BADC` and `DCBA` (the register order
/// does not apply to one register).
pub fn decode(words: &[u16], data_type: DataType, order: ByteOrder) -> Option<f64> {
    let width = usize::from(data_type.width());
    if data_type == DataType::Bool || words.len() != width || width > MAX_WIDTH {
        return None;
    }
    let mut canonical = [0u16; MAX_WIDTH];
    let canonical = &mut canonical[..width];
    canonical.copy_from_slice(words);
    to_canonical(canonical, order);
    let bits = canonical_bits(canonical);
    // The casts below keep exactly the bits of the value's width.
    Some(match data_type {
        DataType::Int16 => f64::from(bits as u16 as i16),
        DataType::Uint16 => f64::from(bits as u16),
        DataType::Int32 => f64::from(bits as u32 as i32),
        DataType::Uint32 => f64::from(bits as u32),
        DataType::Float32 => f64::from(f32::from_bits(bits as u32)),
        DataType::Float64 => f64::from_bits(bits),
        DataType::Bool => return None,
    })
}

/// The registers of a raw value in `data_type` and `order`: `None` for
/// `bool` and for a NaN integer. Integers are rounded to the nearest and
/// saturate at the ends of their range, as a PLC's conversion does.
pub fn encode(raw: f64, data_type: DataType, order: ByteOrder) -> Option<Vec<u16>> {
    let is_integer = !matches!(
        data_type,
        DataType::Float32 | DataType::Float64 | DataType::Bool
    );
    if is_integer && raw.is_nan() {
        return None;
    }
    let rounded = raw.round();
    // `as` from f64 to an integer saturates at the type's bounds.
    let bits: u64 = match data_type {
        DataType::Int16 => u64::from(rounded as i16 as u16),
        DataType::Uint16 => u64::from(rounded as u16),
        DataType::Int32 => u64::from(rounded as i32 as u32),
        DataType::Uint32 => u64::from(rounded as u32),
        DataType::Float32 => u64::from((raw as f32).to_bits()),
        DataType::Float64 => raw.to_bits(),
        DataType::Bool => return None,
    };
    let width = usize::from(data_type.width());
    let mut words: Vec<u16> = (0..width)
        .rev()
        .map(|i| (bits >> (16 * i)) as u16)
        .collect();
    to_canonical(&mut words, order);
    Some(words)
}

/// value = raw × scale + offset.
pub fn scale(raw: f64, scale: f64, offset: f64) -> f64 {
    raw * scale + offset
}

/// raw = (value − offset) / scale: the inverse of [`scale`], for serving.
pub fn unscale(value: f64, scale: f64, offset: f64) -> f64 {
    (value - offset) / scale
}

#[cfg(test)]
mod tests {
    use super::*;
    use ByteOrder::*;
    use DataType::*;

    const ORDERS: [ByteOrder; 4] = [Abcd, Dcba, Badc, Cdab];

    /// Registers of the 32-bit pattern 0x12345678 (bytes A=12 B=34 C=56 D=78) in each order.
    fn pattern32(order: ByteOrder) -> [u16; 2] {
        match order {
            Abcd => [0x1234, 0x5678],
            Cdab => [0x5678, 0x1234],
            Badc => [0x3412, 0x7856],
            Dcba => [0x7856, 0x3412],
        }
    }

    /// Registers of the 64-bit pattern 0x0123456789ABCDEF (bytes A..H) in each order.
    fn pattern64(order: ByteOrder) -> [u16; 4] {
        match order {
            Abcd => [0x0123, 0x4567, 0x89AB, 0xCDEF],
            Cdab => [0xCDEF, 0x89AB, 0x4567, 0x0123],
            Badc => [0x2301, 0x6745, 0xAB89, 0xEFCD],
            Dcba => [0xEFCD, 0xAB89, 0x6745, 0x2301],
        }
    }

    #[test]
    fn int32_and_uint32_in_every_order() {
        for order in ORDERS {
            let words = pattern32(order);
            assert_eq!(
                decode(&words, Uint32, order),
                Some(f64::from(0x1234_5678u32)),
                "{order:?}"
            );
            assert_eq!(
                decode(&words, Int32, order),
                Some(f64::from(0x1234_5678i32)),
                "{order:?}"
            );
        }
        // The sign bit sits in byte A whatever the order.
        let negative = 0x89AB_CDEFu32 as i32;
        let words = |order| match order {
            Abcd => [0x89AB, 0xCDEF],
            Cdab => [0xCDEF, 0x89AB],
            Badc => [0xAB89, 0xEFCD],
            Dcba => [0xEFCD, 0xAB89],
        };
        for order in ORDERS {
            assert_eq!(
                decode(&words(order), Int32, order),
                Some(f64::from(negative))
            );
            assert_eq!(
                decode(&words(order), Uint32, order),
                Some(f64::from(0x89AB_CDEFu32))
            );
        }
    }

    #[test]
    fn float32_known_bit_pattern_in_every_order() {
        // 123.456f32 is 0x42F6E979.
        let expected = f64::from(123.456f32);
        let cases = [
            (Abcd, [0x42F6, 0xE979]),
            (Cdab, [0xE979, 0x42F6]),
            (Badc, [0xF642, 0x79E9]),
            (Dcba, [0x79E9, 0xF642]),
        ];
        for (order, words) in cases {
            assert_eq!(decode(&words, Float32, order), Some(expected), "{order:?}");
            assert_eq!(
                encode(expected, Float32, order),
                Some(words.to_vec()),
                "{order:?}"
            );
        }
    }

    #[test]
    fn float64_known_bit_pattern_in_every_order() {
        let value = f64::from_bits(0x0123_4567_89AB_CDEF);
        for order in ORDERS {
            let decoded = decode(&pattern64(order), Float64, order);
            assert_eq!(
                decoded.map(f64::to_bits),
                Some(value.to_bits()),
                "{order:?}"
            );
            assert_eq!(
                encode(value, Float64, order),
                Some(pattern64(order).to_vec())
            );
        }
        // -1234.5678 = 0xC0934A456D5CFAAD
        let words = [0xC093, 0x4A45, 0x6D5C, 0xFAAD];
        assert_eq!(decode(&words, Float64, Abcd), Some(-1234.5678));
        let mut reversed = words;
        reversed.reverse();
        assert_eq!(decode(&reversed, Float64, Cdab), Some(-1234.5678));
    }

    #[test]
    fn sixteen_bit_values_swap_bytes_only() {
        for order in ORDERS {
            let words = if order.swap_bytes() {
                [0x85FF]
            } else {
                [0xFF85]
            };
            assert_eq!(decode(&words, Int16, order), Some(-123.0), "{order:?}");
            assert_eq!(decode(&words, Uint16, order), Some(65_413.0), "{order:?}");
            assert_eq!(encode(-123.0, Int16, order), Some(words.to_vec()));
        }
    }

    #[test]
    fn every_type_and_order_round_trips() {
        let values = [0.0, 1.0, -1.0, 42.0, -32_768.0, 65_535.0, 1.5e9, -2.5];
        let types = [Int16, Uint16, Int32, Uint32, Float32, Float64];
        for data_type in types {
            for order in ORDERS {
                for value in values {
                    let Some(words) = encode(value, data_type, order) else {
                        panic!("{value} {data_type:?}");
                    };
                    assert_eq!(words.len(), usize::from(data_type.width()));
                    let back = decode(&words, data_type, order);
                    let expected = match data_type {
                        Int16 => value.round().clamp(-32_768.0, 32_767.0),
                        Uint16 => value.round().clamp(0.0, 65_535.0),
                        Int32 => value.round().clamp(-2_147_483_648.0, 2_147_483_647.0),
                        Uint32 => value.round().clamp(0.0, 4_294_967_295.0),
                        Float32 => f64::from(value as f32),
                        Float64 | Bool => value,
                    };
                    assert_eq!(back, Some(expected), "{value} {data_type:?} {order:?}");
                }
            }
        }
    }

    #[test]
    fn wrong_register_counts_and_bool_decode_to_none() {
        assert_eq!(decode(&[1], Float32, Abcd), None);
        assert_eq!(decode(&[1, 2, 3], Float32, Abcd), None);
        assert_eq!(decode(&[1, 2], Float64, Abcd), None);
        assert_eq!(decode(&[], Int16, Abcd), None);
        assert_eq!(decode(&[1], Bool, Abcd), None);
        assert_eq!(encode(1.0, Bool, Abcd), None);
        assert_eq!(encode(f64::NAN, Int32, Abcd), None);
    }

    #[test]
    fn non_finite_floats_pass_through() {
        let nan = encode(f64::NAN, Float32, Cdab).unwrap_or_default();
        assert!(decode(&nan, Float32, Cdab).is_some_and(f64::is_nan));
        let inf = encode(f64::INFINITY, Float64, Badc).unwrap_or_default();
        assert_eq!(decode(&inf, Float64, Badc), Some(f64::INFINITY));
    }

    #[test]
    fn scale_and_unscale_are_inverse() {
        assert_eq!(scale(1234.0, 0.1, -10.0), 113.4);
        assert!((unscale(113.4, 0.1, -10.0) - 1234.0).abs() < 1e-9);
    }
}
