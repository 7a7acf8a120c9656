package ftpkit

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"testing"
	"time"
)

// listFixture makes a small tree in the server's writable directory and
// returns its remote path and the modification time given to a.txt.
func listFixture(t *testing.T, srv *server) (string, time.Time) {
	t.Helper()
	dir := uniq(t, "_tree")
	srv.mkdir(t, dir)
	srv.put(t, dir+"/a.txt", []byte("0123456789"))
	srv.put(t, dir+"/b c.bin", make([]byte, 1234))
	srv.mkdir(t, dir+"/sub")
	srv.put(t, dir+"/sub/deep.txt", []byte("deep"))
	srv.mkdir(t, dir+"/sub/inner")
	srv.put(t, dir+"/sub/inner/deeper.txt", []byte("deeper"))
	srv.mkdir(t, dir+"/zempty")
	mod := time.Now().UTC().Add(-30 * time.Hour).Truncate(time.Minute)
	if err := os.Chtimes(filepath.Join(srv.localDir, dir, "a.txt"), mod, mod); err != nil {
		t.Fatal(err)
	}
	return srv.remote(dir), mod
}

func byName(entries []*Entry) map[string]*Entry {
	m := map[string]*Entry{}
	for _, e := range entries {
		m[e.Name] = e
	}
	return m
}

func TestNameList(t *testing.T) {
	for _, srv := range allServers() {
		t.Run(srv.name, func(t *testing.T) {
			c := srv.dial(t)
			dir, _ := listFixture(t, srv)
			names, err := c.NameList(dir)
			if err != nil {
				t.Fatal(err)
			}
			var base []string
			for _, n := range names {
				base = append(base, path.Base(n))
			}
			sort.Strings(base)
			want := []string{"a.txt", "b c.bin", "sub", "zempty"}
			if !slices.Equal(base, want) {
				t.Errorf("NameList = %q, want %q", names, want)
			}
			if err := c.ChangeDir(dir + "/sub"); err != nil {
				t.Fatal(err)
			}
			names, err = c.NameList("")
			if err != nil || len(names) != 2 {
				t.Errorf(`NameList("") = %q, %v`, names, err)
			}
			if _, err := c.NameList("bad\npath"); !errors.Is(err, ErrInvalid) {
				t.Errorf("NameList with LF = %v, want ErrInvalid", err)
			}
		})
	}
}

func TestList(t *testing.T) {
	for _, srv := range allServers() {
		t.Run(srv.name, func(t *testing.T) {
			c := srv.dial(t)
			dir, mod := listFixture(t, srv)
			entries, err := c.List(dir)
			if err != nil {
				t.Fatal(err)
			}
			m := byName(entries)
			if len(m) != 4 {
				t.Errorf("List gave %d entries: %v", len(entries), entries)
			}
			a, bc, sub := m["a.txt"], m["b c.bin"], m["sub"]
			if a == nil || bc == nil || sub == nil {
				t.Fatalf("List lacks entries: %+v", entries)
			}
			if a.Type != EntryFile || a.Size != 10 || a.Raw == "" || a.Facts != nil {
				t.Errorf("a.txt = %+v", a)
			}
			if !a.ModTime.Equal(mod) {
				t.Errorf("a.txt ModTime = %v, want %v (line %q)", a.ModTime, mod, a.Raw)
			}
			if bc.Type != EntryFile || bc.Size != 1234 {
				t.Errorf("'b c.bin' = %+v", bc)
			}
			if sub.Type != EntryDir {
				t.Errorf("sub = %+v", sub)
			}
			if _, err := c.List(srv.remote("no_such_dir_at_all")); err != nil && !errors.Is(err, ErrPermanent) {
				t.Errorf("List(missing) = %v", err)
			}
		})
	}
}

