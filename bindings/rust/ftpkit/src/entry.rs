//! [`Entry`]: one directory entry from `MLSD` (RFC 3659 §7) or a parsed
//! `LIST` line.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// What kind of thing an [`Entry`] names.
///
/// ```
/// use ftpkit::EntryKind;
/// assert!(EntryKind::Dir.is_dir());
/// assert!(!EntryKind::File.is_dir());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EntryKind {
    /// A regular file (MLSD `type=file`, LIST `-`).
    File,
    /// A directory (MLSD `type=dir`, LIST `d`).
    Dir,
    /// The listed directory itself (MLSD `type=cdir`).
    CurrentDir,
    /// The listed directory's parent (MLSD `type=pdir`).
    ParentDir,
    /// A symbolic link (MLSD `type=OS.unix=slink...`/`symlink`, LIST `l`).
    Link,
    /// Another type, as the server wrote it (e.g. `OS.unix=chr-13/29`).
    Other(String),
    /// The server sent no type.
    Unknown,
}

impl EntryKind {
    /// Whether this is [`Dir`](EntryKind::Dir),
    /// [`CurrentDir`](EntryKind::CurrentDir) or
    /// [`ParentDir`](EntryKind::ParentDir).
    ///
    /// ```
    /// assert!(ftpkit::EntryKind::ParentDir.is_dir());
    /// ```
    pub fn is_dir(&self) -> bool {
        matches!(
            self,
            EntryKind::Dir | EntryKind::CurrentDir | EntryKind::ParentDir
        )
    }

    /// The kind for an MLSD `type` fact value (case-insensitive).
    fn from_mlsd(value: &str) -> EntryKind {
        let lower = value.to_ascii_lowercase();
        match lower.as_str() {
            "file" => EntryKind::File,
            "dir" => EntryKind::Dir,
            "cdir" => EntryKind::CurrentDir,
            "pdir" => EntryKind::ParentDir,
            _ if lower.starts_with("os.unix=slink") || lower.starts_with("os.unix=symlink") => {
                EntryKind::Link
            }
            _ => EntryKind::Other(value.to_owned()),
        }
    }
}

/// One directory entry: its name (raw bytes, as the server sent it), its
/// kind, size and modification time when known, and all facts.
///
/// From [`Session::mlsd`](crate::Session::mlsd) the facts are the MLSD facts
/// (RFC 3659 §7.5), names lowercased, values as text (bytes that are not
/// UTF-8 replaced by U+FFFD).  From
/// [`Session::list_entries`](crate::Session::list_entries) they are
/// `type`, `size`, `unix.mode`, `unix.nlink`, `unix.owner`, `unix.group`,
/// and `link.target` for symbolic links, as far as the line has them.
///
/// ```no_run
/// use ftpkit::{Config, EntryKind, Session};
///
/// let mut ftp = Session::connect("127.0.0.1", 21, &Config::new())?;
/// ftp.login("anonymous", "")?;
/// for e in ftp.mlsd("")? {
///     if e.kind() == &EntryKind::File {
///         println!("{} {:?} bytes, modified {:?}", e.name(), e.size(), e.modified());
///     }
/// }
/// # Ok::<(), ftpkit::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    name: Vec<u8>,
    kind: EntryKind,
    size: Option<u64>,
    modified: Option<SystemTime>,
    facts: BTreeMap<String, String>,
}

impl Entry {
    /// Build an entry from an MLSD name and its (lowercased) facts.
    pub(crate) fn from_mlsd(name: &[u8], raw: &[(&[u8], &[u8])]) -> Entry {
        let facts: BTreeMap<String, String> = raw
            .iter()
            .map(|(k, v)| {
                (
                    String::from_utf8_lossy(k).to_ascii_lowercase(),
                    String::from_utf8_lossy(v).into_owned(),
                )
            })
            .collect();
        let kind = facts
            .get("type")
            .map_or(EntryKind::Unknown, |t| EntryKind::from_mlsd(t));
        let size = facts
            .get("size")
            .or_else(|| facts.get("sizd"))
            .and_then(|s| s.trim().parse::<u64>().ok());
        let modified = facts.get("modify").and_then(|m| parse_mlsd_time(m));
        Entry {
            name: name.to_vec(),
            kind,
            size,
            modified,
            facts,
        }
    }

