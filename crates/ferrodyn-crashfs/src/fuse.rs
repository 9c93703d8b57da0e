//! The FUSE side: kernel requests in, [`Tree`] calls, replies out.
//!
//! Every request takes the one lock around the tree, so requests are
//! linearised in the order the session thread receives them, and a power
//! loss (a write of `crash` to the control file, or an armed one firing at
//! an fsync) happens between two requests, never inside one.
//!
//! The control file `/.crashfs-control` takes one command per write:
//! `crash`, `arm <n>`, `ignore-fsync`, `honour-fsync` (see the constants
//! below); reading it gives [`Tree::status`]. While the power is off (an
//! armed power loss fired and no `crash` has switched it back on) every
//! request fails with `EIO`, except those that reach the control file and
//! forget, release and statfs, which change nothing.
//!
//! Nothing here may let the kernel keep state that power loss would have to
//! take back:
//! * attributes and entries are returned with a zero time-to-live, so the
//!   kernel asks again before trusting a size or a name;
//! * files are opened without `FOPEN_KEEP_CACHE`, so the kernel drops its
//!   page cache of a file whenever it is opened again (after a power loss,
//!   the process that reads the files has restarted and reopens them);
//! * the writeback cache is not negotiated, so each `write(2)` reaches crashfs
//!   before it returns: what a killed process wrote is here, as it would be
//!   in the page cache of a real kernel, until the power goes.
//!
//! File locks (RocksDB locks its `LOCK` file) are left to the kernel, which
//! keeps POSIX locks itself when the filesystem does not negotiate
//! `FUSE_POSIX_LOCKS`; they vanish with the processes that hold them.

use std::ffi::OsStr;
use std::time::{Duration, SystemTime};

use fuser::{
    AccessFlags, Errno, FileAttr, FileHandle, FileType, Filesystem, FopenFlags, Generation,
    INodeNo, LockOwner, OpenFlags, RenameFlags, ReplyAttr, ReplyCreate, ReplyData, ReplyDirectory,
    ReplyEmpty, ReplyEntry, ReplyOpen, ReplyStatfs, ReplyWrite, Request, TimeOrNow, WriteFlags,
};
use parking_lot::Mutex;

use crate::pages::PAGE_BYTES;
use crate::tree::{
    Attr, CONTROL_INO, CONTROL_NAME, CrashReport, DirModel, Error, Fallocate, Kind, NAME_BYTES_MAX,
    ROOT_INO, SetAttr, Tree,
};

/// How long the kernel may trust an attribute or an entry: not at all.
const TTL: Duration = Duration::ZERO;

/// Inode numbers are never reused, so every inode is generation 0.
const GENERATION: Generation = Generation(0);

/// Written to the control file: cut the power now and switch it back on at
/// once (a reboot); after an armed power loss fired, only switch it back on.
/// Either way any armed power loss is disarmed.
pub const CRASH_COMMAND: &str = "crash";

/// Written to the control file followed by a count `n`: lose power at the
/// `n`-th fsync from now, before it takes effect, and keep the power off
/// until the next `crash` (see [`Tree::arm`]).
pub const ARM_COMMAND: &str = "arm ";

/// Written to the control file: from now on fsync succeeds and makes nothing
/// durable (a disk that lies about flushing its cache).
pub const IGNORE_FSYNC_COMMAND: &str = "ignore-fsync";

/// Written to the control file: fsync works again (the default).
pub const HONOUR_FSYNC_COMMAND: &str = "honour-fsync";

// fallocate(2) mode bits (Linux ABI, linux/falloc.h).
const FALLOC_FL_KEEP_SIZE: i32 = 0x01;
const FALLOC_FL_PUNCH_HOLE: i32 = 0x02;
const FALLOC_FL_ZERO_RANGE: i32 = 0x10;

// File type bits of a mode (Linux ABI, sys/stat.h).
const S_IFMT: u32 = 0o170_000;
const S_IFREG: u32 = 0o100_000;

/// What statfs reports: a filesystem this large, this free. crashfs keeps
/// everything in memory and has no quota of its own.
const STATFS_BLOCKS: u64 = 1 << 26;

/// The filesystem as the FUSE session sees it.
#[derive(Debug)]
pub struct CrashFs {
    tree: Mutex<Tree>,
}

impl CrashFs {
    /// An empty filesystem whose root belongs to `uid`/`gid`.
    pub fn new(model: DirModel, uid: u32, gid: u32) -> CrashFs {
        CrashFs {
            tree: Mutex::new(Tree::new(model, uid, gid)),
        }
    }
}

