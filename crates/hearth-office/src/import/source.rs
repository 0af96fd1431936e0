//! Where an imported file's bytes come from: held in memory (an upload, at most 20 MiB) or a
//! file on disk (the console). A CSV file on disk is read a block at a time, once to learn its
//! encoding and once per reading of its rows, and never held whole, so the memory an import
//! needs does not grow with the file. A workbook is read whole: the zip format needs it.

use std::borrow::Cow;
use std::io::Read;
use std::path::PathBuf;

use super::ReadError;

#[derive(Clone, Debug)]
pub enum ImportFile {
    Held(Vec<u8>),
    OnDisk(PathBuf),
}

impl Default for ImportFile {
    fn default() -> Self {
        ImportFile::Held(Vec::new())
    }
}

impl ImportFile {
    /// The bytes from the start.
    pub fn reader(&self) -> Result<Box<dyn Read + Send + '_>, ReadError> {
        match self {
            ImportFile::Held(bytes) => Ok(Box::new(bytes.as_slice())),
            ImportFile::OnDisk(path) => std::fs::File::open(path)
                .map(|file| Box::new(file) as Box<dyn Read + Send>)
                .map_err(unreadable),
        }
    }

    /// All the bytes.
    pub fn whole(&self) -> Result<Cow<'_, [u8]>, ReadError> {
        match self {
            ImportFile::Held(bytes) => Ok(Cow::Borrowed(bytes)),
            ImportFile::OnDisk(path) => std::fs::read(path).map(Cow::Owned).map_err(unreadable),
        }
    }

    /// The first `len` bytes (fewer in a shorter file).
    pub fn head(&self, len: usize) -> Result<Vec<u8>, ReadError> {
        let mut head = Vec::with_capacity(len);
        self.reader()?
            .take(len as u64)
            .read_to_end(&mut head)
            .map_err(unreadable)?;
        Ok(head)
    }
}

pub(super) fn unreadable(e: std::io::Error) -> ReadError {
    ReadError::Io(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_on_disk_reads_as_the_same_bytes_held() {
        let dir = std::env::temp_dir().join(format!("hearth-source-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("名单.csv");
        std::fs::write(&path, "户主姓名,身份证号\n张三,1\n").unwrap();
        let on_disk = ImportFile::OnDisk(path.clone());
        let held = ImportFile::Held(std::fs::read(&path).unwrap());
        assert_eq!(on_disk.whole().unwrap(), held.whole().unwrap());
        assert_eq!(on_disk.head(3).unwrap(), "户".as_bytes());
        let missing = ImportFile::OnDisk(dir.join("没有.csv"));
        assert!(matches!(missing.head(1), Err(ReadError::Io(_))));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
