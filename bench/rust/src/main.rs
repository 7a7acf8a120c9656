//! `ftpkit-bench-rust`: the Rust binding's client in ftpkit's benchmark
//! (bench/run.py starts it as a whole process, like every other client).
//! It takes the argv of bench/ftpkit_bench.c:
//!
//! ```text
//! ftpkit-bench-rust HOST PORT USER PASS MODE ARGS...
//!   retr-cb     PATH OUT    RETR through Session::retr into a File (Write callback)
//!   retr-fd     PATH OUT    RETR through Session::retr_fd (ftp_retr_fd)
//!   retr-reader PATH OUT    RETR through the pull API (retr_reader + io::copy)
//!   stor-cb     PATH IN     STOR through Session::stor from a File (Read callback)
//!   stor-fd     PATH IN     STOR through Session::stor_fd (ftp_stor_fd)
//!   mlsd        PATH        MLSD (Session::mlsd_each), counting entries
//!   concurrent  PATH N OUT  N threads, each its own Session, RETR PATH to OUT
//!                           (opened by each); prints the open descriptors
//!                           before and after
//! ```
//!
//! Options (environment): FTPKIT_BENCH_TLS=explicit|implicit,
//! FTPKIT_BENCH_CA=FILE, FTPKIT_BENCH_BLOCK=bytes.  Exit status 0 only when
//! every operation succeeded (and, in `concurrent`, no descriptor leaked).

use std::fs::{File, OpenOptions};
use std::io;
use std::ops::ControlFlow;
use std::process::ExitCode;
use std::time::Duration;

use ftpkit::{Config, Session, TlsMode};

type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

struct Params {
    host: String,
    port: u16,
    user: String,
    pass: String,
}

fn config() -> Res<Config> {
    let mut c = Config::new().timeout(Duration::from_secs(120));
    match std::env::var("FTPKIT_BENCH_TLS").as_deref() {
        Ok("explicit") => c = c.tls(TlsMode::Explicit),
        Ok("implicit") => c = c.tls(TlsMode::Implicit),
        _ => {}
    }
    if let Ok(ca) = std::env::var("FTPKIT_BENCH_CA") {
        c = c.ca_file(ca);
    }
    if let Ok(b) = std::env::var("FTPKIT_BENCH_BLOCK") {
        c = c.block_size(b.parse()?);
    }
    Ok(c)
}

fn open(p: &Params, cfg: &Config) -> Res<Session> {
    let mut s = Session::connect(&p.host, p.port, cfg)?;
    s.login(&p.user, &p.pass)?;
    Ok(s)
}

fn create(path: &str) -> io::Result<File> {
    OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)
}

/// Entries of /proc/self/fd, minus the one the listing itself uses.
fn open_fds() -> i64 {
    match std::fs::read_dir("/proc/self/fd") {
        Ok(d) => d.count() as i64 - 1,
        Err(_) => -1,
    }
}

fn retr_once(p: &Params, cfg: &Config, path: &str, out: &str) -> Res<u64> {
    let mut f = create(out)?;
    let mut s = open(p, cfg)?;
    let n = s.retr(path, &mut f)?;
    s.quit()?;
    Ok(n)
}

fn concurrent(p: &Params, cfg: &Config, rest: &[String]) -> Res<()> {
    let n: usize = rest[1].parse()?;
    let before = open_fds();
    let results: Vec<Res<u64>> = std::thread::scope(|sc| {
        let handles: Vec<_> = (0..n)
            .map(|_| sc.spawn(|| retr_once(p, cfg, &rest[0], &rest[2])))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err("thread panicked".into())))
            .collect()
    });
    let after = open_fds();
    let mut total = 0u64;
    let mut failed = 0usize;
    for (i, r) in results.iter().enumerate() {
        match r {
            Ok(b) => total += b,
            Err(e) => {
                failed += 1;
                if failed <= 3 {
                    eprintln!("ftpkit-bench-rust: session {i}: {e}");
                }
            }
        }
    }
    eprintln!(
        "concurrent: {n} sessions, {failed} failed, {total} bytes, fds before {before} after {after}"
    );
    if failed > 0 {
        return Err(format!("{failed} of {n} transfers failed").into());
    }
    if after > before {
        return Err(format!("descriptor leak: {before} before, {after} after").into());
    }
    Ok(())
}

fn run(args: &[String]) -> Res<()> {
    let p = Params {
        host: args[1].clone(),
        port: args[2].parse()?,
        user: args[3].clone(),
        pass: args[4].clone(),
    };
    let cfg = config()?;
    let (mode, rest) = (args[5].as_str(), &args[6..]);
    let need = |n: usize| -> Res<()> {
        if rest.len() < n {
            return Err(format!("mode {mode} needs {n} arguments").into());
        }
        Ok(())
    };
    if mode == "concurrent" {
        need(3)?;
        return concurrent(&p, &cfg, rest);
    }
    let mut s = open(&p, &cfg)?;
    match mode {
        "retr-cb" | "retr-fd" | "retr-reader" => {
            need(2)?;
            let mut f = create(&rest[1])?;
            let n = match mode {
                "retr-cb" => s.retr(&rest[0], &mut f)?,
                "retr-fd" => s.retr_fd(&rest[0], 0, &f)?,
                _ => {
                    let mut r = s.retr_reader(&rest[0])?;
                    let n = io::copy(&mut r, &mut f)?;
                    r.finish()?;
                    n
                }
            };
            eprintln!("{mode}: {n} bytes");
        }
        "stor-cb" | "stor-fd" => {
            need(2)?;
            let mut f = File::open(&rest[1])?;
            let n = if mode == "stor-cb" {
                s.stor(&rest[0], &mut f)?
            } else {
                s.stor_fd(&rest[0], 0, &f)?
            };
            eprintln!("{mode}: {n} bytes");
        }
        "mlsd" => {
            need(1)?;
            let mut entries = 0u64;
            s.mlsd_each(&rest[0], |_| {
                entries += 1;
                ControlFlow::Continue(())
            })?;
            eprintln!("mlsd: {entries} entries");
        }
        _ => return Err(format!("unknown mode {mode}").into()),
    }
    s.quit()?;
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 7 {
        eprintln!("usage: ftpkit-bench-rust HOST PORT USER PASS MODE ARGS...");
        return ExitCode::from(2);
    }
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ftpkit-bench-rust: {e}");
            ExitCode::FAILURE
        }
    }
}
