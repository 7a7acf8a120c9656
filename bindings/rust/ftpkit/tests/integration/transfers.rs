//! Downloads and uploads: push (Write/Read), pull (RetrReader/StorWriter),
//! resume offsets, APPE, ASCII uploads and file descriptors.

use std::io::{Read, Seek, SeekFrom, Write};

use ftpkit::Error;

use crate::common::*;

#[test]
fn retr_and_stor_round_trip() {
    for srv in plain_servers() {
        let (mut s, _, dir) = srv.session_in("rt");
        let data = noise(7, 300_000);
        let sent = s.stor("up.bin", &mut &data[..]).unwrap();
        assert_eq!(sent, data.len() as u64);
        assert_eq!(s.transfer_bytes(), data.len() as u64);
        assert_eq!(std::fs::read(dir.join("up.bin")).unwrap(), data);
        let mut back = Vec::new();
        let got = s.retr("up.bin", &mut back).unwrap();
        assert_eq!(got, data.len() as u64);
        assert_eq!(back, data, "{:?}", srv.kind);
        // Empty files both ways.
        s.stor("empty", &mut std::io::empty()).unwrap();
        assert_eq!(std::fs::metadata(dir.join("empty")).unwrap().len(), 0);
        let mut none = Vec::new();
        assert_eq!(s.retr("empty", &mut none).unwrap(), 0);
        assert!(none.is_empty());
    }
}

#[test]
fn retrbinary_and_storbinary_with_commands() {
    for srv in plain_servers() {
        let (mut s, _, dir) = srv.session_in("cmds");
        let data = noise(8, 5000);
        s.storbinary("STOR x.bin", 0, &mut &data[..]).unwrap();
        assert_eq!(std::fs::read(dir.join("x.bin")).unwrap(), data);
        let mut out = Vec::new();
        s.retrbinary("RETR x.bin", 0, &mut out).unwrap();
        assert_eq!(out, data);
        let mut tail = Vec::new();
        s.retrbinary("RETR x.bin", 4000, &mut tail).unwrap();
        assert_eq!(tail, &data[4000..]);
    }
}

#[test]
fn resume_offsets_for_retr_and_stor() {
    for srv in plain_servers() {
        let (mut s, _, dir) = srv.session_in("rest");
        let data = noise(9, 200_000);
        srv.put(&dir, "src.bin", &data);
        let mut tail = Vec::new();
        let n = s.retr_from("src.bin", 150_000, &mut tail).unwrap();
        assert_eq!(n, 50_000);
        assert_eq!(tail, &data[150_000..]);
        // Upload the first part, then resume the rest with REST + STOR.
        s.stor("dst.bin", &mut &data[..120_000]).unwrap();
        let n = s
            .stor_from("dst.bin", 120_000, &mut &data[120_000..])
            .unwrap();
        assert_eq!(n, 80_000);
        assert_eq!(
            std::fs::read(dir.join("dst.bin")).unwrap(),
            data,
            "{:?}",
            srv.kind
        );
    }
}

#[test]
fn append_and_storlines() {
    for srv in plain_servers() {
        let (mut s, _, dir) = srv.session_in("appe");
        s.append("log.txt", &mut &b"first\n"[..]).unwrap();
        s.append("log.txt", &mut &b"second\n"[..]).unwrap();
        assert_eq!(
            std::fs::read(dir.join("log.txt")).unwrap(),
            b"first\nsecond\n"
        );
        // ASCII mode: every line goes out with CRLF, the last one too (as
        // ftplib's storlines); vsftpd stores the bytes as they arrive,
        // pyftpdlib converts CRLF to the local LF.
        let n = s
            .storlines("STOR lines.txt", &mut &b"a\nb\r\nc"[..])
            .unwrap();
        let stored = std::fs::read(dir.join("lines.txt")).unwrap();
        let expected: &[u8] = match srv.kind {
            Kind::Vsftpd => b"a\r\nb\r\nc\r\n",
            Kind::Pyftpd => b"a\nb\nc\n",
        };
        assert!(
            stored == expected,
            "{:?}: {:?}",
            srv.kind,
            String::from_utf8_lossy(&stored)
        );
        assert_eq!(n, 9, "bytes on the wire, CRLF included");
    }
}