    /// The name exactly as the server sent it.  Pass it back to any
    /// [`Session`](crate::Session) method to name this entry, even when it
    /// is not UTF-8.
    ///
    /// ```no_run
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// for e in ftp.mlsd("")? {
    ///     ftp.delete(e.name_bytes())?;
    /// }
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn name_bytes(&self) -> &[u8] {
        &self.name
    }

    /// The name as text, with bytes that are not UTF-8 replaced by U+FFFD
    /// (lossy: use [`name_bytes`](Entry::name_bytes) to address the entry).
    ///
    /// ```no_run
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// let names: Vec<String> = ftp.mlsd("")?.iter().map(|e| e.name().into_owned()).collect();
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn name(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.name)
    }

    /// The kind (MLSD `type` fact, or the LIST mode's first letter).
    ///
    /// ```no_run
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// let dirs = ftp.mlsd("")?.into_iter().filter(|e| e.kind().is_dir()).count();
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn kind(&self) -> &EntryKind {
        &self.kind
    }

    /// The size in bytes (MLSD `size` fact, or `sizd` for directories), if
    /// the server gave one.
    ///
    /// ```no_run
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// let total: u64 = ftp.mlsd("")?.iter().filter_map(|e| e.size()).sum();
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn size(&self) -> Option<u64> {
        self.size
    }

    /// The modification time: the MLSD `modify` fact (`YYYYMMDDHHMMSS[.s]`,
    /// UTC, RFC 3659 §2.3), or a LIST line's date read as UTC.  `None` when
    /// absent or not a valid time.
    ///
    /// ```no_run
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// let newest = ftp.mlsd("")?.iter().filter_map(|e| e.modified()).max();
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn modified(&self) -> Option<SystemTime> {
        self.modified
    }

    /// All facts, by lowercased name.
    ///
    /// ```no_run
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// for e in ftp.mlsd("")? {
    ///     for (fact, value) in e.facts() {
    ///         println!("{}: {fact}={value}", e.name());
    ///     }
    /// }
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn facts(&self) -> &BTreeMap<String, String> {
        &self.facts
    }

    /// One fact by name (case-insensitive), e.g. `"perm"` or `"unique"`.
    ///
    /// ```no_run
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// for e in ftp.mlsd("")? {
    ///     let writable = e.fact("perm").is_some_and(|p| p.contains('w'));
    ///     # let _ = writable;
    /// }
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn fact(&self, name: &str) -> Option<&str> {
        self.facts
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }
}

// ---------------------------------------------------------------------------
// Times
// ---------------------------------------------------------------------------

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = i64::from(m);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// A UTC calendar time as a `SystemTime`; `None` for invalid fields.
fn utc(y: i64, mo: u32, d: u32, h: u32, mi: u32, s: u32, nanos: u32) -> Option<SystemTime> {
    if !(1..=12).contains(&mo) || d == 0 || d > days_in_month(y, mo) || h > 23 || mi > 59 || s > 60
    {
        return None;
    }
    let secs = days_from_civil(y, mo, d) * 86_400 + i64::from(h * 3600 + mi * 60 + s);
    if secs >= 0 {
        UNIX_EPOCH.checked_add(Duration::new(secs.unsigned_abs(), nanos))
    } else {
        UNIX_EPOCH
            .checked_sub(Duration::from_secs(secs.unsigned_abs()))
            .and_then(|t| t.checked_add(Duration::from_nanos(u64::from(nanos))))
    }
}