/// Locks the tree for a request, or answers `EIO` and returns if the power
/// is off and the request is not one of those that reach the control file
/// (`$reachable`): the test must still be able to switch the power back on.
macro_rules! live {
    ($fs:expr, $reply:ident, $reachable:expr) => {{
        let tree = $fs.tree.lock();
        if !tree.powered() && !$reachable {
            $reply.error(Errno::EIO);
            return;
        }
        tree
    }};
    ($fs:expr, $reply:ident) => {
        live!($fs, $reply, false)
    };
}

fn errno(e: Error) -> Errno {
    match e {
        Error::NotFound => Errno::ENOENT,
        Error::Exists => Errno::EEXIST,
        Error::NotDir => Errno::ENOTDIR,
        Error::IsDir => Errno::EISDIR,
        Error::NotEmpty => Errno::ENOTEMPTY,
        Error::Invalid => Errno::EINVAL,
        Error::TooLarge => Errno::EFBIG,
        Error::NameTooLong => Errno::ENAMETOOLONG,
        Error::Unsupported => Errno::EOPNOTSUPP,
        Error::NotPermitted => Errno::EPERM,
        Error::DeadHandle | Error::PowerOff => Errno::EIO,
    }
}

fn file_attr(a: &Attr) -> FileAttr {
    FileAttr {
        ino: INodeNo(a.ino),
        size: a.size,
        blocks: a.blocks,
        atime: a.atime,
        mtime: a.mtime,
        ctime: a.ctime,
        crtime: a.ctime,
        kind: file_type(a.kind),
        perm: a.perm,
        nlink: a.nlink,
        uid: a.uid,
        gid: a.gid,
        rdev: 0,
        blksize: PAGE_BYTES as u32,
        flags: 0,
    }
}

fn file_type(kind: Kind) -> FileType {
    match kind {
        Kind::File => FileType::RegularFile,
        Kind::Dir => FileType::Directory,
    }
}

fn time(t: TimeOrNow) -> SystemTime {
    match t {
        TimeOrNow::SpecificTime(t) => t,
        TimeOrNow::Now => SystemTime::now(),
    }
}

/// Permission bits of a new inode: the mode asked for, less the umask.
fn perm(mode: u32, umask: u32) -> u16 {
    (mode & !umask & 0o7777) as u16
}

impl CrashFs {
    /// A write to the control file: one command (surrounding whitespace
    /// allowed); anything else is refused with `EINVAL`.
    fn control(&self, data: &[u8]) -> Result<(), Errno> {
        let command = std::str::from_utf8(data)
            .map(str::trim)
            .map_err(|_| Errno::EINVAL)?;
        let mut tree = self.tree.lock();
        if let Some(count) = command.strip_prefix(ARM_COMMAND) {
            let fsyncs: u64 = count.trim().parse().map_err(|_| Errno::EINVAL)?;
            if fsyncs == 0 || !tree.powered() {
                return Err(Errno::EINVAL);
            }
            tree.arm(fsyncs);
            return Ok(());
        }
        match command {
            CRASH_COMMAND if !tree.powered() => {
                // An armed power loss already fired: the power comes back.
                tree.power_on();
                eprintln!("ferrodyn-crashfs: power back on");
            }
            CRASH_COMMAND => {
                tree.power_on();
                let report = tree.crash();
                log_crash("power loss", &report);
            }
            IGNORE_FSYNC_COMMAND => {
                tree.set_fsync_honoured(false);
                eprintln!("ferrodyn-crashfs: fsync now ignored");
            }
            HONOUR_FSYNC_COMMAND => {
                tree.set_fsync_honoured(true);
                eprintln!("ferrodyn-crashfs: fsync honoured again");
            }
            _ => return Err(Errno::EINVAL),
        }
        Ok(())
    }
}

/// fsync through the tree, saying so when it fired an armed power loss.
fn sync(tree: &mut Tree, ino: u64) -> Result<(), Error> {
    let crashes = tree.stats().crashes;
    let result = tree.fsync(ino);
    if tree.stats().crashes != crashes {
        log_crash("armed power loss", &tree.stats().last_crash);
    }
    result
}

fn log_crash(what: &str, report: &CrashReport) {
    eprintln!(
        "ferrodyn-crashfs: {what}: {} files lost {} unsynced pages, {} directories reverted, \
         {} inodes dropped, {} open handles closed",
        report.files_reverted,
        report.pages_lost,
        report.dirs_reverted,
        report.inodes_dropped,
        report.handles_closed
    );
}