#[test]
fn retr_reader_reads_and_finishes() {
    for srv in plain_servers() {
        let (mut s, _, dir) = srv.session_in("reader");
        let data = noise(10, 1_000_000);
        srv.put(&dir, "f.bin", &data);
        let mut r = s.retr_reader("f.bin").unwrap();
        if srv.kind == Kind::Vsftpd {
            assert_eq!(r.announced_size(), Some(data.len() as u64));
        }
        let mut got = Vec::new();
        r.read_to_end(&mut got).unwrap();
        assert_eq!(r.transferred(), data.len() as u64);
        // Reading past the end keeps returning 0.
        assert_eq!(r.read(&mut [0u8; 16]).unwrap(), 0);
        let done = r.finish().unwrap();
        assert_eq!(done.code, 226, "{:?}", srv.kind);
        assert_eq!(got, data);
        // Resume from an offset.
        let mut r = s.retr_reader_from("f.bin", 999_000).unwrap();
        let mut tail = Vec::new();
        r.read_to_end(&mut tail).unwrap();
        r.finish().unwrap();
        assert_eq!(tail, &data[999_000..]);
        s.noop().unwrap();
    }
}

#[test]
fn retr_reader_abort_and_drop() {
    for srv in plain_servers() {
        let (mut s, _, dir) = srv.session_in("reader-abort");
        let data = noise(11, 32 << 20);
        srv.put(&dir, "big.bin", &data);
        // Abort after a little.
        let mut r = s.retr_reader("big.bin").unwrap();
        let mut head = vec![0u8; 4096];
        r.read_exact(&mut head).unwrap();
        assert_eq!(head, &data[..4096]);
        r.abort().unwrap();
        assert!(s.is_connected());
        assert_eq!(s.noop().unwrap().code, 200, "{:?}", srv.kind);
        // Dropped mid-transfer: ABOR behind the scenes, session usable.
        {
            let mut r = s.retr_reader("big.bin").unwrap();
            r.read_exact(&mut head).unwrap();
        }
        assert_eq!(s.noop().unwrap().code, 200, "{:?}", srv.kind);
        // Dropped after the end without finish(): the final reply is read.
        srv.put(&dir, "small", b"tiny");
        {
            let mut r = s.retr_reader("small").unwrap();
            let mut v = Vec::new();
            r.read_to_end(&mut v).unwrap();
            assert_eq!(v, b"tiny");
        }
        assert_eq!(s.noop().unwrap().code, 200);
        let mut v = Vec::new();
        s.retr("small", &mut v).unwrap();
        assert_eq!(v, b"tiny");
    }
}

#[test]
fn retr_reader_missing_file() {
    for srv in plain_servers() {
        let (mut s, _, _) = srv.session_in("reader-missing");
        match s.retr_reader("missing") {
            Err(Error::Permanent { code: 550, .. }) => {}
            other => panic!("{:?}: {:?}", srv.kind, other.map(|_| ())),
        }
        s.noop().unwrap();
    }
}

#[test]
fn stor_writer_finish() {
    for srv in plain_servers() {
        let (mut s, _, dir) = srv.session_in("writer");
        let data = noise(12, 700_000);
        let mut w = s.stor_writer("w.bin").unwrap();
        for chunk in data.chunks(65_000) {
            w.write_all(chunk).unwrap();
        }
        w.flush().unwrap();
        assert_eq!(w.transferred(), data.len() as u64);
        assert_eq!(w.finish().unwrap().code, 226);
        assert_eq!(std::fs::read(dir.join("w.bin")).unwrap(), data);
        let mut back = Vec::new();
        s.retr("w.bin", &mut back).unwrap();
        assert_eq!(back, data);
    }
}

#[test]
fn stor_writer_abort_and_drop() {
    for srv in upload_abort_servers() {
        let (mut s, _, dir) = srv.session_in("writer-abort");
        let data = noise(14, 100_000);
        srv.put(&dir, "keep.bin", &data);
        let mut w = s.stor_writer("aborted.bin").unwrap();
        w.write_all(&data[..1000]).unwrap();
        w.abort().unwrap();
        assert_eq!(s.noop().unwrap().code, 200, "{:?}", srv.tls);
        {
            let mut w = s.stor_writer("dropped.bin").unwrap();
            w.write_all(&data[..1000]).unwrap();
        }
        assert_eq!(s.noop().unwrap().code, 200, "{:?}", srv.tls);
        let mut back = Vec::new();
        s.retr("keep.bin", &mut back).unwrap();
        assert_eq!(back, data);
    }
}