/// Parse an MLSD time value, `YYYYMMDDHHMMSS[.sss]` in UTC (RFC 3659 §2.3).
pub(crate) fn parse_mlsd_time(v: &str) -> Option<SystemTime> {
    let v = v.trim();
    let (main, frac) = match v.split_once('.') {
        Some((m, f)) => (m, Some(f)),
        None => (v, None),
    };
    if main.len() != 14 || !main.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let num = |r: std::ops::Range<usize>| main[r].parse::<u32>().ok();
    let nanos = match frac {
        None => 0,
        Some(f) if !f.is_empty() && f.len() <= 9 && f.bytes().all(|b| b.is_ascii_digit()) => {
            f.parse::<u32>().ok()? * 10u32.pow(9 - f.len() as u32)
        }
        Some(_) => return None,
    };
    utc(
        i64::from(num(0..4)?),
        num(4..6)?,
        num(6..8)?,
        num(8..10)?,
        num(10..12)?,
        num(12..14)?,
        nanos,
    )
}

// ---------------------------------------------------------------------------
// LIST lines
// ---------------------------------------------------------------------------

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

fn month(tok: &[u8]) -> Option<u32> {
    let t = std::str::from_utf8(tok).ok()?.to_ascii_lowercase();
    MONTHS.iter().position(|m| *m == t).map(|i| i as u32 + 1)
}

/// Split `line` into whitespace-separated tokens with their start offsets.
fn tokens(line: &[u8]) -> Vec<(usize, &[u8])> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < line.len() {
        while i < line.len() && line[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while i < line.len() && !line[i].is_ascii_whitespace() {
            i += 1;
        }
        if i > start {
            out.push((start, &line[start..i]));
        }
    }
    out
}

fn ascii_num<T: std::str::FromStr>(tok: &[u8]) -> Option<T> {
    std::str::from_utf8(tok).ok()?.parse().ok()
}

/// The rest of the line after token `idx` and one run of spaces, verbatim.
fn rest_after(line: &[u8], toks: &[(usize, &[u8])], idx: usize) -> Vec<u8> {
    let (start, tok) = toks[idx];
    let mut i = start + tok.len();
    // Exactly the separator run; names may start with further spaces only
    // in pathological listings, which no parser can tell apart.
    while i < line.len() && line[i] == b' ' {
        i += 1;
    }
    line[i..].to_vec()
}

/// The year for an `ls` date without one: the most recent year in which
/// that date is not more than a day in the future.
fn guess_year(now: SystemTime, mo: u32, d: u32, h: u32, mi: u32) -> i64 {
    let now_secs = now
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let days = now_secs.div_euclid(86_400);
    // civil_from_days, year only
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let candidate = utc(y, mo, d.min(days_in_month(y, mo)), h, mi, 0, 0);
    match candidate {
        Some(t) if t > now + Duration::from_secs(86_400) => y - 1,
        _ => y,
    }
}

/// Parse one `LIST` line in the Unix `ls -l` form
/// (`drwxr-xr-x 2 owner group 4096 Jan 02 12:00 name`, group optional,
/// year instead of time for older entries) or the DOS/IIS form
/// (`01-02-24  12:00PM  <DIR>  name`).  `None` for a line in neither form.
/// `total N` lines are the caller's to skip.
pub(crate) fn parse_list_line(line: &[u8], now: SystemTime) -> Option<Entry> {
    let toks = tokens(line);
    if toks.is_empty() {
        return None;
    }
    parse_unix(line, &toks, now).or_else(|| parse_dos(line, &toks))
}