func TestMLSD(t *testing.T) {
	srv := pyPlain
	c := srv.dial(t)
	dir, mod := listFixture(t, srv)
	entries, err := c.MLSD(dir)
	if err != nil {
		t.Fatal(err)
	}
	m := byName(entries)
	a, bc, sub := m["a.txt"], m["b c.bin"], m["sub"]
	if a == nil || bc == nil || sub == nil {
		t.Fatalf("MLSD lacks entries: %+v", entries)
	}
	if a.Type != EntryFile || a.Size != 10 || a.Facts["type"] != "file" || a.Facts["size"] != "10" || a.Raw != "" {
		t.Errorf("a.txt = %+v", a)
	}
	if !a.ModTime.Equal(mod) || a.ModTime.Location() != time.UTC {
		t.Errorf("a.txt ModTime = %v, want %v (modify=%q)", a.ModTime, mod, a.Facts["modify"])
	}
	if _, ok := a.Facts["perm"]; !ok {
		t.Errorf("a.txt facts lack perm: %v", a.Facts)
	}
	if bc.Size != 1234 || bc.Type != EntryFile {
		t.Errorf("'b c.bin' = %+v", bc)
	}
	if sub.Type != EntryDir {
		t.Errorf("sub = %+v", sub)
	}
	if err := c.ChangeDir(dir); err != nil {
		t.Fatal(err)
	}
	if entries, err := c.MLSD(""); err != nil || len(byName(entries)) < 4 {
		t.Errorf(`MLSD("") = %v, %v`, entries, err)
	}
	if _, err := c.MLSD(srv.remote("no_such_dir")); !errors.Is(err, ErrPermanent) {
		t.Errorf("MLSD(missing) = %v, want ErrPermanent", err)
	}

	// vsftpd has no MLSD: a 500 reply.
	v := vsPlain.dial(t)
	_, err = v.MLSD("/")
	var fe *Error
	if !errors.As(err, &fe) || fe.Kind != ErrPermanent || fe.Code != 500 {
		t.Errorf("vsftpd MLSD = %v, want ErrPermanent 500", err)
	}
	if err := v.NoOp(); err != nil {
		t.Errorf("NoOp after MLSD refused: %v", err)
	}
}

func TestWalk(t *testing.T) {
	srv := pyPlain
	c := srv.dial(t)
	dir, _ := listFixture(t, srv)
	walk := func(fn WalkFunc) ([]string, error) {
		var seen []string
		err := c.Walk(dir, func(p string, e *Entry, err error) error {
			if err != nil {
				return err
			}
			rel := p[len(dir)+1:]
			if e.Type == EntryDir {
				rel += "/"
			}
			seen = append(seen, rel)
			if fn != nil {
				return fn(p, e, err)
			}
			return nil
		})
		sort.Strings(seen)
		return seen, err
	}
	all, err := walk(nil)
	want := []string{"a.txt", "b c.bin", "sub/", "sub/deep.txt", "sub/inner/", "sub/inner/deeper.txt", "zempty/"}
	if err != nil || !slices.Equal(all, want) {
		t.Errorf("Walk = %q, %v; want %q", all, err, want)
	}

	// fn may use the Conn: read every file during the walk.
	total := 0
	err = c.Walk(dir, func(p string, e *Entry, err error) error {
		if err != nil || e.Type != EntryFile {
			return err
		}
		rc, err := c.Retr(p)
		if err != nil {
			return err
		}
		b, err := io.ReadAll(rc)
		if cerr := rc.Close(); err == nil {
			err = cerr
		}
		total += len(b)
		return err
	})
	if err != nil || total != 10+1234+4+6 {
		t.Errorf("Walk with Retr: %d bytes, %v", total, err)
	}

	skipped, err := walk(func(p string, e *Entry, _ error) error {
		if e.Name == "sub" {
			return fs.SkipDir
		}
		return nil
	})
	if err != nil || slices.Contains(skipped, "sub/deep.txt") || !slices.Contains(skipped, "zempty/") {
		t.Errorf("Walk with SkipDir = %q, %v", skipped, err)
	}

	n := 0
	_, err = walk(func(string, *Entry, error) error { n++; return fs.SkipAll })
	if err != nil || n != 1 {
		t.Errorf("Walk with SkipAll: %d calls, %v", n, err)
	}

	stop := errors.New("stop here")
	_, err = walk(func(string, *Entry, error) error { return stop })
	if err != stop {
		t.Errorf("Walk = %v, want the function's error", err)
	}

	// A directory that cannot be listed is reported to fn.
	var gotErr error
	err = c.Walk(srv.remote("no_such_dir"), func(p string, e *Entry, err error) error {
		gotErr = err
		return nil
	})
	if err != nil || !errors.Is(gotErr, ErrPermanent) {
		t.Errorf("Walk(missing) = %v, fn saw %v", err, gotErr)
	}
	err = c.Walk(srv.remote("no_such_dir"), func(p string, e *Entry, err error) error { return err })
	if !errors.Is(err, ErrPermanent) {
		t.Errorf("Walk(missing) returning the error = %v", err)
	}
}

