//! The text of a CSV file. Excel on a Chinese Windows and WPS save CSV in GBK unless told
//! otherwise; newer tools save UTF-8, often with a byte-order mark. GB18030 is a superset of GBK
//! that also covers the rare characters in some names, so it decodes both.

use super::ReadError;
use encoding_rs::{Decoder, GB18030};

/// The bytes to read (a leading UTF-8 BOM dropped) and, unless they are valid UTF-8 already, the
/// GB18030 decoder for them. Checking UTF-8 copies nothing; GB18030 is decoded as it is read,
/// and bytes in neither encoding are refused there rather than read as replacement characters.
pub fn encoding_of(bytes: &[u8]) -> Result<(&[u8], Option<Decoder>), ReadError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if std::str::from_utf8(bytes).is_ok() {
        return Ok((bytes, None));
    }
    Ok((bytes, Some(GB18030.new_decoder_without_bom_handling())))
}

/// The whole text, as [`encoding_of`] reads it.
#[cfg(test)]
fn decode(bytes: &[u8]) -> Result<String, ReadError> {
    let (bytes, decoder) = encoding_of(bytes)?;
    let Some(_) = decoder else {
        return Ok(String::from_utf8_lossy(bytes).into_owned());
    };
    GB18030
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(|text| text.into_owned())
        .ok_or(ReadError::Encoding)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_utf8_with_and_without_bom() {
        assert_eq!(decode("户主,村\n".as_bytes()).unwrap(), "户主,村\n");
        assert_eq!(
            decode(&[b"\xEF\xBB\xBF".as_slice(), "户主".as_bytes()].concat()).unwrap(),
            "户主"
        );
    }

    #[test]
    fn reads_gbk_and_gb18030() {
        let (gbk, _, _) = encoding_rs::GBK.encode("户主姓名,上派镇");
        assert_eq!(decode(&gbk).unwrap(), "户主姓名,上派镇");
        // 𠀾 is outside GBK: only GB18030's four-byte form carries it.
        let (four, _, unmappable) = GB18030.encode("王𠀾");
        assert!(!unmappable);
        assert_eq!(decode(&four).unwrap(), "王𠀾");
    }

    #[test]
    fn refuses_bytes_in_no_encoding() {
        assert!(matches!(
            decode(&[0x81, 0x20, 0xFF]),
            Err(ReadError::Encoding)
        ));
    }
}
