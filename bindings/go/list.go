package ftpkit

/*
#include <stdlib.h>
#include <ftpkit/ftp.h>

int ftpkitgo_nlst(ftp_session *s, const char *path, uintptr_t h);
int ftpkitgo_list(ftp_session *s, const char *path, uintptr_t h);
int ftpkitgo_mlsd(ftp_session *s, const char *path, uintptr_t h);
*/
import "C"

import (
	"errors"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"time"
	"unsafe"
)

// EntryType is the type of a directory entry.
type EntryType int

const (
	// EntryOther is an entry of another or unknown type.
	EntryOther EntryType = iota
	// EntryFile is a regular file (MLSD type=file, LIST "-").
	EntryFile
	// EntryDir is a directory (MLSD type=dir, LIST "d").
	EntryDir
	// EntryLink is a symbolic link (MLSD type=OS.unix=slink..., LIST "l").
	EntryLink
	// EntryCurrentDir is the listed directory itself (MLSD type=cdir).
	EntryCurrentDir
	// EntryParentDir is its parent (MLSD type=pdir).
	EntryParentDir
)

// String returns "file", "dir", "link", "cdir", "pdir" or "other".
func (t EntryType) String() string {
	switch t {
	case EntryFile:
		return "file"
	case EntryDir:
		return "dir"
	case EntryLink:
		return "link"
	case EntryCurrentDir:
		return "cdir"
	case EntryParentDir:
		return "pdir"
	}
	return "other"
}

// Entry is one directory entry from MLSD (RFC 3659 §7) or, parsed on a
// best-effort basis, from a LIST line.
type Entry struct {
	// Name is the entry's name, raw bytes as the server sent them.
	Name string
	// Type is the entry's type.
	Type EntryType
	// Size is the size in bytes, -1 when unknown (MLSD "size" or "sizd").
	Size int64
	// ModTime is the modification time, UTC (MLSD "modify"); for LIST
	// the server's local time taken as UTC, to the minute or the day.  The
	// zero Time when unknown.
	ModTime time.Time
	// Facts are all MLSD facts, names lowercased ("type", "size",
	// "modify", "perm", "unique", "unix.mode"...).  nil for LIST.
	Facts map[string]string
	// Target is a symbolic link's target from a LIST "name -> target"
	// line, "" otherwise.
	Target string
	// Raw is the LIST line as received, "" for MLSD.
	Raw string
}

// fromFacts fills Type, Size and ModTime from the MLSD facts.
func (e *Entry) fromFacts() {
	t := strings.ToLower(e.Facts["type"])
	switch {
	case t == "file":
		e.Type = EntryFile
	case t == "dir":
		e.Type = EntryDir
	case t == "cdir":
		e.Type = EntryCurrentDir
	case t == "pdir":
		e.Type = EntryParentDir
	case strings.HasPrefix(t, "os.unix=slink") || strings.HasPrefix(t, "os.unix=symlink"):
		e.Type = EntryLink
	}
	for _, k := range []string{"size", "sizd"} {
		if v, ok := e.Facts[k]; ok {
			if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 0 {
				e.Size = n
				break
			}
		}
	}
	if v, ok := e.Facts["modify"]; ok {
		if tm, ok := parseMLSDTime(v); ok {
			e.ModTime = tm
		}
	}
}

// parseMLSDTime parses an RFC 3659 §2.3 time-val, YYYYMMDDHHMMSS[.sss],
// in UTC.
func parseMLSDTime(v string) (time.Time, bool) {
	main, frac, _ := strings.Cut(v, ".")
	if len(main) != 14 {
		return time.Time{}, false
	}
	tm, err := time.ParseInLocation("20060102150405", main, time.UTC)
	if err != nil {
		return time.Time{}, false
	}
	if frac != "" {
		if len(frac) > 9 {
			frac = frac[:9]
		}
		ns, err := strconv.Atoi(frac)
		if err != nil || ns < 0 {
			return time.Time{}, false
		}
		for i := len(frac); i < 9; i++ {
			ns *= 10
		}
		tm = tm.Add(time.Duration(ns))
	}
	return tm, true
}

// lines runs a line-listing call and collects its lines.
func (c *Conn) lines(op, p string, f func(*C.ftp_session, *C.char, C.uintptr_t) C.int) ([]string, error) {
	cp, err := cStringOrNil(op, p)
	if err != nil {
		return nil, err
	}
	defer C.free(unsafe.Pointer(cp))
	var out []string
	st := &callState{line: func(l string) error { out = append(out, l); return nil }}
	err = c.withState(op, st, func(s *C.ftp_session, h C.uintptr_t) C.int { return f(s, cp, h) })
	if err != nil {
		return nil, err
	}
	return out, nil
}