fn parse_unix(line: &[u8], toks: &[(usize, &[u8])], now: SystemTime) -> Option<Entry> {
    let mode = toks[0].1;
    if mode.len() < 10 || !b"-dlcbpsD".contains(&mode[0]) {
        return None;
    }
    // Find "<size> <Mon> <day> <time|year>" after the mode: the month is the
    // 4th or 5th token (the group column is optional).
    let mi = (3..=5).find(|&i| {
        i + 3 < toks.len()
            && month(toks[i].1).is_some()
            && ascii_num::<u32>(toks[i - 1].1).is_some()
            && ascii_num::<u32>(toks[i + 1].1).is_some()
    })?;
    let size: u64 = ascii_num(toks[mi - 1].1)?;
    let mo = month(toks[mi].1)?;
    let day: u32 = ascii_num(toks[mi + 1].1)?;
    let when = std::str::from_utf8(toks[mi + 2].1).ok()?;
    let modified = if let Some((h, m)) = when.split_once(':') {
        let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
        utc(guess_year(now, mo, day, h, m), mo, day, h, m, 0, 0)
    } else {
        utc(when.parse().ok()?, mo, day, 0, 0, 0, 0)
    };
    let mut name = rest_after(line, toks, mi + 2);
    if name.is_empty() {
        return None;
    }
    let mut facts = BTreeMap::new();
    let kind = match mode[0] {
        b'-' => EntryKind::File,
        b'd' => EntryKind::Dir,
        b'l' => EntryKind::Link,
        other => EntryKind::Other(char::from(other).to_string()),
    };
    if kind == EntryKind::Link {
        if let Some(at) = name.windows(4).position(|w| w == b" -> ") {
            let target = name.split_off(at);
            facts.insert(
                "link.target".to_owned(),
                String::from_utf8_lossy(&target[4..]).into_owned(),
            );
        }
    }
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    facts.insert(
        "type".to_owned(),
        match &kind {
            EntryKind::File => "file".to_owned(),
            EntryKind::Dir => "dir".to_owned(),
            EntryKind::Link => "OS.unix=slink".to_owned(),
            _ => format!("OS.unix={}", char::from(mode[0])),
        },
    );
    facts.insert("size".to_owned(), size.to_string());
    facts.insert("unix.mode".to_owned(), text(mode));
    if mi >= 3 {
        facts.insert("unix.nlink".to_owned(), text(toks[1].1));
        facts.insert("unix.owner".to_owned(), text(toks[2].1));
    }
    if mi >= 5 {
        facts.insert("unix.group".to_owned(), text(toks[3].1));
    }
    Some(Entry {
        name,
        kind,
        size: Some(size),
        modified,
        facts,
    })
}

