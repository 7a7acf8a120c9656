package ftpkit_test

// Examples for go doc.  They need a server, so they have no "// Output:"
// lines: go test compiles them but does not run them.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"os"
	"strings"
	"time"

	ftpkit "github.com/ftpkit/ftpkit-go"
)

func ExampleDial() {
	c, err := ftpkit.Dial("ftp.example.com:21", ftpkit.WithTimeout(20*time.Second))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	fmt.Println(c.Welcome())
}

func ExampleDialContext() {
	// The context bounds the whole session: canceling it aborts the call in
	// flight, e.g. a long download.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	c, err := ftpkit.DialContext(ctx, "ftp.example.com")
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if err := c.Login("anonymous", ""); err != nil {
		log.Fatal(err)
	}
	_, err = c.RetrTo("pub/big.iso", io.Discard)
	if errors.Is(err, context.DeadlineExceeded) {
		fmt.Println("took longer than 5 minutes")
	}
}

func ExampleWithTLS() {
	// Explicit FTPS (AUTH TLS) trusting a private CA; data connections are
	// protected (PROT P) after Login.
	c, err := ftpkit.Dial("ftp.example.com:21",
		ftpkit.WithTLS(ftpkit.TLSExplicit, &ftpkit.TLSConfig{CAFile: "/etc/ssl/private-ca.pem"}))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if err := c.Login("user", "secret"); err != nil {
		log.Fatal(err)
	}
	fmt.Println(c.TLSVersion())
}

func ExampleWithDebug() {
	c, err := ftpkit.Dial("ftp.example.com", ftpkit.WithDebug(os.Stderr))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	_ = c.Login("anonymous", "") // prints "*cmd* 'USER anonymous'", ...
}

func ExampleConn_Login() {
	c, err := ftpkit.Dial("ftp.example.com")
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if err := c.Login("user", "secret"); errors.Is(err, ftpkit.ErrPermanent) {
		fmt.Println("login refused:", err)
	}
}

func ExampleConn_Quit() {
	c, err := ftpkit.Dial("ftp.example.com")
	if err != nil {
		log.Fatal(err)
	}
	// Quit says goodbye and frees the Conn; Close would only hang up.
	if err := c.Quit(); err != nil {
		log.Print(err)
	}
}

func ExampleConn_Retr() {
	var c *ftpkit.Conn // from Dial and Login
	r, err := c.Retr("pub/file.tar.gz")
	if err != nil {
		log.Fatal(err)
	}
	f, err := os.Create("file.tar.gz")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	if _, err := io.Copy(f, r); err != nil {
		r.Close()
		log.Fatal(err)
	}
	// Close reads the server's final reply: only nil means complete.
	if err := r.Close(); err != nil {
		log.Fatal(err)
	}
}

func ExampleConn_RetrFrom() {
	var c *ftpkit.Conn // from Dial and Login
	f, err := os.OpenFile("file.iso", os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	r, err := c.RetrFrom("pub/file.iso", st.Size()) // resume (REST)
	if err != nil {
		log.Fatal(err)
	}
	_, err = io.Copy(f, r)
	if cerr := r.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		log.Fatal(err)
	}
}

func ExampleConn_RetrTo() {
	var c *ftpkit.Conn // from Dial and Login
	h := sha256.New()
	n, err := c.RetrTo("pub/file.iso", h)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d bytes, sha256 %x\n", n, h.Sum(nil))
}

func ExampleConn_Stor() {
	var c *ftpkit.Conn // from Dial and Login
	f, err := os.Open("report.pdf")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	if err := c.Stor("incoming/report.pdf", f); err != nil {
		log.Fatal(err)
	}
}

func ExampleConn_StorFrom() {
	var c *ftpkit.Conn // from Dial and Login
	f, err := os.Open("big.iso")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	have, err := c.FileSize("incoming/big.iso") // what the server kept
	if err != nil {
		log.Fatal(err)
	}
	if _, err := f.Seek(have, io.SeekStart); err != nil {
		log.Fatal(err)
	}
	if err := c.StorFrom("incoming/big.iso", f, have); err != nil {
		log.Fatal(err)
	}
}

func ExampleConn_Append() {
	var c *ftpkit.Conn // from Dial and Login
	if err := c.Append("logs/today.log", strings.NewReader("one more line\n")); err != nil {
		log.Fatal(err)
	}
}

