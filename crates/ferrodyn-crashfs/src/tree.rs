//! The whole filesystem as crashfs keeps it: inodes, directories, open
//! handles, and what power loss leaves of them. Nothing here knows FUSE; the
//! adapter in `fuse.rs` translates kernel requests into these calls.
//!
//! # What is durable
//!
//! Every inode has a current state (what every read sees) and a durable state
//! (what power loss leaves):
//!
//! ```text
//!   regular file   data: current pages | durable pages   (pages.rs)
//!                  fsync or fdatasync of the file: durable := current
//!
//!   directory      entries: current name -> inode | durable name -> inode
//!                  DirModel::Posix:   fsync of the directory: durable := current
//!                  DirModel::Ordered: any fsync, of any file or directory,
//!                                     commits every directory's entries
//! ```
//!
//! [`Tree::crash`] (or an armed power loss, [`Tree::arm`], as the chosen
//! fsync arrives) throws every current state away: each file's data becomes
//! its durable data (a file never synced becomes empty), each directory's
//! entries become its durable entries, and the inodes no longer reachable
//! from the root through durable entries are gone. Open handles die with the
//! power: any later use of one fails (the adapter answers `EIO`).
//!
//! `Posix` is the contract `fsync(2)` documents: syncing a file does not make
//! its name durable; syncing the directory that holds the name does. It is
//! stricter than any journaling filesystem, where a rename or a create is
//! committed, in order, with the next journal commit that any fsync forces;
//! `Ordered` models that. Neither models torn writes (an unsynced write that
//! half survives), reordering of unsynced writes, or a failing fsync: unsynced
//! data is lost whole, like LazyFS's "clear-cache" fault.
//!
//! Attributes (mode, owner, times) are not versioned: they survive power
//! loss as they were. File sizes are part of the data and are versioned.
//!
//! # Inode lifetime
//!
//! An inode lives while anything can still reach it: a current entry
//! (`links`), a durable entry (`durable_links`, so that an unlinked file can
//! come back after power loss until its directory is synced), a kernel
//! reference (`lookups`) or an open handle (`open`). Inode numbers and handle
//! numbers are never reused, so a stale number can never name a new file.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::ffi::{OsStr, OsString};
use std::time::SystemTime;

use crate::pages::{FileData, TooLarge};

/// An inode number.
pub type Ino = u64;

/// The root directory's inode number (FUSE's fixed `FUSE_ROOT_ID`).
pub const ROOT_INO: Ino = 1;

/// The control file's inode number.
pub const CONTROL_INO: Ino = 2;

/// The control file's name in the root directory. It is not listed by
/// readdir, cannot be created, removed or renamed, and survives power loss.
pub const CONTROL_NAME: &str = ".crashfs-control";

/// The first inode number handed to a created file or directory.
const FIRST_FREE_INO: Ino = 3;

/// The longest name a directory entry may have (Linux's `NAME_MAX`).
pub const NAME_BYTES_MAX: usize = 255;

/// When a directory's entries become durable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirModel {
    /// At an fsync of that directory (the contract `fsync(2)` documents).
    Posix,
    /// At any fsync, of any file or directory (a journaling filesystem
    /// whose metadata commits in order, like ext4's default mode).
    Ordered,
}

/// Why an operation failed; the adapter maps each to an errno.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error {
    /// No such inode or entry (`ENOENT`).
    NotFound,
    /// The name is taken (`EEXIST`).
    Exists,
    /// A directory was needed (`ENOTDIR`).
    NotDir,
    /// A directory was not allowed (`EISDIR`).
    IsDir,
    /// The directory has entries (`ENOTEMPTY`).
    NotEmpty,
    /// An argument makes no sense, such as moving a directory into itself
    /// (`EINVAL`).
    Invalid,
    /// The size is past [`crate::pages::FILE_SIZE_BYTES_MAX`] (`EFBIG`).
    TooLarge,
    /// The name is longer than [`NAME_BYTES_MAX`] (`ENAMETOOLONG`).
    NameTooLong,
    /// The operation is not supported (`EOPNOTSUPP`).
    Unsupported,
    /// The operation is not permitted on this inode (`EPERM`).
    NotPermitted,
    /// The handle was opened before a power loss, or never existed (`EIO`).
    DeadHandle,
    /// The power is off: an armed power loss fired and nobody has switched
    /// the power back on yet (`EIO`).
    PowerOff,
}

impl From<TooLarge> for Error {
    fn from(_: TooLarge) -> Error {
        Error::TooLarge
    }
}

/// Result of a tree operation.
pub type Result<T> = std::result::Result<T, Error>;

/// A file's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A regular file.
    File,
    /// A directory.
    Dir,
}

/// What `stat` shows of an inode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attr {
    /// Inode number.
    pub ino: Ino,
    /// File or directory.
    pub kind: Kind,
    /// Size in bytes (current version).
    pub size: u64,
    /// Allocated 512-byte blocks.
    pub blocks: u64,
    /// Permission bits.
    pub perm: u16,
    /// Number of names (for a directory: 2 plus its subdirectories).
    pub nlink: u32,
    /// Owner.
    pub uid: u32,
    /// Group.
    pub gid: u32,
    /// Last access.
    pub atime: SystemTime,
    /// Last data change.
    pub mtime: SystemTime,
    /// Last attribute change.
    pub ctime: SystemTime,
}

/// How `fallocate` changes a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fallocate {
    /// Reserve space; with `keep_size` false, grow the file to cover the range.
    Allocate {
        /// `FALLOC_FL_KEEP_SIZE`.
        keep_size: bool,
    },
    /// `FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE`: zero the range.
    PunchHole,
    /// `FALLOC_FL_ZERO_RANGE`: zero the range; without `keep_size`, grow
    /// the file to cover it.
    ZeroRange {
        /// `FALLOC_FL_KEEP_SIZE`.
        keep_size: bool,
    },
}