impl Filesystem for CrashFs {
    fn lookup(&self, _req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEntry) {
        let mut tree = live!(self, reply, parent.0 == ROOT_INO && name == CONTROL_NAME);
        match tree.lookup(parent.0, name) {
            Ok(attr) => reply.entry(&TTL, &file_attr(&attr), GENERATION),
            Err(e) => reply.error(errno(e)),
        }
    }

    fn forget(&self, _req: &Request, ino: INodeNo, nlookup: u64) {
        self.tree.lock().forget(ino.0, nlookup);
    }

    fn getattr(&self, _req: &Request, ino: INodeNo, _fh: Option<FileHandle>, reply: ReplyAttr) {
        let tree = live!(self, reply, ino.0 == ROOT_INO || ino.0 == CONTROL_INO);
        match tree.attr(ino.0) {
            Ok(attr) => reply.attr(&TTL, &file_attr(&attr)),
            Err(e) => reply.error(errno(e)),
        }
    }

    fn setattr(
        &self,
        _req: &Request,
        ino: INodeNo,
        mode: Option<u32>,
        uid: Option<u32>,
        gid: Option<u32>,
        size: Option<u64>,
        atime: Option<TimeOrNow>,
        mtime: Option<TimeOrNow>,
        _ctime: Option<SystemTime>,
        _fh: Option<FileHandle>,
        _crtime: Option<SystemTime>,
        _chgtime: Option<SystemTime>,
        _bkuptime: Option<SystemTime>,
        _flags: Option<fuser::BsdFileFlags>,
        reply: ReplyAttr,
    ) {
        let set = SetAttr {
            perm: mode.map(|m| (m & 0o7777) as u16),
            uid,
            gid,
            size,
            atime: atime.map(time),
            mtime: mtime.map(time),
        };
        let mut tree = live!(self, reply, ino.0 == CONTROL_INO);
        match tree.setattr(ino.0, set) {
            Ok(attr) => reply.attr(&TTL, &file_attr(&attr)),
            Err(e) => reply.error(errno(e)),
        }
    }

    fn mknod(
        &self,
        req: &Request,
        parent: INodeNo,
        name: &OsStr,
        mode: u32,
        umask: u32,
        _rdev: u32,
        reply: ReplyEntry,
    ) {
        // Only regular files: devices, fifos and sockets are not needed.
        if mode & S_IFMT != S_IFREG {
            reply.error(Errno::EOPNOTSUPP);
            return;
        }
        let mut tree = live!(self, reply);
        match tree.mknod(parent.0, name, perm(mode, umask), req.uid(), req.gid()) {
            Ok(attr) => reply.entry(&TTL, &file_attr(&attr), GENERATION),
            Err(e) => reply.error(errno(e)),
        }
    }

    fn mkdir(
        &self,
        req: &Request,
        parent: INodeNo,
        name: &OsStr,
        mode: u32,
        umask: u32,
        reply: ReplyEntry,
    ) {
        let mut tree = live!(self, reply);
        match tree.mkdir(parent.0, name, perm(mode, umask), req.uid(), req.gid()) {
            Ok(attr) => reply.entry(&TTL, &file_attr(&attr), GENERATION),
            Err(e) => reply.error(errno(e)),
        }
    }

    fn unlink(&self, _req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEmpty) {
        let mut tree = live!(self, reply);
        match tree.unlink(parent.0, name) {
            Ok(()) => reply.ok(),
            Err(e) => reply.error(errno(e)),
        }
    }

    fn rmdir(&self, _req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEmpty) {
        let mut tree = live!(self, reply);
        match tree.rmdir(parent.0, name) {
            Ok(()) => reply.ok(),
            Err(e) => reply.error(errno(e)),
        }
    }

    fn rename(
        &self,
        _req: &Request,
        parent: INodeNo,
        name: &OsStr,
        newparent: INodeNo,
        newname: &OsStr,
        flags: RenameFlags,
        reply: ReplyEmpty,
    ) {
        if !(flags - RenameFlags::RENAME_NOREPLACE).is_empty() {
            // RENAME_EXCHANGE and RENAME_WHITEOUT are not needed.
            reply.error(Errno::EINVAL);
            return;
        }
        let noreplace = flags.contains(RenameFlags::RENAME_NOREPLACE);
        let mut tree = live!(self, reply);
        match tree.rename(parent.0, name, newparent.0, newname, noreplace) {
            Ok(()) => reply.ok(),
            Err(e) => reply.error(errno(e)),
        }
    }