fn parse_dos(line: &[u8], toks: &[(usize, &[u8])]) -> Option<Entry> {
    if toks.len() < 4 {
        return None;
    }
    let date = std::str::from_utf8(toks[0].1).ok()?;
    let time = std::str::from_utf8(toks[1].1).ok()?.to_ascii_uppercase();
    let mut d = date.split('-');
    let (mo, day, yr): (u32, u32, i64) = (
        d.next()?.parse().ok()?,
        d.next()?.parse().ok()?,
        d.next()?.parse().ok()?,
    );
    if d.next().is_some() {
        return None;
    }
    let year = match yr {
        0..=69 => 2000 + yr,
        70..=99 => 1900 + yr,
        _ => yr,
    };
    let (hm, pm) = if let Some(t) = time.strip_suffix("PM") {
        (t, true)
    } else if let Some(t) = time.strip_suffix("AM") {
        (t, false)
    } else {
        return None;
    };
    let (h, m) = hm.split_once(':')?;
    let (mut h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    if h == 12 {
        h = 0;
    }
    if pm {
        h += 12;
    }
    let modified = utc(year, mo, day, h, m, 0, 0);
    let (kind, size) = if toks[2].1.eq_ignore_ascii_case(b"<DIR>") {
        (EntryKind::Dir, None)
    } else {
        (EntryKind::File, Some(ascii_num::<u64>(toks[2].1)?))
    };
    let name = rest_after(line, toks, 2);
    let mut facts = BTreeMap::new();
    facts.insert(
        "type".to_owned(),
        if kind == EntryKind::Dir {
            "dir"
        } else {
            "file"
        }
        .to_owned(),
    );
    if let Some(s) = size {
        facts.insert("size".to_owned(), s.to_string());
    }
    Some(Entry {
        name,
        kind,
        size,
        modified,
        facts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i64, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> SystemTime {
        utc(y, mo, d, h, mi, s, 0).unwrap()
    }

    #[test]
    fn mlsd_times() {
        assert_eq!(parse_mlsd_time("19700101000000"), Some(UNIX_EPOCH));
        assert_eq!(
            parse_mlsd_time("20240229123456"),
            Some(UNIX_EPOCH + Duration::from_secs(1_709_210_096))
        );
        assert_eq!(
            parse_mlsd_time("20240229123456.25"),
            Some(UNIX_EPOCH + Duration::new(1_709_210_096, 250_000_000))
        );
        assert_eq!(parse_mlsd_time("20230229123456"), None); // no Feb 29
        assert_eq!(parse_mlsd_time("2024022912345"), None);
        assert_eq!(parse_mlsd_time("2024022912345x"), None);
        assert_eq!(parse_mlsd_time("20240229123456."), None);
        assert!(parse_mlsd_time("19691231235959").unwrap() < UNIX_EPOCH);
    }

    #[test]
    fn mlsd_entry_facts() {
        let e = Entry::from_mlsd(
            b"a b.txt",
            &[
                (b"type", b"File"),
                (b"size", b"42"),
                (b"modify", b"20200102030405"),
                (b"perm", b"r"),
            ],
        );
        assert_eq!(e.kind(), &EntryKind::File);
        assert_eq!(e.size(), Some(42));
        assert_eq!(e.modified(), Some(at(2020, 1, 2, 3, 4, 5)));
        assert_eq!(e.fact("PERM"), Some("r"));
        assert_eq!(e.name(), "a b.txt");
        let odd = Entry::from_mlsd(b"\xff", &[(b"type", b"OS.unix=slink:/x")]);
        assert_eq!(odd.kind(), &EntryKind::Link);
        assert_eq!(odd.name_bytes(), b"\xff");
        assert_eq!(odd.name(), "\u{fffd}");
        assert_eq!(Entry::from_mlsd(b"x", &[]).kind(), &EntryKind::Unknown);
    }

    #[test]
    fn unix_list_lines() {
        let now = at(2024, 6, 15, 12, 0, 0);
        let e = parse_list_line(
            b"-rw-r--r--    1 1000     1000         1234 Jan 02 10:20 my file.txt",
            now,
        )
        .unwrap();
        assert_eq!(e.name_bytes(), b"my file.txt");
        assert_eq!(e.kind(), &EntryKind::File);
        assert_eq!(e.size(), Some(1234));
        assert_eq!(e.modified(), Some(at(2024, 1, 2, 10, 20, 0)));
        assert_eq!(e.fact("unix.owner"), Some("1000"));
        // A date in the "future" belongs to last year.
        let e = parse_list_line(b"drwxr-xr-x 2 ftp ftp 4096 Dec 31 23:59 d", now).unwrap();
        assert_eq!(e.modified(), Some(at(2023, 12, 31, 23, 59, 0)));
        assert!(e.kind().is_dir());
        let e = parse_list_line(b"lrwxrwxrwx 1 root 7 Mar  3  2019 link -> target", now).unwrap();
        assert_eq!(e.kind(), &EntryKind::Link);
        assert_eq!(e.name_bytes(), b"link");
        assert_eq!(e.fact("link.target"), Some("target"));
        assert_eq!(e.fact("unix.group"), None);
        assert_eq!(e.modified(), Some(at(2019, 3, 3, 0, 0, 0)));
        assert!(parse_list_line(b"total 12", now).is_none());
        assert!(parse_list_line(b"garbage line here", now).is_none());
    }

    #[test]
    fn dos_list_lines() {
        let now = at(2024, 6, 15, 12, 0, 0);
        let e = parse_list_line(b"01-02-24  03:04PM       <DIR>          Some Dir", now).unwrap();
        assert_eq!(e.kind(), &EntryKind::Dir);
        assert_eq!(e.name(), "Some Dir");
        assert_eq!(e.modified(), Some(at(2024, 1, 2, 15, 4, 0)));
        let e = parse_list_line(b"12-31-99  12:00AM                  7 f.txt", now).unwrap();
        assert_eq!(e.size(), Some(7));
        assert_eq!(e.modified(), Some(at(1999, 12, 31, 0, 0, 0)));
    }
}
