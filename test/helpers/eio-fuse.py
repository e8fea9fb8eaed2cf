#!/usr/bin/env python3
# test/helpers/eio-fuse.py: a FUSE pass-through file system whose fsync fails with a real EIO on demand (issue 12).
# The kernel's FUSE driver hands every fsync/fdatasync of a file under the mount to this process; while the trigger
# file exists, an fsync of a file whose name matches the pattern fails EIO, and the bytes written to that file since
# its last successful fsync are dropped (the file is cut back to its size then), as Linux may drop dirty pages after
# a failed writeback ("fsyncgate"). So the process under test sees exactly what a failing disk shows it: a write that
# succeeded, an fdatasync that returns EIO, and after a restart only what was synced.
# Usage: eio-fuse.py BACKING_DIR MOUNT_DIR TRIGGER_FILE FILE_NAME_REGEX   (root; Debian's python3-fusepy, libfuse2)
import errno
import os
import re
import sys
import threading

from fusepy import FUSE, FuseOSError, Operations


class EioOnFsync(Operations):
    def __init__(self, root, trigger, pattern):
        self.root = os.path.realpath(root)
        self.trigger = trigger
        self.pattern = re.compile(pattern)
        self.mutex = threading.Lock()
        # Size of each file (by path) at its last successful fsync, or when first opened.
        self.synced_bytes = {}

    def _full(self, path):
        return os.path.join(self.root, path.lstrip('/'))

    def __call__(self, op, path, *args):
        try:
            return super().__call__(op, path, *args)
        except OSError as error:
            raise FuseOSError(error.errno or errno.EIO)

    def getattr(self, path, fh=None):
        st = os.lstat(self._full(path))
        keys = ('st_atime', 'st_ctime', 'st_gid', 'st_mode', 'st_mtime', 'st_nlink', 'st_size', 'st_uid', 'st_blocks')
        return {key: getattr(st, key) for key in keys}

    def access(self, path, amode):
        if not os.access(self._full(path), amode):
            raise FuseOSError(errno.EACCES)

    def readdir(self, path, fh):
        return ['.', '..'] + os.listdir(self._full(path))

    def mkdir(self, path, mode):
        os.mkdir(self._full(path), mode)

    def rmdir(self, path):
        os.rmdir(self._full(path))

    def unlink(self, path):
        os.unlink(self._full(path))
        self.synced_bytes.pop(path, None)

    def rename(self, old, new):
        os.rename(self._full(old), self._full(new))
        with self.mutex:
            if old in self.synced_bytes:
                self.synced_bytes[new] = self.synced_bytes.pop(old)

    def chmod(self, path, mode):
        os.chmod(self._full(path), mode)

    def chown(self, path, uid, gid):
        os.chown(self._full(path), uid, gid)

    def utimens(self, path, times=None):
        os.utime(self._full(path), times)

    def statfs(self, path):
        st = os.statvfs(self._full(path))
        keys = ('f_bavail', 'f_bfree', 'f_blocks', 'f_bsize', 'f_favail', 'f_ffree', 'f_files', 'f_flag', 'f_frsize', 'f_namemax')
        return {key: getattr(st, key) for key in keys}

    def _remember(self, path, fd):
        with self.mutex:
            self.synced_bytes.setdefault(path, os.fstat(fd).st_size)

    def open(self, path, fi):
        fi.fh = os.open(self._full(path), fi.flags)
        self._remember(path, fi.fh)
        return 0

    def create(self, path, mode, fi):
        fi.fh = os.open(self._full(path), fi.flags | os.O_CREAT, mode)
        with self.mutex:
            self.synced_bytes[path] = 0
        return 0

    def read(self, path, size, offset, fi):
        return os.pread(fi.fh, size, offset)

    def write(self, path, data, offset, fi):
        return os.pwrite(fi.fh, data, offset)

    def truncate(self, path, length, fi=None):
        if fi is None:
            os.truncate(self._full(path), length)
        else:
            os.ftruncate(fi.fh, length)

    def flush(self, path, fi):
        return 0

    def release(self, path, fi):
        os.close(fi.fh)
        return 0

    def fsync(self, path, datasync, fi):
        if os.path.exists(self.trigger) and self.pattern.search(os.path.basename(path)):
            with self.mutex:
                kept = self.synced_bytes.get(path, 0)
            if os.fstat(fi.fh).st_size > kept:
                os.ftruncate(fi.fh, kept)
            sys.stderr.write(f'eio-fuse: fsync of {path} fails EIO; cut back to {kept} bytes\n')
            raise FuseOSError(errno.EIO)
        os.fsync(fi.fh)
        with self.mutex:
            self.synced_bytes[path] = os.fstat(fi.fh).st_size
        return 0

    def fsyncdir(self, path, datasync, fh):
        fd = os.open(self._full(path), os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        return 0


if __name__ == '__main__':
    backing, mount, trigger, pattern = sys.argv[1:5]
    FUSE(EioOnFsync(backing, trigger, pattern), mount, foreground=True, raw_fi=True, big_writes=True)
