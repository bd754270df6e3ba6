//! Files a user names (scenario documents, tokens, secrets, certificates), read with a size
//! limit: a path such as `/dev/zero` or a mistaken multi-gigabyte file must not exhaust memory.

use std::io::{self, Read};
use std::path::Path;

/// Largest scenario document read (4 MiB).
pub(crate) const MAX_SCENARIO_BYTES: u64 = 4 << 20;
/// Largest token or secret file read (64 KiB).
pub(crate) const MAX_SECRET_BYTES: u64 = 64 << 10;
/// Largest PEM file read: a CA bundle, a client certificate chain or key (4 MiB).
pub(crate) const MAX_PEM_BYTES: u64 = 4 << 20;

/// Reads at most `max` bytes of `path`; a longer file is an error of kind `InvalidData`
/// that says so (nothing past `max + 1` bytes is read).
pub(crate) fn read_limited(path: &Path, max: u64) -> io::Result<Vec<u8>> {
    let file = std::fs::File::open(path)?;
    let mut buf = Vec::new();
    file.take(max.saturating_add(1)).read_to_end(&mut buf)?;
    if buf.len() as u64 > max {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("the file is larger than the limit of {max} bytes"),
        ));
    }
    Ok(buf)
}

/// [`read_limited`] as UTF-8 text.
pub(crate) fn read_limited_text(path: &Path, max: u64) -> io::Result<String> {
    String::from_utf8(read_limited(path, max)?)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "the file is not UTF-8 text"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endless_files_stop_at_the_limit() {
        let e = read_limited(Path::new("/dev/zero"), 1024).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        assert!(e.to_string().contains("1024 bytes"), "{e}");
    }

    #[test]
    fn small_files_are_read_whole() {
        let path = std::env::temp_dir().join(format!("mcp-probe-file-{}", std::process::id()));
        std::fs::write(&path, "abc").unwrap();
        assert_eq!(read_limited_text(&path, 3).unwrap(), "abc");
        assert!(read_limited(&path, 2).is_err());
        std::fs::remove_file(&path).unwrap();
    }
}