// NameList returns the names in a directory (NLST, RFC 959 §4.1.3); path
// "" lists the working directory.  Some servers answer 550 for an empty
// directory.  Errors: reply, data connection and connection errors,
// ErrProtocol for a line over the line limit.
func (c *Conn) NameList(path string) ([]string, error) {
	return c.lines("NLST", path, func(s *C.ftp_session, p *C.char, h C.uintptr_t) C.int { return C.ftpkitgo_nlst(s, p, h) })
}

// List lists a directory with LIST (RFC 959 §4.1.3), whose format the RFC
// leaves to the server.  Each line becomes an Entry with Raw set and, for
// the usual Unix "ls -l" and DOS/IIS formats, Name, Type, Size, ModTime
// (server local time, taken as UTC) and Target parsed; other lines give an
// Entry of EntryOther whose Name is the whole line and Size -1.  "total N"
// lines are skipped.  path "" lists the working directory.  Prefer MLSD
// where the server has it.
func (c *Conn) List(path string) ([]*Entry, error) {
	lines, err := c.lines("LIST", path, func(s *C.ftp_session, p *C.char, h C.uintptr_t) C.int { return C.ftpkitgo_list(s, p, h) })
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	entries := make([]*Entry, 0, len(lines))
	for _, l := range lines {
		if e := parseListLine(l, now); e != nil {
			entries = append(entries, e)
		}
	}
	return entries, nil
}

