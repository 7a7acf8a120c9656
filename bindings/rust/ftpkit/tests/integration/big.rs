//! 100 MiB up and down over explicit FTPS (vsftpd, require_ssl_reuse),
//! checked by SHA-256 at every step.

use std::io::{self, Read, Write};

use sha2::{Digest, Sha256};

use crate::common::*;

const SIZE: u64 = 100 << 20;

/// Hashes what passes through.
struct HashRead<R>(R, Sha256);

impl<R: Read> Read for HashRead<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.0.read(buf)?;
        self.1.update(&buf[..n]);
        Ok(n)
    }
}

struct HashWrite(Sha256, u64);

impl Write for HashWrite {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.update(buf);
        self.1 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn round_trip_100_mib_by_sha256() {
    let srv = vsftpd_explicit();
    let (mut s, _, dir) = srv.session_in("big");
    let mut src = HashRead(Noise::new(0xf7f, SIZE), Sha256::new());
    assert_eq!(s.stor("big.bin", &mut src).unwrap(), SIZE);
    let sent = src.1.finalize();
    assert!(s.tls_data_resumed());
    assert_eq!(s.size("big.bin").unwrap(), SIZE);

    // On disk, as the server stored it.
    let mut on_disk = Sha256::new();
    io::copy(
        &mut std::fs::File::open(dir.join("big.bin")).unwrap(),
        &mut on_disk,
    )
    .unwrap();
    assert_eq!(on_disk.finalize(), sent);

    // Push download.
    let mut sink = HashWrite(Sha256::new(), 0);
    assert_eq!(s.retr("big.bin", &mut sink).unwrap(), SIZE);
    assert_eq!(sink.1, SIZE);
    assert_eq!(sink.0.finalize(), sent);

    // Pull download.
    let mut reader = s.retr_reader("big.bin").unwrap();
    assert_eq!(reader.announced_size(), Some(SIZE));
    let mut h = HashWrite(Sha256::new(), 0);
    io::copy(&mut reader, &mut h).unwrap();
    reader.finish().unwrap();
    assert_eq!(h.1, SIZE);
    assert_eq!(h.0.finalize(), sent);
    s.delete("big.bin").unwrap();
}
