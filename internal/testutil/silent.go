// Package testutil holds test helpers shared by packages that cannot share
// one otherwise (internal/client's own tests cannot import
// internal/acctest, which imports the client). It imports nothing of this
// repository.
package testutil

import (
	"net"
	"sync"
	"sync/atomic"
	"testing"
)

// SilentListener listens on a loopback port, accepts every connection and
// never answers on it (the connections stay open until the test ends),
// like a hung server or a proxy that lost its upstream. It returns the
// base URL and the number of connections accepted so far.
func SilentListener(t testing.TB) (string, *atomic.Int32) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var accepted atomic.Int32
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			mu.Lock()
			conns = append(conns, conn)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return "http://" + ln.Addr().String(), &accepted
}
