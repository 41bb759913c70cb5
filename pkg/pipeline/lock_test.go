//go:build unix

package pipeline

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// Two holders of one folder take turns: the second waits, is told who holds
// the folder, and gets the lock once the first releases it.
func TestLockDirTakesTurns(t *testing.T) {
	dir := t.TempDir()
	release1, err := LockDir(dir, func(string) { t.Error("the first LockDir had to wait") })
	if err != nil {
		t.Fatal(err)
	}
	waited := make(chan string, 1)
	got := make(chan func(), 1)
	go func() {
		release2, err := LockDir(dir, func(h string) { waited <- h })
		if err != nil {
			t.Error(err)
			release2 = func() {}
		}
		got <- release2
	}()
	select {
	case h := <-waited:
		if want := fmt.Sprintf("pid %d", os.Getpid()); !strings.Contains(h, want) || !strings.Contains(h, dir) {
			t.Errorf("waiting message %q does not name the folder and %q", h, want)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the second LockDir neither waited nor said so")
	}
	select {
	case <-got:
		t.Fatal("the second LockDir returned while the first held the lock")
	case <-time.After(200 * time.Millisecond):
	}
	release1()
	select {
	case release2 := <-got:
		release2()
	case <-time.After(10 * time.Second):
		t.Fatal("the second LockDir did not get the lock after the first released it")
	}
	// Released: a third takes it at once.
	release3, err := LockDir(dir, func(string) { t.Error("LockDir waited on a released folder") })
	if err != nil {
		t.Fatal(err)
	}
	release3()
}

func TestLockDirBadFolder(t *testing.T) {
	file := t.TempDir() + "/file"
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LockDir(file+"/sub", nil); err == nil || !strings.Contains(err.Error(), file) {
		t.Fatalf("LockDir under a file: err = %v, want one naming %s", err, file)
	}
}
