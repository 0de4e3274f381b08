package fetch

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"unicode/utf8"
)

// DefaultValidator rejects files that cannot be an EES data CSV or a data
// guidance text: empty files, HTML or XML error pages served in their place
// (body starting with "<!DOCTYPE", "<html" or "<?xml" after an optional BOM and
// white space), NUL bytes, and text that is not UTF-8.
func DefaultValidator(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return ValidateText(f)
}

// ValidateText is DefaultValidator on a reader.
func ValidateText(r io.Reader) error {
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := br.Peek(1024)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return err
	}
	if len(head) == 0 {
		return errors.New("empty file")
	}
	t := bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	t = bytes.TrimLeft(t, " \t\r\n\f\v")
	if len(t) == 0 && len(head) < 1024 {
		return errors.New("file holds only white space")
	}
	lt := bytes.ToLower(t[:min(len(t), 16)])
	for _, p := range []string{"<!doctype", "<html", "<?xml", "<head", "<body"} {
		if bytes.HasPrefix(lt, []byte(p)) {
			return fmt.Errorf("looks like an HTML/XML page, not data (starts %q)", truncate(string(t[:min(len(t), 40)]), 40))
		}
	}
	// Stream the whole file: UTF-8 valid, no NUL bytes.
	buf := make([]byte, 64<<10)
	var carry []byte
	var off int64
	for {
		n, rerr := br.Read(buf)
		chunk := append(carry, buf[:n]...)
		carry = nil
		if rerr == nil {
			// keep an incomplete trailing rune for the next round
			for k := 1; k <= 3 && k <= len(chunk); k++ {
				if utf8.RuneStart(chunk[len(chunk)-k]) {
					if !utf8.FullRune(chunk[len(chunk)-k:]) {
						carry = append([]byte(nil), chunk[len(chunk)-k:]...)
						chunk = chunk[:len(chunk)-k]
					}
					break
				}
			}
		}
		if i := bytes.IndexByte(chunk, 0); i >= 0 {
			return fmt.Errorf("NUL byte at offset %d: binary, not text", off+int64(i))
		}
		if !utf8.Valid(chunk) {
			for i := 0; i < len(chunk); {
				r, size := utf8.DecodeRune(chunk[i:])
				if r == utf8.RuneError && size <= 1 {
					return fmt.Errorf("not UTF-8 at byte offset %d", off+int64(i))
				}
				i += size
			}
		}
		off += int64(len(chunk))
		if rerr == io.EOF {
			if len(carry) > 0 {
				return fmt.Errorf("not UTF-8 at byte offset %d (truncated character)", off)
			}
			return nil
		}
		if rerr != nil {
			return rerr
		}
	}
}
