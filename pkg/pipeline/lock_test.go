//go:build unix

package pipeline

import (
	"fmt"
	"os"
	"path/filepath"
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

func TestCheckWritable(t *testing.T) {
	dir := t.TempDir()
	if err := CheckWritable(filepath.Join(dir, "new", "out"), "--out"); err != nil {
		t.Fatalf("a new folder: %v", err)
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, "new", "out")); len(entries) != 0 {
		t.Errorf("the check left %v behind", entries)
	}
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	err := CheckWritable(filepath.Join(file, "out"), "--out")
	if err == nil || !strings.Contains(err.Error(), "--out "+filepath.Join(file, "out")+" cannot be created") || !strings.Contains(err.Error(), "choose another folder") {
		t.Errorf("a folder under a file: %v", err)
	}
	if os.Geteuid() != 0 { // root writes into read-only folders
		ro := filepath.Join(dir, "ro")
		if err := os.Mkdir(ro, 0o555); err != nil {
			t.Fatal(err)
		}
		if err := CheckWritable(ro, "--out"); err == nil || !strings.Contains(err.Error(), "cannot be written") {
			t.Errorf("a read-only folder: %v", err)
		}
	}
}