/// New attribute values for `setattr`; `None` leaves one unchanged.
#[derive(Debug, Clone, Copy, Default)]
pub struct SetAttr {
    /// Permission bits.
    pub perm: Option<u16>,
    /// Owner.
    pub uid: Option<u32>,
    /// Group.
    pub gid: Option<u32>,
    /// Size (truncate); only for regular files.
    pub size: Option<u64>,
    /// Access time.
    pub atime: Option<SystemTime>,
    /// Modification time.
    pub mtime: Option<SystemTime>,
}

/// One directory entry as readdir lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirEntry {
    /// The inode it names.
    pub ino: Ino,
    /// Its type.
    pub kind: Kind,
    /// Its name.
    pub name: OsString,
}

/// What one power loss threw away.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CrashReport {
    /// Files whose data or length had unsynced changes.
    pub files_reverted: u64,
    /// Unsynced pages dropped, over all files.
    pub pages_lost: u64,
    /// Directories whose entries had unsynced changes.
    pub dirs_reverted: u64,
    /// Inodes no longer reachable through durable entries.
    pub inodes_dropped: u64,
    /// Open handles that died.
    pub handles_closed: u64,
}

/// Counters shown by reading the control file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Power losses so far.
    pub crashes: u64,
    /// fsync/fdatasync calls on regular files.
    pub file_syncs: u64,
    /// fsync calls on directories.
    pub dir_syncs: u64,
    /// fsync calls answered without making anything durable (see
    /// [`Tree::set_fsync_honoured`]).
    pub ignored_syncs: u64,
    /// What the last power loss threw away.
    pub last_crash: CrashReport,
}

#[derive(Debug)]
struct Dir {
    entries: BTreeMap<OsString, Ino>,
    durable: BTreeMap<OsString, Ino>,
    /// The directory holding this one's current entry (itself for the root).
    parent: Ino,
}

#[derive(Debug)]
enum Body {
    File(FileData),
    Dir(Dir),
}

#[derive(Debug)]
struct Inode {
    body: Body,
    perm: u16,
    uid: u32,
    gid: u32,
    atime: SystemTime,
    mtime: SystemTime,
    ctime: SystemTime,
    links: u32,
    durable_links: u32,
    lookups: u64,
    open: u32,
}

impl Inode {
    fn new(body: Body, perm: u16, uid: u32, gid: u32) -> Inode {
        let now = SystemTime::now();
        Inode {
            body,
            perm,
            uid,
            gid,
            atime: now,
            mtime: now,
            ctime: now,
            links: 0,
            durable_links: 0,
            lookups: 0,
            open: 0,
        }
    }

    fn kind(&self) -> Kind {
        match self.body {
            Body::File(_) => Kind::File,
            Body::Dir(_) => Kind::Dir,
        }
    }

    fn unreferenced(&self) -> bool {
        self.links == 0 && self.durable_links == 0 && self.lookups == 0 && self.open == 0
    }
}

#[derive(Debug)]
struct Handle {
    ino: Ino,
    /// A snapshot taken at open, so that reading in several calls neither
    /// skips nor repeats anything while the source changes: a directory's
    /// entries, or the control file's text.
    snapshot: Snapshot,
}

#[derive(Debug)]
enum Snapshot {
    None,
    Listing(Vec<DirEntry>),
    Status(String),
}

/// The filesystem.
#[derive(Debug)]
pub struct Tree {
    inodes: HashMap<Ino, Inode>,
    handles: HashMap<u64, Handle>,
    next_ino: Ino,
    next_handle: u64,
    model: DirModel,
    honour_fsync: bool,
    /// Fsyncs left before an armed power loss fires (see [`Tree::arm`]).
    armed: Option<u64>,
    powered: bool,
    stats: Stats,
}

impl Tree {
    /// An empty filesystem whose root belongs to `uid`/`gid`.
    pub fn new(model: DirModel, uid: u32, gid: u32) -> Tree {
        let root = Dir {
            entries: BTreeMap::new(),
            durable: BTreeMap::new(),
            parent: ROOT_INO,
        };
        let mut inode = Inode::new(Body::Dir(root), 0o755, uid, gid);
        // The root is always reachable: the mount names it.
        inode.links = 1;
        inode.durable_links = 1;
        Tree {
            inodes: HashMap::from([(ROOT_INO, inode)]),
            handles: HashMap::new(),
            next_ino: FIRST_FREE_INO,
            next_handle: 1,
            model,
            honour_fsync: true,
            armed: None,
            powered: true,
            stats: Stats::default(),
        }
    }

    /// With `false`, fsync succeeds and makes nothing durable: a disk that
    /// acknowledges cache flushes it does not do. Tests use it to show that
    /// their checks notice lost acknowledged writes.
    pub fn set_fsync_honoured(&mut self, honour: bool) {
        self.honour_fsync = honour;
    }

    /// Arms a power loss at the `fsyncs`-th fsync from now (of a file or a
    /// directory; 1 is the next one). It fires when that fsync arrives and
    /// before it takes effect, so the data it was to make durable is lost;
    /// the fsync fails (`EIO`) and the power stays off, every operation
    /// failing, until [`Tree::power_on`]: the process that was writing sees
    /// its disk vanish mid-write, as it would if it outlived the machine.
    pub fn arm(&mut self, fsyncs: u64) {
        self.armed = Some(fsyncs.max(1));
    }

    /// Whether the power is on.
    pub fn powered(&self) -> bool {
        self.powered
    }

    /// Switches the power back on after an armed power loss; disarms.
    pub fn power_on(&mut self) {
        self.powered = true;
        self.armed = None;
    }

    /// The counters the control file shows.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// Number of live inodes (for the control file and tests).
    pub fn inode_count(&self) -> usize {
        self.inodes.len()
    }