func TestParseListLine(t *testing.T) {
	now := time.Date(2024, 3, 10, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		line   string
		name   string
		typ    EntryType
		size   int64
		mod    time.Time
		target string
	}{
		{"-rw-r--r--   1 owner group      1234 Mar  5 14:07 file.txt", "file.txt", EntryFile, 1234,
			time.Date(2024, 3, 5, 14, 7, 0, 0, time.UTC), ""},
		{"drwxr-xr-x   2 owner group      4096 Dec 31  2019 a dir  with spaces ", "a dir  with spaces ", EntryDir, 4096,
			time.Date(2019, 12, 31, 0, 0, 0, 0, time.UTC), ""},
		// A date later than now (plus slack) is from the previous year.
		{"-rw-r--r-- 1 0 0 5 Nov 20 08:00 old", "old", EntryFile, 5,
			time.Date(2023, 11, 20, 8, 0, 0, 0, time.UTC), ""},
		{"lrwxrwxrwx 1 root root 7 Jan  1 00:00 link -> target/x", "link", EntryLink, 7,
			time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), "target/x"},
		// No group column.
		{"-rw-r--r-- 1 ftp 42 Feb 29 23:59 leap", "leap", EntryFile, 42,
			time.Date(2024, 2, 29, 23, 59, 0, 0, time.UTC), ""},
		// A name that looks like a date.
		{"-rw-r--r-- 1 u g 1 Mar  1 10:00 Jan 1 2020", "Jan 1 2020", EntryFile, 1,
			time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC), ""},
		{"01-02-06  03:04PM       <DIR>          Program Files", "Program Files", EntryDir, -1,
			time.Date(2006, 1, 2, 15, 4, 0, 0, time.UTC), ""},
		{"12-25-2020  11:30AM              5678 report.pdf", "report.pdf", EntryFile, 5678,
			time.Date(2020, 12, 25, 11, 30, 0, 0, time.UTC), ""},
		{"some unknown format", "some unknown format", EntryOther, -1, time.Time{}, ""},
	}
	for _, tc := range cases {
		e := parseListLine(tc.line, now)
		if e == nil {
			t.Errorf("%q: nil", tc.line)
			continue
		}
		if e.Name != tc.name || e.Type != tc.typ || e.Size != tc.size || !e.ModTime.Equal(tc.mod) ||
			e.Target != tc.target || e.Raw != tc.line {
			t.Errorf("%q:\n got %+v\nwant name %q type %v size %d mod %v target %q",
				tc.line, e, tc.name, tc.typ, tc.size, tc.mod, tc.target)
		}
	}
	if e := parseListLine("total 42", now); e != nil {
		t.Errorf("total line parsed as %+v", e)
	}
}

func TestParseMLSDTime(t *testing.T) {
	cases := map[string]time.Time{
		"20240305140759":       time.Date(2024, 3, 5, 14, 7, 59, 0, time.UTC),
		"20240305140759.5":     time.Date(2024, 3, 5, 14, 7, 59, 500e6, time.UTC),
		"20240305140759.123":   time.Date(2024, 3, 5, 14, 7, 59, 123e6, time.UTC),
		"19991231235959.00001": time.Date(1999, 12, 31, 23, 59, 59, 10000, time.UTC),
	}
	for in, want := range cases {
		if got, ok := parseMLSDTime(in); !ok || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("parseMLSDTime(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "2024", "20241305140759", "2024030514075x", "20240305140759.x"} {
		if got, ok := parseMLSDTime(bad); ok {
			t.Errorf("parseMLSDTime(%q) = %v, want failure", bad, got)
		}
	}
	e := &Entry{Size: -1, Facts: map[string]string{"type": "OS.unix=slink:/x", "sizd": "4096"}}
	e.fromFacts()
	if e.Type != EntryLink || e.Size != 4096 || e.Type.String() != "link" {
		t.Errorf("fromFacts: %+v", e)
	}
	for typ, want := range map[string]EntryType{"cdir": EntryCurrentDir, "pdir": EntryParentDir, "DIR": EntryDir, "file": EntryFile, "OS.unix=chr-13/29": EntryOther} {
		e := &Entry{Facts: map[string]string{"type": typ}}
		e.fromFacts()
		if e.Type != want {
			t.Errorf("type=%s gives %v, want %v", typ, e.Type, want)
		}
	}
}
