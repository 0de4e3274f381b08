//go:build !linux

package cache

import "io/fs"

// fileIDOf is unknown here: every file is read and hashed to validate
// the cache.
func fileIDOf(fs.FileInfo) fileID { return fileID{} }
