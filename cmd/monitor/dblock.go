package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// dbLock is the lock a monitor serve holds on its SQLite file for its whole
// life: the store's writer assigns run ids itself, so a second writing
// process on the same file would fail its writes. The kernel drops the lock
// when the process ends, however it ends, so a crash never leaves a stale
// lock behind.
type dbLock struct{ f *os.File }

// lockDB takes the lock beside the SQLite file at path (path + "-lock"), or
// says which process holds it and what to do.
func lockDB(path string) (*dbLock, error) {
	name := path + "-lock"
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		defer f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			holder := make([]byte, 32)
			n, _ := f.ReadAt(holder, 0)
			who := "another process"
			if pid, perr := strconv.Atoi(strings.TrimSpace(string(holder[:n]))); perr == nil && pid > 0 {
				who = "process " + strconv.Itoa(pid)
			}
			return nil, fmt.Errorf("database %s is in use by %s (another monitor serve): stop it first, or give this one its own -db; several instances share one PostgreSQL database, not one SQLite file", path, who)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	// Best effort: the pid only makes the error above more helpful.
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &dbLock{f: f}, nil
}

// release drops the lock (nil-safe). The lock file stays: removing it could
// let two processes lock two different files of the same name.
func (l *dbLock) release() {
	if l != nil {
		l.f.Close()
	}
}