    /// Files with unsynced data and their unsynced pages.
    pub fn unsynced(&self) -> (usize, usize) {
        self.inodes
            .values()
            .fold((0, 0), |(files, pages), inode| match &inode.body {
                Body::File(data) if data.has_unsynced() => {
                    (files + 1, pages + data.unsynced_pages())
                }
                _ => (files, pages),
            })
    }

    fn inode(&self, ino: Ino) -> Result<&Inode> {
        self.inodes.get(&ino).ok_or(Error::NotFound)
    }

    fn inode_mut(&mut self, ino: Ino) -> Result<&mut Inode> {
        self.inodes.get_mut(&ino).ok_or(Error::NotFound)
    }

    fn dir(&self, ino: Ino) -> Result<&Dir> {
        match &self.inode(ino)?.body {
            Body::Dir(dir) => Ok(dir),
            Body::File(_) => Err(Error::NotDir),
        }
    }

    fn dir_mut(&mut self, ino: Ino) -> Result<&mut Dir> {
        match &mut self.inode_mut(ino)?.body {
            Body::Dir(dir) => Ok(dir),
            Body::File(_) => Err(Error::NotDir),
        }
    }

    fn file_mut(&mut self, ino: Ino) -> Result<&mut FileData> {
        match &mut self.inode_mut(ino)?.body {
            Body::File(data) => Ok(data),
            Body::Dir(_) => Err(Error::IsDir),
        }
    }

    /// The attributes of an inode.
    pub fn attr(&self, ino: Ino) -> Result<Attr> {
        if ino == CONTROL_INO {
            let root = self.inode(ROOT_INO)?;
            return Ok(Attr {
                ino,
                kind: Kind::File,
                size: 0,
                blocks: 0,
                perm: 0o600,
                nlink: 1,
                uid: root.uid,
                gid: root.gid,
                atime: root.ctime,
                mtime: root.ctime,
                ctime: root.ctime,
            });
        }
        let inode = self.inode(ino)?;
        let (size, blocks, nlink) = match &inode.body {
            Body::File(data) => (data.len(), data.blocks(), inode.links),
            Body::Dir(dir) => {
                let subdirs = dir
                    .entries
                    .values()
                    .filter(|child| {
                        matches!(self.inodes.get(child).map(Inode::kind), Some(Kind::Dir))
                    })
                    .count();
                (4096, 8, 2 + subdirs as u32)
            }
        };
        Ok(Attr {
            ino,
            kind: inode.kind(),
            size,
            blocks,
            perm: inode.perm,
            nlink,
            uid: inode.uid,
            gid: inode.gid,
            atime: inode.atime,
            mtime: inode.mtime,
            ctime: inode.ctime,
        })
    }

    fn check_name(parent: Ino, name: &OsStr) -> Result<()> {
        if name.len() > NAME_BYTES_MAX {
            return Err(Error::NameTooLong);
        }
        if name.is_empty() || name == "." || name == ".." {
            return Err(Error::Invalid);
        }
        if parent == ROOT_INO && name == CONTROL_NAME {
            return Err(Error::NotPermitted);
        }
        Ok(())
    }

    /// Resolves `name` in `parent` and counts a kernel reference to it.
    pub fn lookup(&mut self, parent: Ino, name: &OsStr) -> Result<Attr> {
        if parent == ROOT_INO && name == CONTROL_NAME {
            // The control file has no lifetime to track.
            return self.attr(CONTROL_INO);
        }
        let ino = *self.dir(parent)?.entries.get(name).ok_or(Error::NotFound)?;
        self.inode_mut(ino)?.lookups += 1;
        self.attr(ino)
    }

    /// The kernel dropped `count` references to `ino`.
    pub fn forget(&mut self, ino: Ino, count: u64) {
        if let Some(inode) = self.inodes.get_mut(&ino) {
            inode.lookups = inode.lookups.saturating_sub(count);
            self.free_if_unreferenced(ino);
        }
    }

    fn add_node(
        &mut self,
        parent: Ino,
        name: &OsStr,
        body: Body,
        perm: u16,
        uid: u32,
        gid: u32,
    ) -> Result<Ino> {
        Self::check_name(parent, name)?;
        if self.dir(parent)?.entries.contains_key(name) {
            return Err(Error::Exists);
        }
        let ino = self.next_ino;
        self.next_ino += 1;
        self.dir_mut(parent)?.entries.insert(name.to_owned(), ino);
        let mut inode = Inode::new(body, perm, uid, gid);
        inode.links = 1;
        // The reply to mkdir/create counts as a lookup.
        inode.lookups = 1;
        self.inodes.insert(ino, inode);
        self.touch(parent);
        Ok(ino)
    }

    /// Records a change of an inode's contents (a file's data, a
    /// directory's entries) in its times.
    fn touch(&mut self, ino: Ino) {
        if let Some(inode) = self.inodes.get_mut(&ino) {
            let now = SystemTime::now();
            inode.mtime = now;
            inode.ctime = now;
        }
    }

    /// mkdir.
    pub fn mkdir(
        &mut self,
        parent: Ino,
        name: &OsStr,
        perm: u16,
        uid: u32,
        gid: u32,
    ) -> Result<Attr> {
        let dir = Dir {
            entries: BTreeMap::new(),
            durable: BTreeMap::new(),
            parent,
        };
        let ino = self.add_node(parent, name, Body::Dir(dir), perm, uid, gid)?;
        self.attr(ino)
    }

    /// Creates a regular file (mknod, or the create half of open(O_CREAT)).
    pub fn mknod(
        &mut self,
        parent: Ino,
        name: &OsStr,
        perm: u16,
        uid: u32,
        gid: u32,
    ) -> Result<Attr> {
        let ino = self.add_node(
            parent,
            name,
            Body::File(FileData::default()),
            perm,
            uid,
            gid,
        )?;
        self.attr(ino)
    }