func ExampleConn_SendCmd() {
	var c *ftpkit.Conn // from Dial and Login
	code, text, err := c.SendCmd("SITE CHMOD 644 file.txt")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(code, text)
}

func ExampleConn_VoidCmd() {
	var c *ftpkit.Conn // from Dial and Login
	if _, _, err := c.VoidCmd("MFMT 20240101120000 file.txt"); err != nil {
		log.Fatal(err)
	}
}

func ExampleConn_ChangeDir() {
	var c *ftpkit.Conn // from Dial and Login
	if err := c.ChangeDir("pub/releases"); err != nil {
		log.Fatal(err)
	}
	wd, err := c.CurrentDir()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(wd)
}

func ExampleConn_MakeDir() {
	var c *ftpkit.Conn // from Dial and Login
	dir, err := c.MakeDir("incoming/2024")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("created", dir)
	if err := c.RemoveDir(dir); err != nil {
		log.Fatal(err)
	}
}

func ExampleConn_Rename() {
	var c *ftpkit.Conn // from Dial and Login
	if err := c.Rename("incoming/upload.tmp", "incoming/upload.dat"); err != nil {
		log.Fatal(err)
	}
	if err := c.Delete("incoming/old.dat"); err != nil {
		var fe *ftpkit.Error
		if errors.As(err, &fe) && fe.Code == 550 {
			fmt.Println("already gone")
		}
	}
}

func ExampleConn_FileSize() {
	var c *ftpkit.Conn // from Dial and Login
	size, err := c.FileSize("pub/file.iso")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(size, "bytes")
}

func ExampleConn_NameList() {
	var c *ftpkit.Conn // from Dial and Login
	names, err := c.NameList("pub")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(strings.Join(names, "\n"))
}

func ExampleConn_List() {
	var c *ftpkit.Conn // from Dial and Login
	entries, err := c.List("pub")
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range entries {
		fmt.Println(e.Type, e.Size, e.Name)
	}
}

func ExampleConn_MLSD() {
	var c *ftpkit.Conn // from Dial and Login
	entries, err := c.MLSD("pub")
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range entries {
		fmt.Println(e.Name, e.Type, e.Size, e.ModTime.Format(time.RFC3339), e.Facts["perm"])
	}
}

func ExampleConn_Walk() {
	var c *ftpkit.Conn // from Dial and Login
	var total int64
	err := c.Walk("pub", func(p string, e *ftpkit.Entry, err error) error {
		if err != nil {
			return err // or nil to skip an unreadable directory
		}
		if e.Type == ftpkit.EntryDir && e.Name == ".git" {
			return fs.SkipDir
		}
		if e.Type == ftpkit.EntryFile {
			total += e.Size
		}
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(total, "bytes in pub")
}

func ExampleConn_NoOp() {
	var c *ftpkit.Conn // from Dial and Login
	if err := c.NoOp(); err != nil {
		log.Fatal(err)
	}
}

func ExampleConn_Auth() {
	// Securing a plain session step by step, as ftplib's FTP_TLS does.
	c, err := ftpkit.Dial("ftp.example.com",
		ftpkit.WithTLS(ftpkit.TLSNone, &ftpkit.TLSConfig{CAFile: "/etc/ssl/private-ca.pem"}))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if err := c.Auth(); err != nil { // AUTH TLS
		log.Fatal(err)
	}
	if err := c.Login("user", "secret"); err != nil {
		log.Fatal(err)
	}
	if err := c.ProtP(); err != nil { // protect the data connections too
		log.Fatal(err)
	}
}

func ExampleError() {
	var c *ftpkit.Conn // from Dial and Login
	err := c.Stor("readonly/file", bytes.NewReader(nil))
	var fe *ftpkit.Error
	switch {
	case errors.Is(err, ftpkit.ErrPermanent) && errors.As(err, &fe):
		fmt.Println("refused with", fe.Code, fe.Text)
	case errors.Is(err, ftpkit.ErrTransient):
		fmt.Println("try again later")
	case errors.Is(err, ftpkit.ErrTimeout), errors.Is(err, ftpkit.ErrIO):
		fmt.Println("network trouble:", err)
	}
}
