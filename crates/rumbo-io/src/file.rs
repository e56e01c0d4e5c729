//! Reading a large file into memory on every core.
//!
//! `std::fs::read` copies the file from the page cache on one thread, into memory the kernel
//! must first clear: for a 76 MB people file that was a third of a second before any row was
//! read. Read in parts at their offsets, each on its own thread, the copying and the clearing
//! are shared out.

use std::fs::File;
use std::path::Path;

/// Below this size one thread reads the whole file: starting others costs more.
const PER_THREAD: usize = 4 << 20;

/// The bytes of the file at `path`, as [`std::fs::read`] gives them.
pub fn read_file(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut file = File::open(path)?;
    let len = usize::try_from(file.metadata()?.len()).unwrap_or(usize::MAX);
    let parts = rumbo_domain::parallel::threads().min(len / PER_THREAD);
    if parts < 2 {
        return read_rest(&mut file, Vec::new());
    }
    read_in_parts(&mut file, len, parts)
}

/// Whatever of `file` is left after `bytes`, appended to them.
fn read_rest(file: &mut File, mut bytes: Vec<u8>) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

#[cfg(unix)]
fn read_in_parts(file: &mut File, len: usize, parts: usize) -> std::io::Result<Vec<u8>> {
    use std::io::{Seek, SeekFrom};
    use std::os::unix::fs::FileExt;
    // Zeroed by the allocator as fresh pages, so only the threads below touch them.
    let mut bytes = vec![0u8; len];
    let chunk = len.div_ceil(parts);
    let shared: &File = file;
    std::thread::scope(|scope| {
        let handles: Vec<_> = bytes
            .chunks_mut(chunk)
            .enumerate()
            .map(|(k, part)| scope.spawn(move || shared.read_exact_at(part, (k * chunk) as u64)))
            .collect();
        handles.into_iter().try_for_each(|h| {
            h.join()
                .unwrap_or_else(|_| Err(std::io::Error::other("a reading thread failed")))
        })
    })?;
    // A file that grew meanwhile is read to its end, as `std::fs::read` would; one that shrank
    // failed above.
    file.seek(SeekFrom::Start(len as u64))?;
    read_rest(file, bytes)
}

#[cfg(not(unix))]
fn read_in_parts(file: &mut File, _len: usize, _parts: usize) -> std::io::Result<Vec<u8>> {
    read_rest(file, Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_read_in_parts_is_the_file() {
        let dir = tempfile::tempdir().expect("dir");
        // Sizes around the parts' edges: empty, small, one thread's worth, several uneven parts.
        for len in [0, 1, 1000, PER_THREAD - 1, 2 * PER_THREAD + 7, 5 * PER_THREAD + 3] {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 7 + i / 251) as u8).collect();
            let path = dir.path().join(format!("f{len}"));
            std::fs::write(&path, &bytes).expect("write");
            assert_eq!(read_file(&path).expect("read"), bytes, "{len} bytes");
            let mut file = File::open(&path).expect("open");
            if len > 0 {
                assert_eq!(
                    read_in_parts(&mut file, len, 3).expect("parts"),
                    bytes,
                    "{len} bytes in 3"
                );
            }
        }
        assert!(read_file(&dir.path().join("absent")).is_err());
    }
}