    /// Creates a regular file and opens it.
    pub fn create(
        &mut self,
        parent: Ino,
        name: &OsStr,
        perm: u16,
        uid: u32,
        gid: u32,
    ) -> Result<(Attr, u64)> {
        let attr = self.mknod(parent, name, perm, uid, gid)?;
        let handle = self.open(attr.ino)?;
        Ok((attr, handle))
    }

    /// Removes a file's name.
    pub fn unlink(&mut self, parent: Ino, name: &OsStr) -> Result<()> {
        Self::check_name(parent, name)?;
        let ino = *self.dir(parent)?.entries.get(name).ok_or(Error::NotFound)?;
        if self.inode(ino)?.kind() == Kind::Dir {
            return Err(Error::IsDir);
        }
        self.dir_mut(parent)?.entries.remove(name);
        self.drop_link(ino);
        self.touch(parent);
        Ok(())
    }

    /// Removes an empty directory.
    pub fn rmdir(&mut self, parent: Ino, name: &OsStr) -> Result<()> {
        Self::check_name(parent, name)?;
        let ino = *self.dir(parent)?.entries.get(name).ok_or(Error::NotFound)?;
        if !self.dir(ino)?.entries.is_empty() {
            return Err(Error::NotEmpty);
        }
        self.dir_mut(parent)?.entries.remove(name);
        self.drop_link(ino);
        self.touch(parent);
        Ok(())
    }

    fn drop_link(&mut self, ino: Ino) {
        if let Some(inode) = self.inodes.get_mut(&ino) {
            inode.links = inode.links.saturating_sub(1);
            inode.ctime = SystemTime::now();
            self.free_if_unreferenced(ino);
        }
    }

    /// Whether `ino` is `ancestor` or lies below it (through current entries).
    fn is_within(&self, mut ino: Ino, ancestor: Ino) -> bool {
        // Parent links form a tree rooted at the root, so this ends; the
        // bound guards against a cycle that only a bug could create.
        for _ in 0..=self.inodes.len() {
            if ino == ancestor {
                return true;
            }
            match self.dir(ino) {
                Ok(dir) if dir.parent != ino => ino = dir.parent,
                _ => return false,
            }
        }
        false
    }

    /// rename, replacing the target unless `noreplace`.
    pub fn rename(
        &mut self,
        parent: Ino,
        name: &OsStr,
        new_parent: Ino,
        new_name: &OsStr,
        noreplace: bool,
    ) -> Result<()> {
        Self::check_name(parent, name)?;
        Self::check_name(new_parent, new_name)?;
        let ino = *self.dir(parent)?.entries.get(name).ok_or(Error::NotFound)?;
        let target = self.dir(new_parent)?.entries.get(new_name).copied();
        let moving_dir = self.inode(ino)?.kind() == Kind::Dir;
        if moving_dir && self.is_within(new_parent, ino) {
            return Err(Error::Invalid);
        }
        if let Some(target) = target {
            if noreplace {
                return Err(Error::Exists);
            }
            if target == ino {
                // Two names of one file: rename does nothing (POSIX).
                return Ok(());
            }
            match (moving_dir, self.inode(target)?.kind()) {
                (true, Kind::File) => return Err(Error::NotDir),
                (false, Kind::Dir) => return Err(Error::IsDir),
                (true, Kind::Dir) if !self.dir(target)?.entries.is_empty() => {
                    return Err(Error::NotEmpty);
                }
                _ => {}
            }
        }
        self.dir_mut(parent)?.entries.remove(name);
        self.dir_mut(new_parent)?
            .entries
            .insert(new_name.to_owned(), ino);
        if moving_dir {
            self.dir_mut(ino)?.parent = new_parent;
        }
        if let Some(target) = target {
            self.drop_link(target);
        }
        self.touch(parent);
        self.touch(new_parent);
        Ok(())
    }

    /// A second name for a regular file.
    pub fn link(&mut self, ino: Ino, new_parent: Ino, new_name: &OsStr) -> Result<Attr> {
        Self::check_name(new_parent, new_name)?;
        if self.inode(ino)?.kind() == Kind::Dir {
            return Err(Error::NotPermitted);
        }
        let dir = self.dir_mut(new_parent)?;
        if dir.entries.contains_key(new_name) {
            return Err(Error::Exists);
        }
        dir.entries.insert(new_name.to_owned(), ino);
        let inode = self.inode_mut(ino)?;
        inode.links += 1;
        inode.lookups += 1;
        inode.ctime = SystemTime::now();
        self.touch(new_parent);
        self.attr(ino)
    }

    /// Opens an inode (file, directory or the control file) and returns a
    /// handle number.
    pub fn open(&mut self, ino: Ino) -> Result<u64> {
        let snapshot = if ino == CONTROL_INO {
            Snapshot::Status(self.status())
        } else {
            let inode = self.inode_mut(ino)?;
            inode.open += 1;
            match inode.kind() {
                Kind::Dir => Snapshot::Listing(self.list(ino)?),
                Kind::File => Snapshot::None,
            }
        };
        let handle = self.next_handle;
        self.next_handle += 1;
        self.handles.insert(handle, Handle { ino, snapshot });
        Ok(handle)
    }

    /// Closes a handle. A handle that died at a power loss is already gone.
    pub fn release(&mut self, handle: u64) {
        if let Some(Handle { ino, .. }) = self.handles.remove(&handle)
            && let Some(inode) = self.inodes.get_mut(&ino)
        {
            inode.open = inode.open.saturating_sub(1);
            self.free_if_unreferenced(ino);
        }
    }

    /// The inode a live handle refers to.
    pub fn handle_ino(&self, handle: u64) -> Result<Ino> {
        self.handles
            .get(&handle)
            .map(|h| h.ino)
            .ok_or(Error::DeadHandle)
    }