#[test]
fn retr_fd_and_stor_fd() {
    for srv in plain_servers() {
        let (mut s, _, dir) = srv.session_in("fd");
        let local = TempDir::new("fd-local");
        let data = noise(13, 3_000_000);
        let src = local.path().join("src.bin");
        std::fs::write(&src, &data).unwrap();
        let f = std::fs::File::open(&src).unwrap();
        let n = s.stor_fd("up.bin", 0, &f).unwrap();
        assert_eq!(n, data.len() as u64);
        assert_eq!(std::fs::read(dir.join("up.bin")).unwrap(), data);

        let dst = local.path().join("dst.bin");
        let out = std::fs::File::create(&dst).unwrap();
        let n = s.retr_fd("up.bin", 0, &out).unwrap();
        assert_eq!(n, data.len() as u64);
        drop(out);
        assert_eq!(std::fs::read(&dst).unwrap(), data, "{:?}", srv.kind);

        // Resume: the rest of the file after 1 MB, appended at the fd's
        // position.
        let mut out = std::fs::File::create(&dst).unwrap();
        out.write_all(&data[..1_000_000]).unwrap();
        s.retr_fd("up.bin", 1_000_000, &out).unwrap();
        drop(out);
        assert_eq!(std::fs::read(&dst).unwrap(), data);
        let mut f = std::fs::File::open(&src).unwrap();
        f.seek(SeekFrom::Start(2_000_000)).unwrap();
        s.stor("part.bin", &mut &data[..2_000_000]).unwrap();
        s.stor_fd("part.bin", 2_000_000, &f).unwrap();
        assert_eq!(std::fs::read(dir.join("part.bin")).unwrap(), data);
    }
}

#[test]
fn transfer_to_a_missing_directory_fails_cleanly() {
    for srv in plain_servers() {
        let (mut s, _, _) = srv.session_in("nodir");
        let err = s.stor("no/such/dir/f", &mut &b"x"[..]).unwrap_err();
        assert!(
            matches!(
                err,
                Error::Permanent {
                    code: 550 | 553,
                    ..
                }
            ),
            "{err:?}"
        );
        s.noop().unwrap();
    }
}

#[test]
fn many_files_over_parallel_sessions() {
    for srv in [pyftpd(), vsftpd(), vsftpd_explicit()] {
        let (mut s, _, dir) = srv.session_in("files");
        let local = TempDir::new("many");
        let datas: Vec<Vec<u8>> = (0..7)
            .map(|i| noise(60 + i, 50_000 * (i as usize + 1)))
            .collect();
        let srcs: Vec<std::fs::File> = datas
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let p = local.path().join(format!("src{i}"));
                std::fs::write(&p, d).unwrap();
                std::fs::File::open(p).unwrap()
            })
            .collect();
        let mut jobs: Vec<ftpkit::FileJob<'_>> = srcs
            .iter()
            .enumerate()
            .map(|(i, f)| ftpkit::FileJob::new(format!("f{i}"), f).unwrap())
            .collect();
        s.stor_files(&mut jobs, 3).unwrap();
        for (i, job) in jobs.iter().enumerate() {
            assert!(matches!(job.result(), Some(Ok(()))), "{:?} {i}", srv.kind);
            assert_eq!(job.bytes(), datas[i].len() as u64);
            assert_eq!(std::fs::read(dir.join(format!("f{i}"))).unwrap(), datas[i]);
        }
        // Download them again, plus one that does not exist.
        let dsts: Vec<std::fs::File> = (0..8)
            .map(|i| std::fs::File::create(local.path().join(format!("dst{i}"))).unwrap())
            .collect();
        let mut jobs: Vec<ftpkit::FileJob<'_>> = dsts
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let name = if i == 7 {
                    "missing".to_owned()
                } else {
                    format!("f{i}")
                };
                ftpkit::FileJob::new(name, f).unwrap()
            })
            .collect();
        let e = s.retr_files(&mut jobs, 3).unwrap_err();
        assert!(
            matches!(e, Error::Permanent { .. }),
            "{:?}: {e:?}",
            srv.kind
        );
        for (i, job) in jobs.iter().enumerate().take(7) {
            assert!(
                matches!(job.result(), Some(Ok(()))),
                "{:?} {i}: {:?}",
                srv.kind,
                job.result()
            );
            let got = std::fs::read(local.path().join(format!("dst{i}"))).unwrap();
            assert_eq!(got, datas[i], "{:?} {i}", srv.kind);
        }
        assert!(matches!(
            jobs[7].result(),
            Some(Err(Error::Permanent { .. }))
        ));
        assert_eq!(jobs[7].bytes(), 0);
        // The session itself is still usable.
        s.noop().unwrap();
        // CR/LF in a path: nothing is sent.
        let f = std::fs::File::open(local.path().join("src0")).unwrap();
        let mut bad = [ftpkit::FileJob::new("x\r\nDELE f0", &f).unwrap()];
        assert!(matches!(
            s.stor_files(&mut bad, 2),
            Err(Error::InvalidInput { .. })
        ));
        assert!(dir.join("f0").exists());
    }
}
