package ftpkit

/*
#include <stdint.h>
#include <ftpkit/ftp.h>
*/
import "C"

import (
	"errors"
	"fmt"
	"io"
	"runtime/cgo"
	"unsafe"
)

// callState is what a C callback reaches through its runtime/cgo.Handle
// userdata.  Exactly one of the function fields is set for one call.  The
// first error (or recovered panic) a callback meets is kept here and the
// callback returns non-zero, so the C call stops with FTP_EABORTED and the
// Go side reports that error (see (*Conn).doLocked).
type callState struct {
	w     io.Writer          // retrbinary: the destination
	r     io.Reader          // storbinary: the source
	line  func(string) error // nlst, list
	entry func(*Entry) error // mlsd
	debug io.Writer          // the debug trace (lives as long as the Conn)
	err   error              // the callback's own error
	panic any                // a recovered panic, re-raised after the C call
	eof   bool               // the reader reported io.EOF
	n     int64              // bytes handed to w or taken from r
	pend  error              // an error returned along with data by r
}

// stop records why a callback asks the C call to stop.
func (st *callState) stop(err error) C.int {
	if st.err == nil {
		st.err = err
	}
	return 1
}

// recoverInto turns a panic in user code into a stopped C call; the panic
// is raised again once the C call has returned (Go panics must not unwind
// through C frames).
func (st *callState) recoverInto(rc *C.int) {
	if p := recover(); p != nil {
		st.panic = p
		*rc = 1
	}
}

func stateOf(h C.uintptr_t) *callState {
	return cgo.Handle(h).Value().(*callState)
}

//export ftpkitgoDebug
func ftpkitgoDebug(line *C.char, n C.size_t, h C.uintptr_t) {
	st := stateOf(h)
	if st.debug == nil {
		return
	}
	defer func() { _ = recover() }() // a debug writer must not break the call
	buf := make([]byte, int(n)+1)
	copy(buf, unsafe.Slice((*byte)(unsafe.Pointer(line)), int(n)))
	buf[n] = '\n'
	_, _ = st.debug.Write(buf)
}

//export ftpkitgoData
func ftpkitgoData(data *C.char, n C.size_t, h C.uintptr_t) (rc C.int) {
	st := stateOf(h)
	defer st.recoverInto(&rc)
	// The block is C memory valid during this call only; io.Writer's
	// contract forbids keeping it.
	p := unsafe.Slice((*byte)(unsafe.Pointer(data)), int(n))
	m, err := st.w.Write(p)
	st.n += int64(m)
	if err == nil && m != len(p) {
		err = io.ErrShortWrite
	}
	if err != nil {
		return st.stop(err)
	}
	return 0
}

//export ftpkitgoRead
func ftpkitgoRead(buf *C.char, capacity C.size_t, outLen *C.size_t, h C.uintptr_t) (rc C.int) {
	st := stateOf(h)
	defer st.recoverInto(&rc)
	*outLen = 0
	if st.pend != nil {
		err := st.pend
		st.pend = nil
		if errors.Is(err, io.EOF) {
			st.eof = true
			return 0
		}
		return st.stop(err)
	}
	if st.eof || capacity == 0 {
		return 0
	}
	p := unsafe.Slice((*byte)(unsafe.Pointer(buf)), int(capacity))
	// io.Reader may return 0, nil; retry a bounded number of times as
	// io.ReadAtLeast's callers expect.
	for range 100 {
		m, err := st.r.Read(p)
		if m < 0 || m > len(p) {
			return st.stop(fmt.Errorf("ftpkit: io.Reader returned invalid count %d", m))
		}
		st.n += int64(m)
		if m > 0 {
			*outLen = C.size_t(m)
			st.pend = err // reported on the next call, after this data
			return 0
		}
		if err == io.EOF {
			st.eof = true
			return 0
		}
		if err != nil {
			return st.stop(err)
		}
	}
	return st.stop(io.ErrNoProgress)
}

//export ftpkitgoLine
func ftpkitgoLine(line *C.char, n C.size_t, h C.uintptr_t) (rc C.int) {
	st := stateOf(h)
	defer st.recoverInto(&rc)
	if err := st.line(C.GoStringN(line, C.int(n))); err != nil {
		return st.stop(err)
	}
	return 0
}

//export ftpkitgoMLSD
func ftpkitgoMLSD(name *C.char, nameLen C.size_t, facts *C.ftp_fact, nfacts C.size_t, h C.uintptr_t) (rc C.int) {
	st := stateOf(h)
	defer st.recoverInto(&rc)
	e := &Entry{Name: C.GoStringN(name, C.int(nameLen)), Size: -1, Facts: make(map[string]string, int(nfacts))}
	for _, f := range unsafe.Slice(facts, int(nfacts)) {
		e.Facts[C.GoStringN(f.name, C.int(f.name_len))] = C.GoStringN(f.value, C.int(f.value_len))
	}
	e.fromFacts()
	if err := st.entry(e); err != nil {
		return st.stop(err)
	}
	return 0
}
