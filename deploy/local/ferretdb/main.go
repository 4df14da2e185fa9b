// Command ferretdb runs FerretDB v1 on its SQLite backend as a MongoDB-wire server.
//
// FerretDB's own command panics when built with `go install` (it expects a generated
// version file), so this wrapper embeds the library package instead.
//
// FerretDB 1.x on SQLite runs an update as "read the document, apply the operators, write
// it back" without isolation, so two concurrent updates of one document can lose each
// other's changes (MongoDB guarantees single-document atomicity). The wrapper therefore
// listens itself and forwards every connection to FerretDB over a Unix socket, holding one
// lock from an update, findAndModify or delete request until its reply. Everything else
// flows through untouched and concurrently.
package main

import (
	"context"
	"encoding/binary"
	"errors"
	"flag"
	"io"
	"log"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

const opMsg = 2013

// serialized names the commands whose read-modify-write must not interleave.
var serialized = map[string]bool{
	"update": true, "findAndModify": true, "findandmodify": true, "delete": true,
}

var writeLock sync.Mutex

func main() {
	listen := flag.String("listen-addr", "127.0.0.1:27017", "TCP address to listen on")
	dataDir := flag.String("data-dir", "", "directory of the SQLite databases")
	flag.Parse()

	if *dataDir == "" {
		log.Fatal("-data-dir is required")
	}
	dir, err := filepath.Abs(*dataDir)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		log.Fatal(err)
	}
	socket := filepath.Join(dir, "ferretdb.sock")
	_ = os.Remove(socket)

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{Unix: socket},
		Logger:    slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})),
		Handler:   "sqlite",
		SQLiteURL: "file:" + dir + "/",
	})
	if err != nil {
		log.Fatal(err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()

	for i := 0; ; i++ {
		if c, err := net.Dial("unix", socket); err == nil {
			c.Close()
			break
		}
		if i > 200 {
			log.Fatal("ferretdb did not open its socket")
		}
		time.Sleep(50 * time.Millisecond)
	}

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	go func() {
		<-ctx.Done()
		ln.Close()
	}()
	log.Printf("ferretdb listening on %s, data in %s", *listen, dir)

	for {
		client, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			log.Printf("accept: %v", err)
			continue
		}
		go proxy(client, socket)
	}
	if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
		log.Fatal(err)
	}
}

// readMessage reads one wire-protocol message: a little-endian length, then the rest.
func readMessage(r io.Reader) ([]byte, error) {
	var size [4]byte
	if _, err := io.ReadFull(r, size[:]); err != nil {
		return nil, err
	}
	n := binary.LittleEndian.Uint32(size[:])
	if n < 16 || n > 64<<20 {
		return nil, errors.New("bad message length")
	}
	msg := make([]byte, n)
	copy(msg, size[:])
	if _, err := io.ReadFull(r, msg[4:]); err != nil {
		return nil, err
	}
	return msg, nil
}

// commandName returns the first key of an OP_MSG body section: the command's name.
func commandName(msg []byte) string {
	if binary.LittleEndian.Uint32(msg[12:16]) != opMsg || len(msg) < 21 {
		return ""
	}
	pos := 20 // header (16) + flagBits (4)
	for pos < len(msg) {
		kind := msg[pos]
		pos++
		if pos+4 > len(msg) {
			return ""
		}
		size := int(binary.LittleEndian.Uint32(msg[pos:]))
		if kind == 0 {
			doc := msg[pos:]
			if len(doc) < 6 {
				return ""
			}
			end := 5
			for end < len(doc) && doc[end] != 0 {
				end++
			}
			return string(doc[5:end])
		}
		pos += size
	}
	return ""
}

func proxy(client net.Conn, socket string) {
	defer client.Close()
	server, err := net.Dial("unix", socket)
	if err != nil {
		log.Printf("dial ferretdb: %v", err)
		return
	}
	defer server.Close()

	// The driver waits for each reply before its next request on a connection, so one
	// pending locked request per connection is all there can be.
	var pending struct {
		sync.Mutex
		id     uint32
		locked bool
	}
	release := func() {
		pending.Lock()
		if pending.locked {
			pending.locked = false
			writeLock.Unlock()
		}
		pending.Unlock()
	}
	defer release()

	go func() {
		defer client.Close()
		defer server.Close()
		for {
			msg, err := readMessage(server)
			if err != nil {
				return
			}
			_, werr := client.Write(msg)
			responseTo := binary.LittleEndian.Uint32(msg[8:12])
			pending.Lock()
			if pending.locked && pending.id == responseTo {
				pending.locked = false
				writeLock.Unlock()
			}
			pending.Unlock()
			if werr != nil {
				return
			}
		}
	}()

	for {
		msg, err := readMessage(client)
		if err != nil {
			return
		}
		if serialized[commandName(msg)] {
			writeLock.Lock()
			pending.Lock()
			pending.id = binary.LittleEndian.Uint32(msg[4:8])
			pending.locked = true
			pending.Unlock()
		}
		if _, err := server.Write(msg); err != nil {
			return
		}
	}
}