    fn list(&self, ino: Ino) -> Result<Vec<DirEntry>> {
        let dir = self.dir(ino)?;
        let mut out = vec![
            DirEntry {
                ino,
                kind: Kind::Dir,
                name: ".".into(),
            },
            DirEntry {
                ino: dir.parent,
                kind: Kind::Dir,
                name: "..".into(),
            },
        ];
        for (name, &child) in &dir.entries {
            let kind = self.inode(child)?.kind();
            out.push(DirEntry {
                ino: child,
                kind,
                name: name.clone(),
            });
        }
        Ok(out)
    }

    /// The entries of an open directory from position `offset` on, as of
    /// its opendir.
    pub fn readdir(&self, handle: u64, offset: usize) -> Result<&[DirEntry]> {
        match &self.handles.get(&handle).ok_or(Error::DeadHandle)?.snapshot {
            Snapshot::Listing(listing) => Ok(listing.get(offset..).unwrap_or_default()),
            _ => Err(Error::NotDir),
        }
    }

    /// Up to `size` bytes from `offset` of the control file's text, as of
    /// the open of `handle`.
    pub fn read_status(&self, handle: u64, offset: u64, size: usize) -> Result<&[u8]> {
        match &self.handles.get(&handle).ok_or(Error::DeadHandle)?.snapshot {
            Snapshot::Status(text) => {
                let text = text.as_bytes();
                let start = usize::try_from(offset)
                    .unwrap_or(usize::MAX)
                    .min(text.len());
                let end = start.saturating_add(size).min(text.len());
                Ok(&text[start..end])
            }
            _ => Err(Error::Invalid),
        }
    }

    /// Reads from an open file.
    pub fn read(&mut self, handle: u64, offset: u64, size: usize) -> Result<Vec<u8>> {
        let ino = self.handle_ino(handle)?;
        let inode = self.inode_mut(ino)?;
        inode.atime = SystemTime::now();
        match &inode.body {
            Body::File(data) => Ok(data.read(offset, size)),
            Body::Dir(_) => Err(Error::IsDir),
        }
    }

    /// Writes to an open file.
    pub fn write(&mut self, handle: u64, offset: u64, bytes: &[u8]) -> Result<()> {
        let ino = self.handle_ino(handle)?;
        self.file_mut(ino)?.write(offset, bytes)?;
        self.touch(ino);
        Ok(())
    }

    /// fallocate on an open file.
    pub fn fallocate(&mut self, handle: u64, offset: u64, len: u64, mode: Fallocate) -> Result<()> {
        let ino = self.handle_ino(handle)?;
        let data = self.file_mut(ino)?;
        let end = offset.checked_add(len).ok_or(Error::TooLarge)?;
        match mode {
            Fallocate::Allocate { keep_size } => {
                if !keep_size && end > data.len() {
                    data.set_len(end)?;
                }
            }
            Fallocate::PunchHole => data.zero_range(offset, len),
            Fallocate::ZeroRange { keep_size } => {
                data.zero_range(offset, len);
                if !keep_size && end > data.len() {
                    data.set_len(end)?;
                }
            }
        }
        self.touch(ino);
        Ok(())
    }

    /// chmod, chown, truncate, utimes.
    pub fn setattr(&mut self, ino: Ino, set: SetAttr) -> Result<Attr> {
        if ino == CONTROL_INO {
            // `open(O_TRUNC)` of the control file truncates it: nothing to do.
            return self.attr(ino);
        }
        if let Some(size) = set.size {
            self.file_mut(ino)?.set_len(size)?;
            self.touch(ino);
        }
        let inode = self.inode_mut(ino)?;
        let now = SystemTime::now();
        if let Some(perm) = set.perm {
            inode.perm = perm & 0o7777;
        }
        if let Some(uid) = set.uid {
            inode.uid = uid;
        }
        if let Some(gid) = set.gid {
            inode.gid = gid;
        }
        if let Some(atime) = set.atime {
            inode.atime = atime;
        }
        if let Some(mtime) = set.mtime {
            inode.mtime = mtime;
        }
        inode.ctime = now;
        self.attr(ino)
    }

    /// fsync or fdatasync of an inode: a file's data becomes durable; a
    /// directory's entries become durable. Under [`DirModel::Ordered`]
    /// every directory's entries become durable as well. Fails with
    /// [`Error::PowerOff`] if the power is off or this is the fsync an armed
    /// power loss waited for; does nothing if fsync is not honoured.
    pub fn fsync(&mut self, ino: Ino) -> Result<()> {
        if ino == CONTROL_INO {
            return Ok(());
        }
        if !self.powered {
            return Err(Error::PowerOff);
        }
        match self.armed {
            Some(1) => {
                self.armed = None;
                self.crash();
                self.powered = false;
                return Err(Error::PowerOff);
            }
            Some(n) => self.armed = Some(n - 1),
            None => {}
        }
        if !self.honour_fsync {
            self.inode(ino)?;
            self.stats.ignored_syncs += 1;
            return Ok(());
        }
        match &mut self.inode_mut(ino)?.body {
            Body::File(data) => {
                data.sync();
                self.stats.file_syncs += 1;
            }
            Body::Dir(_) => {
                self.stats.dir_syncs += 1;
                self.sync_dir(ino)?;
            }
        }
        if self.model == DirModel::Ordered {
            let dirs: Vec<Ino> = self
                .inodes
                .iter()
                .filter(|(_, inode)| inode.kind() == Kind::Dir)
                .map(|(&ino, _)| ino)
                .collect();
            for dir in dirs {
                self.sync_dir(dir)?;
            }
        }
        Ok(())
    }

    fn sync_dir(&mut self, ino: Ino) -> Result<()> {
        let dir = self.dir_mut(ino)?;
        if dir.durable == dir.entries {
            return Ok(());
        }
        let old = std::mem::replace(&mut dir.durable, dir.entries.clone());
        let new: Vec<Ino> = dir.durable.values().copied().collect();
        for child in new {
            if let Some(inode) = self.inodes.get_mut(&child) {
                inode.durable_links += 1;
            }
        }
        for child in old.into_values() {
            if let Some(inode) = self.inodes.get_mut(&child) {
                inode.durable_links = inode.durable_links.saturating_sub(1);
                self.free_if_unreferenced(child);
            }
        }
        Ok(())
    }

