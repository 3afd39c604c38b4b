package server

import (
	"context"
	"errors"
	"log"
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/net/netutil"
)

// Defaults for the zero fields of ListenConfig.
const (
	// DefaultMaxConns bounds the open connections, idle ones included: well under the usual
	// 1024 file descriptors a process may hold, so the process never runs out of them.
	DefaultMaxConns = 512
	// DefaultReadHeaderTimeout bounds the wait for a request's headers, from the moment the
	// connection is accepted or the previous response is sent.
	DefaultReadHeaderTimeout = 5 * time.Second
	// DefaultIdleTimeout bounds how long a keep-alive connection may wait for its next request.
	DefaultIdleTimeout = 30 * time.Second
	// DefaultWriteTimeout bounds the writing of a response, from the end of the request's headers;
	// it exceeds DefaultBodyTimeout so that a slow body is still recorded.
	DefaultWriteTimeout = 30 * time.Second
	// DefaultMaxHeaderBytes bounds a request's header block (request line included); larger
	// ones get net/http's 431.
	DefaultMaxHeaderBytes = 16 << 10
)

// ListenConfig bounds what clients can hold of a listening server. The zero value gives the
// defaults above.
type ListenConfig struct {
	// MaxConns is the most connections open at once (golang.org/x/net/netutil.LimitListener);
	// further ones wait in the kernel's accept queue. While the limit is reached, a connection
	// that goes idle between requests is closed at once, so idle keep-alive connections cannot
	// keep a waiting client out; a connection that never sends a request is closed after
	// ReadHeaderTimeout.
	MaxConns int
	// ReadHeaderTimeout, IdleTimeout, WriteTimeout and MaxHeaderBytes are http.Server's.
	// Request bodies are bounded by Config.BodyTimeout in the handler instead of a ReadTimeout,
	// so a slow body gets a response (InvalidParameter) rather than a closed connection.
	ReadHeaderTimeout time.Duration
	IdleTimeout       time.Duration
	WriteTimeout      time.Duration
	MaxHeaderBytes    int
	// ErrorLog receives net/http's own messages (such as TLS or accept errors); nil means the
	// log package's standard logger, as for http.Server.
	ErrorLog *log.Logger
}

func (lc ListenConfig) withDefaults() (ListenConfig, error) {
	if lc.MaxConns < 0 || lc.ReadHeaderTimeout < 0 || lc.IdleTimeout < 0 || lc.WriteTimeout < 0 || lc.MaxHeaderBytes < 0 {
		return lc, errors.New("server: ListenConfig fields must not be negative")
	}
	if lc.MaxConns == 0 {
		lc.MaxConns = DefaultMaxConns
	}
	if lc.ReadHeaderTimeout == 0 {
		lc.ReadHeaderTimeout = DefaultReadHeaderTimeout
	}
	if lc.IdleTimeout == 0 {
		lc.IdleTimeout = DefaultIdleTimeout
	}
	if lc.WriteTimeout == 0 {
		lc.WriteTimeout = DefaultWriteTimeout
	}
	if lc.MaxHeaderBytes == 0 {
		lc.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	return lc, nil
}

// Listen opens a TCP listener on addr, bounded to lc.MaxConns connections, and the http.Server
// that serves h on it with lc's timeouts. Serve with hs.Serve(ln); stop with hs.Shutdown. It
// fails for a negative field of lc or an address that cannot be listened on.
func Listen(ctx context.Context, addr string, h http.Handler, lc ListenConfig) (hs *http.Server, ln net.Listener, err error) {
	lc, err = lc.withDefaults()
	if err != nil {
		return nil, nil, err
	}
	raw, err := (&net.ListenConfig{}).Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, nil, err
	}
	guard := &connGuard{max: lc.MaxConns, idle: make(map[net.Conn]struct{})}
	hs = &http.Server{
		Handler:           h,
		ReadHeaderTimeout: lc.ReadHeaderTimeout,
		IdleTimeout:       lc.IdleTimeout,
		WriteTimeout:      lc.WriteTimeout,
		MaxHeaderBytes:    lc.MaxHeaderBytes,
		ConnState:         guard.track,
		// "OPTIONS *" would otherwise get net/http's own empty 200, not a response of the server.
		DisableGeneralOptionsHandler: true,
		ErrorLog:                     lc.ErrorLog,
	}
	return hs, netutil.LimitListener(raw, lc.MaxConns), nil
}

// connGuard counts the open connections through http.Server.ConnState and, while max are open,
// closes those that go (or are) idle between requests: each holds a slot of the LimitListener
// that a waiting client needs more. A connection is closed only when idle, never with a request
// in flight.
type connGuard struct {
	max int

	mu   sync.Mutex
	open int
	idle map[net.Conn]struct{}
}

func (g *connGuard) track(c net.Conn, st http.ConnState) {
	g.mu.Lock()
	defer g.mu.Unlock()
	switch st {
	case http.StateNew:
		g.open++
	case http.StateActive:
		delete(g.idle, c)
	case http.StateIdle:
		g.idle[c] = struct{}{}
	case http.StateHijacked, http.StateClosed:
		g.open--
		delete(g.idle, c)
	}
	if g.open < g.max {
		return
	}
	for ic := range g.idle {
		// The connection's goroutine sees the close and reports StateClosed, which frees the
		// slot and, through the LimitListener, lets the next connection in.
		_ = ic.Close()
		delete(g.idle, ic)
	}
}
