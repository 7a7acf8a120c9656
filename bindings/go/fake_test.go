package ftpkit

// A tiny scripted FTP server on 127.0.0.1 for the replies real servers do
// not give on demand: 4xx greetings, malformed replies, silence, an
// abrupt close.

import (
	"bufio"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	replySilent = "<silent>" // answer nothing, keep the connection open
	replyClose  = "<close>"  // close the connection
)

var fakeDefaults = map[string]string{
	"USER": "331 password please", "PASS": "230 logged in", "FEAT": "211 no features",
	"OPTS": "200 ok", "NOOP": "200 ok", "TYPE": "200 ok", "QUIT": "221 bye",
	"PWD": `257 "/" is the directory`, "SYST": "215 UNIX Type: L8",
}

type fake struct {
	addr   string
	cmds   chan string   // every command verb received, in order
	hangup chan struct{} // one value each time a client closes its connection
}

// fakeServer serves every connection with greeting, then answers each
// command from replies (by verb, upper case), falling back to
// fakeDefaults, then to "502 not implemented".  A reply may have several
// lines separated by "\n".
func fakeServer(t *testing.T, greeting string, replies map[string]string) *fake {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fake{addr: l.Addr().String(), cmds: make(chan string, 1000), hangup: make(chan struct{}, 1000)}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		conns []net.Conn
	)
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	send := func(c net.Conn, reply string) bool {
		switch reply {
		case replySilent:
			return true
		case replyClose:
			return false
		}
		reply = strings.ReplaceAll(reply, "\n", "\r\n") + "\r\n"
		_, err := c.Write([]byte(reply))
		return err == nil
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(120 * time.Second))
				if !send(c, greeting) {
					return
				}
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						select {
						case f.hangup <- struct{}{}:
						default:
						}
						return
					}
					verb, _, _ := strings.Cut(strings.TrimRight(line, "\r\n"), " ")
					verb = strings.ToUpper(verb)
					select {
					case f.cmds <- verb:
					default:
					}
					reply, ok := replies[verb]
					if !ok {
						reply, ok = fakeDefaults[verb]
					}
					if !ok {
						reply = "502 not implemented"
					}
					if !send(c, reply) {
						return
					}
				}
			}()
		}
	}()
	return f
}

// waitCmd waits until the fake server has received verb.
func (f *fake) waitCmd(t *testing.T, verb string) {
	t.Helper()
	timeout := time.After(60 * time.Second)
	for {
		select {
		case v := <-f.cmds:
			if v == verb {
				return
			}
		case <-timeout:
			t.Fatalf("the server never received %s", verb)
		}
	}
}