    fn link(
        &self,
        _req: &Request,
        ino: INodeNo,
        newparent: INodeNo,
        newname: &OsStr,
        reply: ReplyEntry,
    ) {
        let mut tree = live!(self, reply);
        match tree.link(ino.0, newparent.0, newname) {
            Ok(attr) => reply.entry(&TTL, &file_attr(&attr), GENERATION),
            Err(e) => reply.error(errno(e)),
        }
    }

    fn open(&self, _req: &Request, ino: INodeNo, _flags: OpenFlags, reply: ReplyOpen) {
        let mut tree = live!(self, reply, ino.0 == CONTROL_INO);
        match tree.attr(ino.0) {
            Ok(attr) if attr.kind == Kind::Dir => {
                reply.error(Errno::EISDIR);
                return;
            }
            Ok(_) => {}
            Err(e) => {
                reply.error(errno(e));
                return;
            }
        }
        // The control file is read and written straight through: its size
        // is 0 and its text is made at each read.
        let flags = if ino.0 == CONTROL_INO {
            FopenFlags::FOPEN_DIRECT_IO
        } else {
            FopenFlags::empty()
        };
        match tree.open(ino.0) {
            Ok(fh) => reply.opened(FileHandle(fh), flags),
            Err(e) => reply.error(errno(e)),
        }
    }

    fn read(
        &self,
        _req: &Request,
        ino: INodeNo,
        fh: FileHandle,
        offset: u64,
        size: u32,
        _flags: OpenFlags,
        _lock_owner: Option<LockOwner>,
        reply: ReplyData,
    ) {
        let mut tree = live!(self, reply, ino.0 == CONTROL_INO);
        if ino.0 == CONTROL_INO {
            match tree.read_status(fh.0, offset, size as usize) {
                Ok(bytes) => reply.data(bytes),
                Err(e) => reply.error(errno(e)),
            }
            return;
        }
        match tree.read(fh.0, offset, size as usize) {
            Ok(bytes) => reply.data(&bytes),
            Err(e) => reply.error(errno(e)),
        }
    }

    fn write(
        &self,
        _req: &Request,
        ino: INodeNo,
        fh: FileHandle,
        offset: u64,
        data: &[u8],
        _write_flags: WriteFlags,
        _flags: OpenFlags,
        _lock_owner: Option<LockOwner>,
        reply: ReplyWrite,
    ) {
        let Ok(written) = u32::try_from(data.len()) else {
            reply.error(Errno::EINVAL);
            return;
        };
        if ino.0 == CONTROL_INO {
            match self.control(data) {
                Ok(()) => reply.written(written),
                Err(e) => reply.error(e),
            }
            return;
        }
        let mut tree = live!(self, reply);
        match tree.write(fh.0, offset, data) {
            Ok(()) => reply.written(written),
            Err(e) => reply.error(errno(e)),
        }
    }

    fn flush(
        &self,
        _req: &Request,
        _ino: INodeNo,
        _fh: FileHandle,
        _lock_owner: LockOwner,
        reply: ReplyEmpty,
    ) {
        // close(2) makes nothing durable.
        reply.ok();
    }

    fn release(
        &self,
        _req: &Request,
        _ino: INodeNo,
        fh: FileHandle,
        _flags: OpenFlags,
        _lock_owner: Option<LockOwner>,
        _flush: bool,
        reply: ReplyEmpty,
    ) {
        self.tree.lock().release(fh.0);
        reply.ok();
    }

    fn fsync(
        &self,
        _req: &Request,
        _ino: INodeNo,
        fh: FileHandle,
        _datasync: bool,
        reply: ReplyEmpty,
    ) {
        // fsync and fdatasync are the same here: attributes are not versioned.
        let mut tree = self.tree.lock();
        match tree.handle_ino(fh.0).and_then(|ino| sync(&mut tree, ino)) {
            Ok(()) => reply.ok(),
            Err(e) => reply.error(errno(e)),
        }
    }

    fn opendir(&self, _req: &Request, ino: INodeNo, _flags: OpenFlags, reply: ReplyOpen) {
        let mut tree = live!(self, reply);
        match tree.attr(ino.0) {
            Ok(attr) if attr.kind != Kind::Dir => {
                reply.error(Errno::ENOTDIR);
                return;
            }
            Ok(_) => {}
            Err(e) => {
                reply.error(errno(e));
                return;
            }
        }
        match tree.open(ino.0) {
            Ok(fh) => reply.opened(FileHandle(fh), FopenFlags::empty()),
            Err(e) => reply.error(errno(e)),
        }
    }

