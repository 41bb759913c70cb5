package pipeline

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// LockFile is the name of the lock file that LockDir keeps in a folder.
const LockFile = ".neurotopics.lock"

// LockDir takes an exclusive lock on dir (created if missing) for this
// process, so that two commands writing the same folder — two `run`s with
// the same --out, two `train`s resuming the same checkpoints — take turns
// instead of overwriting each other's files. If another process holds the
// lock, waiting is called once with a line naming it (its pid, command and
// start time, as it wrote them into dir/.neurotopics.lock), and LockDir
// blocks until that process ends or releases the lock. The lock is an
// operating-system lock (flock on Unix), so a killed process never leaves it
// held. Call release when done.
func LockDir(dir string, waiting func(holder string)) (release func(), err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating %s: %w", dir, err)
	}
	path := filepath.Join(dir, LockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("opening the lock file %s: %w", path, err)
	}
	ok, err := tryLock(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("locking %s: %w", path, err)
	}
	if !ok {
		if waiting != nil {
			holder, _ := os.ReadFile(path)
			h := strings.TrimSpace(string(holder))
			if h == "" {
				h = "another process"
			}
			waiting(fmt.Sprintf("%s is in use by %s; waiting for it to finish (see %s)", dir, h, path))
		}
		if err := lock(f); err != nil {
			f.Close()
			return nil, fmt.Errorf("locking %s: %w", path, err)
		}
	}
	// Say who holds the lock, for the next process's message.
	if err := f.Truncate(0); err == nil {
		fmt.Fprintf(f, "pid %d (%s), since %s\n", os.Getpid(), strings.Join(os.Args, " "), time.Now().Format(time.RFC3339))
	}
	return func() {
		f.Truncate(0)
		unlock(f)
		f.Close()
	}, nil
}
