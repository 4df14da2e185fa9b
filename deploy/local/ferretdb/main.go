// Command ferretdb runs FerretDB v1 on its SQLite backend as a MongoDB-wire server.
//
// FerretDB's own command panics when built with `go install` (it expects a generated
// version file), so this wrapper embeds the library package instead.
//
// FerretDB 1.x on SQLite runs an update as "read the document, apply the operators, write
// it back" without isolation, so two concurrent updates of one document can lose each
// other's changes (MongoDB guarantees single-document atomicity). The wrapper therefore
// listens itself and forwards every connection to FerretDB over a Unix socket, holding its
// database's lock from an update, findAndModify or delete request until its reply. Everything else
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

// One lock per database: FerretDB keeps each database in its own SQLite file.
var dbLocks sync.Map // database name -> *sync.Mutex

func lockFor(db string) *sync.Mutex {
	m, _ := dbLocks.LoadOrStore(db, &sync.Mutex{})
	return m.(*sync.Mutex)
}

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
		Listener: ferretdb.ListenerConfig{Unix: socket},
		Logger:   slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})),
		Handler:  "sqlite",
		// WAL with synchronous=normal: durable across a crash of this process, and it spares
		// an fsync per commit (an operating-system crash may lose the last commits).
		SQLiteURL: "file:" + dir + "/?_pragma=synchronous(normal)",
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

// bsonValueSize returns the size of a BSON value of type t starting at b, or -1.
func bsonValueSize(t byte, b []byte) int {
	i32 := func() int {
		if len(b) < 4 {
			return -1
		}
		return int(int32(binary.LittleEndian.Uint32(b)))
	}
	cstr := func(from int) int {
		for i := from; i < len(b); i++ {
			if b[i] == 0 {
				return i + 1
			}
		}
		return -1
	}
	switch t {
	case 0x01, 0x09, 0x11, 0x12:
		return 8
	case 0x02, 0x0D, 0x0E:
		return 4 + i32()
	case 0x03, 0x04, 0x0F:
		return i32()
	case 0x05:
		return 5 + i32()
	case 0x07:
		return 12
	case 0x08:
		return 1
	case 0x06, 0x0A, 0x7F, 0xFF:
		return 0
	case 0x0B:
		first := cstr(0)
		if first < 0 {
			return -1
		}
		return cstr(first)
	case 0x0C:
		return 4 + i32() + 12
	case 0x10:
		return 4
	case 0x13:
		return 16
	}
	return -1
}

// command returns the command's name (the body's first key) and its "$db".
func command(msg []byte) (name, db string) {
	if binary.LittleEndian.Uint32(msg[12:16]) != opMsg || len(msg) < 21 {
		return "", ""
	}
	pos := 20 // header (16) + flagBits (4)
	for pos+5 <= len(msg) {
		kind := msg[pos]
		pos++
		size := int(binary.LittleEndian.Uint32(msg[pos:]))
		if kind != 0 {
			pos += size
			continue
		}
		if size < 5 || pos+size > len(msg) {
			return "", ""
		}
		doc := msg[pos : pos+size]
		i := 4
		for i < len(doc)-1 {
			t := doc[i]
			keyEnd := i + 1
			for keyEnd < len(doc) && doc[keyEnd] != 0 {
				keyEnd++
			}
			if keyEnd >= len(doc) {
				return name, db
			}
			key := string(doc[i+1 : keyEnd])
			valueAt := keyEnd + 1
			n := bsonValueSize(t, doc[valueAt:])
			if n < 0 || valueAt+n > len(doc) {
				return name, db
			}
			if name == "" {
				name = key
			}
			if key == "$db" && t == 0x02 && n > 5 {
				db = string(doc[valueAt+4 : valueAt+n-1])
			}
			i = valueAt + n
		}
		return name, db
	}
	return "", ""
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
		id   uint32
		held *sync.Mutex
	}
	release := func() {
		pending.Lock()
		if pending.held != nil {
			pending.held.Unlock()
			pending.held = nil
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
			if pending.held != nil && pending.id == responseTo {
				pending.held.Unlock()
				pending.held = nil
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
		if name, db := command(msg); serialized[name] {
			lock := lockFor(db)
			lock.Lock()
			pending.Lock()
			pending.id = binary.LittleEndian.Uint32(msg[4:8])
			pending.held = lock
			pending.Unlock()
		}
		if _, err := server.Write(msg); err != nil {
			return
		}
	}
}