// MLSD lists a directory with MLSD (RFC 3659 §7): machine-readable
// entries with their facts.  The listing includes the "cdir" and "pdir"
// entries when the server sends them.  path "" lists the working
// directory.  Errors: ErrPermanent (500 not implemented, 550 no such
// directory), ErrProtocol (a line not of the "facts; name" form),
// data connection and connection errors.
func (c *Conn) MLSD(path string) ([]*Entry, error) {
	var out []*Entry
	err := c.mlsd(path, func(e *Entry) error { out = append(out, e); return nil })
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (c *Conn) mlsd(p string, fn func(*Entry) error) error {
	cp, err := cStringOrNil("MLSD", p)
	if err != nil {
		return err
	}
	defer C.free(unsafe.Pointer(cp))
	st := &callState{entry: fn}
	return c.withState("MLSD", st, func(s *C.ftp_session, h C.uintptr_t) C.int { return C.ftpkitgo_mlsd(s, cp, h) })
}

// WalkFunc is called by Walk for each entry: p is the entry's path (root
// joined with the names below it by "/"), e the entry from MLSD.  When a
// directory cannot be listed, it is called once more with that
// directory's path, the directory's entry (nil for root) and the error;
// returning nil then skips the directory and goes on.  Returning
// fs.SkipDir for a directory skips its contents (for a file: the rest of
// its directory); fs.SkipAll stops the walk with a nil error; any other
// error stops the walk and is returned.
type WalkFunc func(p string, e *Entry, err error) error

// Walk walks the tree below root with MLSD (RFC 3659 §7), calling fn for
// every entry in the order of the server's listing, depth first (a
// directory before its contents); the "cdir" and "pdir" entries and root
// itself are not reported.  Each directory is listed completely before fn
// is called for its entries, so fn may use the Conn (Retr, Delete...), as
// long as it does not change the working directory when root is
// relative.  Symbolic links are reported, not followed.
func (c *Conn) Walk(root string, fn WalkFunc) error {
	err := c.walk(root, nil, fn)
	if errors.Is(err, fs.SkipAll) || errors.Is(err, fs.SkipDir) {
		return nil
	}
	return err
}

func (c *Conn) walk(dir string, de *Entry, fn WalkFunc) error {
	entries, err := c.MLSD(dir)
	if err != nil {
		if err = fn(dir, de, err); err != nil {
			return err
		}
		return nil
	}
	for _, e := range entries {
		if e.Type == EntryCurrentDir || e.Type == EntryParentDir || e.Name == "." || e.Name == ".." {
			continue
		}
		p := path.Join(dir, e.Name)
		if dir == "" {
			p = e.Name
		}
		err := fn(p, e, nil)
		if err == nil && e.Type == EntryDir {
			err = c.walk(p, e, fn)
			if errors.Is(err, fs.SkipDir) {
				err = nil
			}
		}
		if err != nil {
			if errors.Is(err, fs.SkipDir) && e.Type != EntryDir {
				return nil // skip the rest of this directory
			}
			if errors.Is(err, fs.SkipDir) {
				continue
			}
			return err
		}
	}
	return nil
}

var months = map[string]time.Month{
	"jan": time.January, "feb": time.February, "mar": time.March, "apr": time.April,
	"may": time.May, "jun": time.June, "jul": time.July, "aug": time.August,
	"sep": time.September, "oct": time.October, "nov": time.November, "dec": time.December,
}

// parseListLine parses one LIST line on a best-effort basis; nil for a
// "total N" line.
func parseListLine(line string, now time.Time) *Entry {
	if strings.HasPrefix(line, "total ") {
		return nil
	}
	if e := parseUnixLine(line, now); e != nil {
		return e
	}
	if e := parseDOSLine(line); e != nil {
		return e
	}
	return &Entry{Name: line, Size: -1, Raw: line}
}

// token is a run of non-space bytes of a listing line and its offset.
type token struct {
	s   string
	off int
}

// tokens splits line at runs of spaces, keeping each token's offset so
// that a name with spaces can be cut from the line verbatim.
func tokens(line string) []token {
	var out []token
	for i := 0; i < len(line); {
		for i < len(line) && line[i] == ' ' {
			i++
		}
		j := i
		for j < len(line) && line[j] != ' ' {
			j++
		}
		if j > i {
			out = append(out, token{line[i:j], i})
		}
		i = j
	}
	return out
}

// parseUnixLine: "drwxr-xr-x 2 owner group 4096 Jan  2 15:04 name" (the
// group may be missing; the year replaces the time for old files).
func parseUnixLine(line string, now time.Time) *Entry {
	if len(line) < 10 || !strings.ContainsRune("-dlcbps", rune(line[0])) {
		return nil
	}
	t := tokens(line)
	// Find the month: it follows the size and is followed by the day, the
	// time or year, and the name (the rest of the line, verbatim).
	for i := 3; i+3 < len(t); i++ {
		if _, ok := months[strings.ToLower(t[i].s)]; !ok {
			continue
		}
		size, err := strconv.ParseInt(t[i-1].s, 10, 64)
		if err != nil {
			continue
		}
		mod := unixListTime(t[i].s, t[i+1].s, t[i+2].s, now)
		if mod.IsZero() {
			continue
		}
		name := line[t[i+3].off:]
		e := &Entry{Name: name, Size: size, ModTime: mod, Raw: line}
		switch line[0] {
		case '-':
			e.Type = EntryFile
		case 'd':
			e.Type = EntryDir
		case 'l':
			e.Type = EntryLink
			if n, target, ok := strings.Cut(name, " -> "); ok {
				e.Name, e.Target = n, target
			}
		}
		return e
	}
	return nil
}

func unixListTime(mon, day, tod string, now time.Time) time.Time {
	m := months[strings.ToLower(mon)]
	d, err := strconv.Atoi(day)
	if err != nil || d < 1 || d > 31 {
		return time.Time{}
	}
	if h, mm, ok := strings.Cut(tod, ":"); ok {
		hh, err1 := strconv.Atoi(h)
		mi, err2 := strconv.Atoi(mm)
		if err1 != nil || err2 != nil {
			return time.Time{}
		}
		// No year: the most recent such date not far in the future.
		t := time.Date(now.Year(), m, d, hh, mi, 0, 0, time.UTC)
		if t.After(now.AddDate(0, 0, 2)) {
			t = t.AddDate(-1, 0, 0)
		}
		return t
	}
	y, err := strconv.Atoi(tod)
	if err != nil {
		return time.Time{}
	}
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// parseDOSLine: "01-02-06  03:04PM       <DIR>          name" or with a
// size instead of <DIR> (IIS), year of 2 or 4 digits.
func parseDOSLine(line string) *Entry {
	t := tokens(line)
	if len(t) < 4 {
		return nil
	}
	var mod time.Time
	var err error
	for _, layout := range []string{"01-02-06 03:04PM", "01-02-2006 03:04PM", "01-02-06 15:04", "01-02-2006 15:04"} {
		if mod, err = time.Parse(layout, t[0].s+" "+t[1].s); err == nil {
			break
		}
	}
	if err != nil {
		return nil
	}
	e := &Entry{Name: line[t[3].off:], Size: -1, ModTime: mod.UTC(), Raw: line}
	if strings.EqualFold(t[2].s, "<DIR>") {
		e.Type = EntryDir
	} else if n, err := strconv.ParseInt(t[2].s, 10, 64); err == nil && n >= 0 {
		e.Type, e.Size = EntryFile, n
	} else {
		return nil
	}
	return e
}