    /// Frees `ino` if nothing references it, then whatever only it kept
    /// alive (the entries of a freed directory).
    fn free_if_unreferenced(&mut self, ino: Ino) {
        let mut queue = VecDeque::from([ino]);
        while let Some(ino) = queue.pop_front() {
            if ino == ROOT_INO || !self.inodes.get(&ino).is_some_and(Inode::unreferenced) {
                continue;
            }
            let Some(inode) = self.inodes.remove(&ino) else {
                continue;
            };
            if let Body::Dir(dir) = inode.body {
                for child in dir.durable.into_values() {
                    if let Some(c) = self.inodes.get_mut(&child) {
                        c.durable_links = c.durable_links.saturating_sub(1);
                        queue.push_back(child);
                    }
                }
                for child in dir.entries.into_values() {
                    if let Some(c) = self.inodes.get_mut(&child) {
                        c.links = c.links.saturating_sub(1);
                        queue.push_back(child);
                    }
                }
            }
        }
    }

    /// Power loss: everything not durable is gone (see the module docs).
    pub fn crash(&mut self) -> CrashReport {
        // The control file's handles survive: the test that cut the power
        // holds one.
        let before = self.handles.len();
        self.handles.retain(|_, handle| handle.ino == CONTROL_INO);
        let mut report = CrashReport {
            handles_closed: (before - self.handles.len()) as u64,
            ..CrashReport::default()
        };
        for inode in self.inodes.values_mut() {
            match &mut inode.body {
                Body::File(data) => {
                    let lost = data.revert();
                    if lost.pages > 0 || lost.length {
                        report.files_reverted += 1;
                        report.pages_lost += lost.pages as u64;
                    }
                }
                Body::Dir(dir) => {
                    if dir.entries != dir.durable {
                        report.dirs_reverted += 1;
                        dir.entries = dir.durable.clone();
                    }
                }
            }
            inode.links = 0;
            inode.durable_links = 0;
            inode.open = 0;
        }
        // Walk the durable tree from the root: what it reaches survives,
        // with one link per entry naming it.
        let mut reached = HashMap::from([(ROOT_INO, ROOT_INO)]);
        let mut queue = VecDeque::from([ROOT_INO]);
        let mut links: HashMap<Ino, u32> = HashMap::from([(ROOT_INO, 1)]);
        while let Some(ino) = queue.pop_front() {
            let Ok(dir) = self.dir(ino) else { continue };
            for &child in dir.entries.values() {
                *links.entry(child).or_insert(0) += 1;
                if let std::collections::hash_map::Entry::Vacant(slot) = reached.entry(child) {
                    slot.insert(ino);
                    queue.push_back(child);
                }
            }
        }
        let before = self.inodes.len();
        self.inodes.retain(|ino, _| reached.contains_key(ino));
        report.inodes_dropped = (before - self.inodes.len()) as u64;
        for (&ino, inode) in &mut self.inodes {
            let count = links.get(&ino).copied().unwrap_or(0);
            inode.links = count;
            inode.durable_links = count;
            if let Body::Dir(dir) = &mut inode.body {
                dir.parent = reached.get(&ino).copied().unwrap_or(ROOT_INO);
            }
        }
        self.stats.crashes += 1;
        self.stats.last_crash = report;
        report
    }

