package pipeline

import (
	"fmt"
	"os"
)

// CheckWritable creates dir if needed and writes and removes a file in it,
// so that a command finds an output folder it cannot write before its work,
// not after. what names the flag or folder in the error ("--out").
func CheckWritable(dir, what string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("%s %s cannot be created (%v): choose another folder", what, dir, err)
	}
	f, err := os.CreateTemp(dir, ".write-check-*")
	if err != nil {
		return fmt.Errorf("%s %s cannot be written (%v): choose another folder, or make it writable", what, dir, err)
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}
