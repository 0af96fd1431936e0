//! The text of a CSV file. Excel on a Chinese Windows and WPS save CSV in GBK unless told
//! otherwise; newer tools save UTF-8, often with a byte-order mark. GB18030 is a superset of GBK
//! that also covers the rare characters in some names, so it decodes both.

use super::ReadError;
use super::source::unreadable;
use encoding_rs::{Decoder, GB18030};
use std::io::Read;

/// The UTF-8 byte-order mark some tools put first; it is dropped as the text is read.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// How to read the text: `None` when it is all valid UTF-8, else the GB18030 decoder. The bytes
/// are checked a block at a time and nothing is kept; GB18030 is decoded as the rows are read,
/// and bytes in neither encoding are refused there rather than read as replacement characters.
pub fn decoder_of(mut reader: impl Read) -> Result<Option<Decoder>, ReadError> {
    let mut block = vec![0u8; 64 * 1024];
    // A character split across two blocks: its first bytes wait for the rest.
    let mut carried = 0;
    loop {
        let read = match reader.read(&mut block[carried..]) {
            Ok(read) => read,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(unreadable(e)),
        };
        let end = carried + read;
        if read == 0 {
            return Ok((carried > 0).then(gb18030));
        }
        match std::str::from_utf8(&block[..end]) {
            Ok(_) => carried = 0,
            Err(e) if e.error_len().is_none() => {
                let from = e.valid_up_to();
                block.copy_within(from..end, 0);
                carried = end - from;
            }
            Err(_) => return Ok(Some(gb18030())),
        }
    }
}

fn gb18030() -> Decoder {
    GB18030.new_decoder_without_bom_handling()
}

/// The whole text, as [`decoder_of`] reads it.
#[cfg(test)]
fn decode(bytes: &[u8]) -> Result<String, ReadError> {
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    let Some(_) = decoder_of(bytes)? else {
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
    fn a_character_split_between_blocks_is_still_utf8() {
        // 户 is three bytes; put its first byte last in the first 64 KiB block.
        let text = format!("{}户主\n", "a".repeat(64 * 1024 - 1));
        assert!(decoder_of(text.as_bytes()).unwrap().is_none());
        let mut cut = text.into_bytes();
        cut.truncate(64 * 1024 + 1);
        assert!(decoder_of(cut.as_slice()).unwrap().is_some());
    }

    #[test]
    fn refuses_bytes_in_no_encoding() {
        assert!(matches!(
            decode(&[0x81, 0x20, 0xFF]),
            Err(ReadError::Encoding)
        ));
    }
}