    /// The control file's text: counters, one `name value` per line.
    pub fn status(&self) -> String {
        let (files, pages) = self.unsynced();
        let s = self.stats;
        let c = s.last_crash;
        format!(
            "crashes {}\npowered {}\narmed {}\nfile_syncs {}\ndir_syncs {}\nignored_syncs {}\nhonour_fsync {}\ninodes {}\nunsynced_files {}\nunsynced_pages {}\n\
             last_crash_files_reverted {}\nlast_crash_pages_lost {}\nlast_crash_dirs_reverted {}\n\
             last_crash_inodes_dropped {}\nlast_crash_handles_closed {}\n",
            s.crashes,
            u8::from(self.powered),
            self.armed.unwrap_or(0),
            s.file_syncs,
            s.dir_syncs,
            s.ignored_syncs,
            u8::from(self.honour_fsync),
            self.inodes.len(),
            files,
            pages,
            c.files_reverted,
            c.pages_lost,
            c.dirs_reverted,
            c.inodes_dropped,
            c.handles_closed,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(model: DirModel) -> Tree {
        Tree::new(model, 0, 0)
    }

    fn name(s: &str) -> &OsStr {
        OsStr::new(s)
    }

    /// Creates `name` in `parent` with `bytes`, optionally syncing the file.
    fn file(t: &mut Tree, parent: Ino, n: &str, bytes: &[u8], sync: bool) -> Ino {
        let (attr, h) = t.create(parent, name(n), 0o644, 0, 0).expect("create");
        t.write(h, 0, bytes).expect("write");
        if sync {
            t.fsync(attr.ino).expect("fsync");
        }
        t.release(h);
        attr.ino
    }

    fn contents(t: &mut Tree, parent: Ino, n: &str) -> Option<Vec<u8>> {
        let attr = t.lookup(parent, name(n)).ok()?;
        let h = t.open(attr.ino).expect("open");
        let bytes = t.read(h, 0, 1 << 20).expect("read");
        t.release(h);
        Some(bytes)
    }

    fn names(t: &mut Tree, dir: Ino) -> Vec<String> {
        let h = t.open(dir).expect("opendir");
        let out = t
            .readdir(h, 2)
            .expect("readdir")
            .iter()
            .map(|e| e.name.to_string_lossy().into_owned())
            .collect();
        t.release(h);
        out
    }

    #[test]
    fn file_data_needs_a_file_sync_and_the_name_a_dir_sync() {
        let mut t = tree(DirModel::Posix);
        file(&mut t, ROOT_INO, "synced", b"kept", true);
        file(&mut t, ROOT_INO, "unsynced", b"lost", false);
        t.fsync(ROOT_INO).expect("fsync dir");
        file(&mut t, ROOT_INO, "name-not-synced", b"data synced", true);
        let report = t.crash();
        assert_eq!(
            contents(&mut t, ROOT_INO, "synced").as_deref(),
            Some(&b"kept"[..])
        );
        assert_eq!(
            contents(&mut t, ROOT_INO, "unsynced").as_deref(),
            Some(&b""[..])
        );
        assert_eq!(contents(&mut t, ROOT_INO, "name-not-synced"), None);
        assert_eq!(names(&mut t, ROOT_INO), ["synced", "unsynced"]);
        assert_eq!(report.files_reverted, 1);
        assert_eq!(report.dirs_reverted, 1);
        assert_eq!(report.inodes_dropped, 1);
    }

    #[test]
    fn ordered_model_commits_names_with_any_fsync() {
        let mut t = tree(DirModel::Ordered);
        let d = t
            .mkdir(ROOT_INO, name("d"), 0o755, 0, 0)
            .expect("mkdir")
            .ino;
        file(&mut t, d, "a", b"first", false);
        file(&mut t, d, "b", b"second", true);
        t.crash();
        assert_eq!(names(&mut t, d), ["a", "b"]);
        assert_eq!(contents(&mut t, d, "a").as_deref(), Some(&b""[..]));
        assert_eq!(contents(&mut t, d, "b").as_deref(), Some(&b"second"[..]));
    }

    #[test]
    fn an_unsynced_rename_is_undone_and_a_synced_one_kept() {
        let mut t = tree(DirModel::Posix);
        file(&mut t, ROOT_INO, "CURRENT", b"MANIFEST-1", true);
        file(&mut t, ROOT_INO, "CURRENT.tmp", b"MANIFEST-2", true);
        t.fsync(ROOT_INO).expect("fsync dir");
        t.rename(
            ROOT_INO,
            name("CURRENT.tmp"),
            ROOT_INO,
            name("CURRENT"),
            false,
        )
        .expect("rename");
        assert_eq!(
            contents(&mut t, ROOT_INO, "CURRENT").as_deref(),
            Some(&b"MANIFEST-2"[..])
        );
        t.crash();
        assert_eq!(
            contents(&mut t, ROOT_INO, "CURRENT").as_deref(),
            Some(&b"MANIFEST-1"[..])
        );
        assert_eq!(names(&mut t, ROOT_INO), ["CURRENT", "CURRENT.tmp"]);

        t.rename(
            ROOT_INO,
            name("CURRENT.tmp"),
            ROOT_INO,
            name("CURRENT"),
            false,
        )
        .expect("rename");
        t.fsync(ROOT_INO).expect("fsync dir");
        t.crash();
        assert_eq!(
            contents(&mut t, ROOT_INO, "CURRENT").as_deref(),
            Some(&b"MANIFEST-2"[..])
        );
        assert_eq!(names(&mut t, ROOT_INO), ["CURRENT"]);
    }

    #[test]
    fn an_unlinked_file_comes_back_until_its_directory_is_synced() {
        let mut t = tree(DirModel::Posix);
        let ino = file(&mut t, ROOT_INO, "old.log", b"replayed", true);
        t.fsync(ROOT_INO).expect("fsync dir");
        t.forget(ino, 1);
        t.unlink(ROOT_INO, name("old.log")).expect("unlink");
        assert_eq!(t.inode_count(), 2, "kept for a crash to bring back");
        t.crash();
        assert_eq!(
            contents(&mut t, ROOT_INO, "old.log").as_deref(),
            Some(&b"replayed"[..])
        );

        t.unlink(ROOT_INO, name("old.log")).expect("unlink");
        t.forget(ino, 1);
        t.fsync(ROOT_INO).expect("fsync dir");
        assert_eq!(t.inode_count(), 1, "freed once no durable entry names it");
        t.crash();
        assert_eq!(contents(&mut t, ROOT_INO, "old.log"), None);
    }

    #[test]
    fn a_directory_whose_name_was_never_synced_is_lost_with_its_files() {
        let mut t = tree(DirModel::Posix);
        let d = t
            .mkdir(ROOT_INO, name("data"), 0o755, 0, 0)
            .expect("mkdir")
            .ino;
        file(&mut t, d, "000001.log", b"acknowledged", true);
        t.fsync(d).expect("fsync data dir");
        let report = t.crash();
        assert_eq!(report.inodes_dropped, 2);
        assert!(t.lookup(ROOT_INO, name("data")).is_err());

        let d = t
            .mkdir(ROOT_INO, name("data"), 0o755, 0, 0)
            .expect("mkdir")
            .ino;
        t.fsync(ROOT_INO).expect("fsync root");
        file(&mut t, d, "000001.log", b"acknowledged", true);
        t.fsync(d).expect("fsync data dir");
        t.crash();
        let d = t.lookup(ROOT_INO, name("data")).expect("data survives").ino;
        assert_eq!(
            contents(&mut t, d, "000001.log").as_deref(),
            Some(&b"acknowledged"[..])
        );
    }

    #[test]
    fn handles_die_at_power_loss() {
        let mut t = tree(DirModel::Posix);
        let (attr, h) = t.create(ROOT_INO, name("f"), 0o644, 0, 0).expect("create");
        t.fsync(ROOT_INO).expect("fsync dir");
        t.write(h, 0, b"before").expect("write");
        t.fsync(attr.ino).expect("fsync");
        let report = t.crash();
        assert_eq!(report.handles_closed, 1);
        assert_eq!(t.write(h, 0, b"after"), Err(Error::DeadHandle));
        assert_eq!(t.read(h, 0, 10), Err(Error::DeadHandle));
        t.release(h);
        assert_eq!(
            contents(&mut t, ROOT_INO, "f").as_deref(),
            Some(&b"before"[..])
        );
    }

    #[test]
    fn unsynced_truncate_and_fallocate_are_undone() {
        let mut t = tree(DirModel::Posix);
        let (attr, h) = t
            .create(ROOT_INO, name("wal"), 0o644, 0, 0)
            .expect("create");
        t.write(h, 0, &[9; 10_000]).expect("write");
        t.fsync(attr.ino).expect("fsync");
        t.fsync(ROOT_INO).expect("fsync dir");
        t.setattr(
            attr.ino,
            SetAttr {
                size: Some(5),
                ..SetAttr::default()
            },
        )
        .expect("truncate");
        t.fallocate(h, 0, 1 << 20, Fallocate::Allocate { keep_size: false })
            .expect("fallocate");
        assert_eq!(t.attr(attr.ino).expect("attr").size, 1 << 20);
        t.crash();
        assert_eq!(t.attr(attr.ino).expect("attr").size, 10_000);
    }

    #[test]
    fn rename_rules() {
        let mut t = tree(DirModel::Posix);
        let a = t
            .mkdir(ROOT_INO, name("a"), 0o755, 0, 0)
            .expect("mkdir")
            .ino;
        let b = t.mkdir(a, name("b"), 0o755, 0, 0).expect("mkdir").ino;
        file(&mut t, ROOT_INO, "f", b"", false);
        assert_eq!(
            t.rename(ROOT_INO, name("a"), b, name("a"), false),
            Err(Error::Invalid)
        );
        assert_eq!(
            t.rename(ROOT_INO, name("f"), ROOT_INO, name("a"), false),
            Err(Error::IsDir)
        );
        assert_eq!(
            t.rename(ROOT_INO, name("a"), ROOT_INO, name("f"), false),
            Err(Error::NotDir)
        );
        assert_eq!(
            t.rename(ROOT_INO, name("f"), a, name("b"), true),
            Err(Error::Exists)
        );
        assert_eq!(t.rmdir(ROOT_INO, name("a")), Err(Error::NotEmpty));
        t.rename(a, name("b"), ROOT_INO, name("b2"), false)
            .expect("move up");
        assert_eq!(t.attr(b).expect("attr").ino, b);
        t.rmdir(ROOT_INO, name("a")).expect("now empty");
        assert_eq!(
            t.mknod(ROOT_INO, name(CONTROL_NAME), 0o644, 0, 0),
            Err(Error::NotPermitted)
        );
        assert_eq!(
            t.lookup(ROOT_INO, name(CONTROL_NAME)).expect("control").ino,
            CONTROL_INO
        );
        assert_eq!(names(&mut t, ROOT_INO), ["b2", "f"]);
    }

    #[test]
    fn an_ignored_fsync_makes_nothing_durable() {
        let mut t = tree(DirModel::Posix);
        file(&mut t, ROOT_INO, "f", b"synced", true);
        t.fsync(ROOT_INO).expect("fsync dir");
        t.set_fsync_honoured(false);
        let ino = t.lookup(ROOT_INO, name("f")).expect("lookup").ino;
        let h = t.open(ino).expect("open");
        t.write(h, 0, b"SYNCED").expect("write");
        t.fsync(ino).expect("an ignored fsync still succeeds");
        t.crash();
        assert_eq!(
            contents(&mut t, ROOT_INO, "f").as_deref(),
            Some(&b"synced"[..])
        );
        assert_eq!(t.stats().ignored_syncs, 1);
    }

    #[test]
    fn an_armed_power_loss_fires_at_the_chosen_fsync_before_it_takes_effect() {
        let mut t = tree(DirModel::Posix);
        let (attr, h) = t
            .create(ROOT_INO, name("wal"), 0o644, 0, 0)
            .expect("create");
        t.fsync(ROOT_INO).expect("fsync dir");
        t.arm(2);
        t.write(h, 0, b"first").expect("write");
        t.fsync(attr.ino).expect("the first fsync works");
        t.write(h, 5, b" second").expect("write");
        assert_eq!(t.fsync(attr.ino), Err(Error::PowerOff));
        assert!(!t.powered());
        assert_eq!(t.fsync(ROOT_INO), Err(Error::PowerOff));
        assert_eq!(t.stats().crashes, 1);
        t.power_on();
        assert_eq!(
            contents(&mut t, ROOT_INO, "wal").as_deref(),
            Some(&b"first"[..])
        );
    }

    #[test]
    fn the_control_text_is_a_snapshot_of_open() {
        let mut t = tree(DirModel::Posix);
        let h = t.open(CONTROL_INO).expect("open control");
        let whole = t.read_status(h, 0, 1 << 16).expect("read").to_vec();
        file(&mut t, ROOT_INO, "f", b"x", true);
        t.crash();
        assert_eq!(
            t.read_status(h, 0, 1 << 16).expect("read after a crash"),
            &whole[..]
        );
        assert_eq!(t.read_status(h, 7, 3).expect("read"), &whole[7..10]);
        assert!(
            t.read_status(h, u64::MAX, 3)
                .expect("read past the end")
                .is_empty()
        );
        t.release(h);
        assert_eq!(t.read_status(h, 0, 1), Err(Error::DeadHandle));
    }

    #[test]
    fn a_listing_is_a_snapshot_of_opendir() {
        let mut t = tree(DirModel::Posix);
        file(&mut t, ROOT_INO, "a", b"", false);
        let h = t.open(ROOT_INO).expect("opendir");
        file(&mut t, ROOT_INO, "b", b"", false);
        let listed: Vec<_> = t
            .readdir(h, 0)
            .expect("readdir")
            .iter()
            .map(|e| e.name.clone())
            .collect();
        assert_eq!(listed, [".", "..", "a"]);
        assert!(t.readdir(h, 3).expect("past the end").is_empty());
    }
}