    fn readdir(
        &self,
        _req: &Request,
        _ino: INodeNo,
        fh: FileHandle,
        offset: u64,
        mut reply: ReplyDirectory,
    ) {
        let tree = live!(self, reply);
        let Ok(start) = usize::try_from(offset) else {
            reply.ok();
            return;
        };
        match tree.readdir(fh.0, start) {
            Ok(entries) => {
                for (i, entry) in entries.iter().enumerate() {
                    // The offset given with an entry is where the next call
                    // resumes: the position just past it.
                    let next = (start + i + 1) as u64;
                    if reply.add(INodeNo(entry.ino), next, file_type(entry.kind), &entry.name) {
                        break;
                    }
                }
                reply.ok();
            }
            Err(e) => reply.error(errno(e)),
        }
    }

    fn releasedir(
        &self,
        _req: &Request,
        _ino: INodeNo,
        fh: FileHandle,
        _flags: OpenFlags,
        reply: ReplyEmpty,
    ) {
        self.tree.lock().release(fh.0);
        reply.ok();
    }

    fn fsyncdir(
        &self,
        _req: &Request,
        _ino: INodeNo,
        fh: FileHandle,
        _datasync: bool,
        reply: ReplyEmpty,
    ) {
        let mut tree = self.tree.lock();
        match tree.handle_ino(fh.0).and_then(|ino| sync(&mut tree, ino)) {
            Ok(()) => reply.ok(),
            Err(e) => reply.error(errno(e)),
        }
    }

    fn statfs(&self, _req: &Request, _ino: INodeNo, reply: ReplyStatfs) {
        let inodes = self.tree.lock().inode_count() as u64;
        reply.statfs(
            STATFS_BLOCKS,
            STATFS_BLOCKS,
            STATFS_BLOCKS,
            inodes + STATFS_BLOCKS,
            STATFS_BLOCKS,
            PAGE_BYTES as u32,
            NAME_BYTES_MAX as u32,
            PAGE_BYTES as u32,
        );
    }

    fn access(&self, _req: &Request, ino: INodeNo, _mask: AccessFlags, reply: ReplyEmpty) {
        // Permissions are checked by the kernel (`default_permissions`).
        let tree = live!(self, reply, ino.0 == ROOT_INO || ino.0 == CONTROL_INO);
        match tree.attr(ino.0) {
            Ok(_) => reply.ok(),
            Err(e) => reply.error(errno(e)),
        }
    }

    fn create(
        &self,
        req: &Request,
        parent: INodeNo,
        name: &OsStr,
        mode: u32,
        umask: u32,
        _flags: i32,
        reply: ReplyCreate,
    ) {
        if mode & S_IFMT != S_IFREG {
            reply.error(Errno::EOPNOTSUPP);
            return;
        }
        let mut tree = live!(self, reply);
        match tree.create(parent.0, name, perm(mode, umask), req.uid(), req.gid()) {
            Ok((attr, fh)) => reply.created(
                &TTL,
                &file_attr(&attr),
                GENERATION,
                FileHandle(fh),
                FopenFlags::empty(),
            ),
            Err(e) => reply.error(errno(e)),
        }
    }

    fn fallocate(
        &self,
        _req: &Request,
        _ino: INodeNo,
        fh: FileHandle,
        offset: u64,
        length: u64,
        mode: i32,
        reply: ReplyEmpty,
    ) {
        let keep_size = mode & FALLOC_FL_KEEP_SIZE != 0;
        let how = match mode & !FALLOC_FL_KEEP_SIZE {
            0 => Fallocate::Allocate { keep_size },
            FALLOC_FL_PUNCH_HOLE if keep_size => Fallocate::PunchHole,
            FALLOC_FL_ZERO_RANGE => Fallocate::ZeroRange { keep_size },
            // Collapse and insert range, unshare, or a hole punch without
            // KEEP_SIZE (which Linux refuses too).
            _ => {
                reply.error(Errno::EOPNOTSUPP);
                return;
            }
        };
        let mut tree = live!(self, reply);
        match tree.fallocate(fh.0, offset, length, how) {
            Ok(()) => reply.ok(),
            Err(e) => reply.error(errno(e)),
        }
    }
}
