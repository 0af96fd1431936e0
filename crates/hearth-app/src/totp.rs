//! Time-based one-time codes (TOTP, RFC 6238 over HOTP, RFC 4226): HMAC-SHA1, 30-second steps,
//! six digits, the defaults every authenticator app uses. A code is accepted for the step
//! before and after the current one, to forgive a phone's clock drifting by half a minute.

use hmac::{Hmac, KeyInit, Mac};
use rand::RngCore;
use sha1::Sha1;

pub const STEP_SECONDS: i64 = 30;
pub const DIGITS: u32 = 6;

/// A new 160-bit secret, the length RFC 4226 recommends.
pub fn new_secret() -> Vec<u8> {
    let mut secret = vec![0u8; 20];
    rand::rng().fill_bytes(&mut secret);
    secret
}

/// The HOTP value for `counter`, `digits` long (RFC 4226 §5.3).
pub fn hotp(secret: &[u8], counter: u64, digits: u32) -> String {
    // HMAC accepts a key of any length, so this cannot fail.
    let Ok(mut mac) = <Hmac<Sha1>>::new_from_slice(secret) else {
        return String::new();
    };
    mac.update(&counter.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[digest.len() - 1] & 0x0f);
    let binary = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    let code = binary % 10u32.pow(digits);
    format!("{code:0width$}", width = digits as usize)
}

/// The 30-second step a moment falls in.
pub fn step_of(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(STEP_SECONDS)
}

/// The step `code` was made for, if it matches the current step or one either side.
pub fn matching_step(secret: &[u8], code: &str, unix_seconds: i64) -> Option<i64> {
    let code = code.trim();
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = step_of(unix_seconds);
    [now - 1, now, now + 1].into_iter().find(|step| {
        u64::try_from(*step).is_ok_and(|counter| same(&hotp(secret, counter, DIGITS), code))
    })
}

/// Compares codes without an early exit, so timing does not reveal a matching prefix.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 without padding, the form authenticator apps take secrets in.
pub fn base32(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    for chunk in bytes.chunks(5) {
        let mut buffer = [0u8; 5];
        buffer[..chunk.len()].copy_from_slice(chunk);
        let bits = buffer
            .iter()
            .fold(0u64, |acc, byte| (acc << 8) | u64::from(*byte));
        let symbols = (chunk.len() * 8).div_ceil(5);
        for i in 0..symbols {
            let index = (bits >> (35 - 5 * i)) & 0x1f;
            out.push(char::from(BASE32[index as usize]));
        }
    }
    out
}

/// The `otpauth://` address an authenticator app reads from a QR code or a typed link.
pub fn otpauth_uri(issuer: &str, account: &str, secret: &[u8]) -> String {
    let label: String = form_escape(&format!("{issuer}:{account}"));
    format!(
        "otpauth://totp/{label}?secret={}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
        base32(secret),
        form_escape(issuer)
    )
}

fn form_escape(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b':' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC_SECRET: &[u8] = b"12345678901234567890";

    #[test]
    fn hotp_matches_the_rfc_4226_test_values() {
        let expected = [
            "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583",
            "399871", "520489",
        ];
        for (counter, code) in expected.iter().enumerate() {
            assert_eq!(
                hotp(RFC_SECRET, counter as u64, 6),
                *code,
                "counter {counter}"
            );
        }
    }

    #[test]
    fn totp_matches_the_rfc_6238_sha1_test_values() {
        let expected = [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ];
        for (time, code) in expected {
            let step = u64::try_from(step_of(time)).expect("positive");
            assert_eq!(hotp(RFC_SECRET, step, 8), code, "time {time}");
        }
    }

    #[test]
    fn a_code_is_accepted_one_step_either_side_and_not_beyond() {
        let now = 1_700_000_000;
        let code_for = |t: i64| hotp(RFC_SECRET, step_of(t) as u64, DIGITS);
        assert_eq!(
            matching_step(RFC_SECRET, &code_for(now), now),
            Some(step_of(now))
        );
        assert!(matching_step(RFC_SECRET, &code_for(now - 30), now).is_some());
        assert!(matching_step(RFC_SECRET, &code_for(now + 30), now).is_some());
        assert_eq!(matching_step(RFC_SECRET, &code_for(now - 90), now), None);
        assert_eq!(matching_step(RFC_SECRET, "12345", now), None);
        assert_eq!(matching_step(RFC_SECRET, "abcdef", now), None);
    }

    #[test]
    fn base32_matches_rfc_4648() {
        assert_eq!(base32(b""), "");
        assert_eq!(base32(b"f"), "MY");
        assert_eq!(base32(b"fo"), "MZXQ");
        assert_eq!(base32(b"foo"), "MZXW6");
        assert_eq!(base32(b"foob"), "MZXW6YQ");
        assert_eq!(base32(b"fooba"), "MZXW6YTB");
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32(RFC_SECRET), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    }

    #[test]
    fn the_enrolment_address_names_issuer_and_account() {
        let uri = otpauth_uri("Hearth 暖冬", "admin", RFC_SECRET);
        assert!(
            uri.starts_with("otpauth://totp/Hearth%20%E6%9A%96%E5%86%AC:admin?secret=GEZDGNBV")
        );
        assert!(uri.contains("&digits=6&period=30"));
    }
}
