using System;
using System.Text;
using Sticky;
using Sticky.Fs;
using Sticky.Mm;
using Sticky.Tests.Mm;
using Xunit;

namespace Sticky.Tests.Fs;

// The pure file-system logic: path walks, the tree's changes, RAM-file data,
// the initramfs tree. The kernel adds only locking and user copies (KernelVfs.cs).
public unsafe class VfsTests : MemoryTest
{
    private readonly FileSystem _image, _tmp;
    private readonly Directory _root, _tmpDir, _bin;

    public VfsTests()
    {
        _image = new FileSystem(1, true, M.Frames);
        _tmp = new FileSystem(2, false, M.Frames);
        _root = _image.Adopt(new Directory(), 0x1ED);
        _bin = Namespace.Attach(_root, "bin", new Directory(), _image, 0x1ED);
        Namespace.Attach(_bin, "busybox", new ImageFile(), _image, 0x1ED);
        _tmpDir = Namespace.Attach(_root, "tmp", new Directory(), _tmp, 0x3FF);
    }

    private int Walk(string path, out WalkResult r, bool follow = true, Directory start = null)
    {
        byte[] b = Encoding.ASCII.GetBytes(path);
        // The result points into the path: keep it alive for the test (pinned array held by the caller).
        fixed (byte* p = b) return PathWalk.Walk(_root, start ?? _root, p, b.Length, follow, out r);
    }

    private Inode Resolve(string path, Directory start = null)
    {
        Assert.Equal(0, Walk(path, out WalkResult r, true, start));
        return r.Target;
    }

    private static string NameOf(Inode i) => Encoding.ASCII.GetString(i.Name);

    private Symlink Link(Directory dir, string name, string target)
    {
        byte[] t = Encoding.ASCII.GetBytes(target);
        byte* copy = (byte*)System.Runtime.InteropServices.NativeMemory.Alloc((nuint)t.Length);
        for (int i = 0; i < t.Length; i++) copy[i] = t[i];
        return Namespace.Attach(dir, name, new Symlink { Target = copy, TargetLength = t.Length }, _image, 0x1FF);
    }

    private RamFile Create(Directory dir, string name)
    {
        byte[] n = Encoding.ASCII.GetBytes(name);
        fixed (byte* p = n) Assert.Equal(0, Namespace.CreateFile(dir, p, n.Length, 0x1A4, out RamFile f));
        return dir.Find(Bytes(name), name.Length) as RamFile;
    }

    private static byte* Bytes(string s)
    {
        byte* p = (byte*)System.Runtime.InteropServices.NativeMemory.Alloc((nuint)Math.Max(1, s.Length));
        for (int i = 0; i < s.Length; i++) p[i] = (byte)s[i];
        return p;
    }

    [Fact]
    public void Walk_AbsoluteRelativeDotsAndSlashes()
    {
        Assert.Same(_root, Resolve("/"));
        Assert.Same(_root, Resolve("//"));
        Assert.Same(_bin, Resolve("/bin"));
        Assert.Same(_bin, Resolve("/bin/"));
        Assert.Same(_bin, Resolve("bin//./"));
        Assert.Same(_root, Resolve("/.."));
        Assert.Same(_root, Resolve("/bin/.."));
        Assert.Same(_bin, Resolve("../bin", _tmpDir));
        Assert.Equal("busybox", NameOf(Resolve("/tmp/../bin/busybox")));
    }

    [Fact]
    public void Walk_Errors_AsLinux()
    {
        Assert.Equal(-Errno.ENOENT, Walk("", out _));
        Assert.Equal(-Errno.ENOENT, Walk("/nope/x", out _));
        Assert.Equal(-Errno.ENOTDIR, Walk("/bin/busybox/x", out _));
        Assert.Equal(-Errno.ENOTDIR, Walk("/bin/busybox/", out _));
        Assert.Equal(-Errno.ENAMETOOLONG, Walk("/" + new string('a', 256), out _));
        Assert.Equal(0, Walk("/" + new string('a', 255), out WalkResult r));   // NAME_MAX itself is fine: absent
        Assert.Null(r.Target);
    }

    [Fact]
    public void Walk_MissingLastComponent_GivesParentAndName()
    {
        Assert.Equal(0, Walk("/tmp/new", out WalkResult r));
        Assert.Null(r.Target);
        Assert.Same(_tmpDir, r.Parent);
        Assert.Equal("new", Encoding.ASCII.GetString(r.Name, r.NameLength));
        Assert.Equal(0, Walk("/tmp/.", out r));
        Assert.Same(_tmpDir, r.Target);
        Assert.Null(r.Parent);   // "." names no entry: mkdir says EEXIST, rmdir EINVAL
        Assert.True(r.NameIsDots);
    }

    [Fact]
    public void Walk_Symlinks_FollowedInTheMiddle_AndAtTheEndUnlessAsked()
    {
        Link(_root, "sbin", "bin");
        Link(_bin, "sh", "busybox");
        Link(_root, "abs", "/bin/sh");
        Assert.Equal("busybox", NameOf(Resolve("/sbin/sh")));
        Assert.Equal("busybox", NameOf(Resolve("/abs")));
        Assert.Equal(0, Walk("/abs", out WalkResult r, follow: false));
        Assert.IsType<Symlink>(r.Target);
        Assert.Same(_bin, Resolve("/sbin/"));   // a trailing slash follows the last link too
    }

    [Fact]
    public void Walk_SymlinkLoops_AreELOOP()
    {
        Link(_root, "a", "b");
        Link(_root, "b", "a");
        Assert.Equal(-Errno.ELOOP, Walk("/a", out _));
        Assert.Equal(-Errno.ELOOP, Walk("/a/x", out _));
        Assert.Equal(0, Walk("/a", out _, follow: false));
    }

    [Fact]
    public void Create_Unlink_CountsInodes_AndFreesData()
    {
        int before = _tmp.InodeCount;
        RamFile f = Create(_tmpDir, "f");
        Assert.Equal(before + 1, _tmp.InodeCount);
        byte* data = stackalloc byte[10];
        Assert.Equal(10, FileData.Write(M.Ram, f, 4090, data, 10));   // crosses a page boundary: two frames
        ulong free = M.Frames.FreeFrames;
        Namespace.Use(f);                                              // an open file keeps it alive
        Assert.Equal(0, Namespace.Unlink(_tmpDir, f));
        Assert.Equal(before + 1, _tmp.InodeCount);
        Assert.Equal(free, M.Frames.FreeFrames);
        Namespace.Put(f);
        Assert.Equal(before, _tmp.InodeCount);
        Assert.Equal(free + 2, M.Frames.FreeFrames);
    }

    [Fact]
    public void HardLinks_CountNames_AndTheLastUnlinkFrees()
    {
        int before = _tmp.InodeCount;
        RamFile f = Create(_tmpDir, "f");
        Assert.Equal(0, Namespace.Link(_tmpDir, Bytes("g"), 1, f));
        Assert.Equal(2, f.Links);
        Assert.Same(f, _tmpDir.Find(Bytes("g"), 1));
        Assert.Equal(-Errno.EEXIST, Namespace.Link(_tmpDir, Bytes("g"), 1, f));
        Assert.Equal(-Errno.EPERM, Namespace.Link(_tmpDir, Bytes("h"), 1, _tmpDir));
        Assert.Equal(-Errno.EXDEV, Namespace.Link(_root, Bytes("h"), 1, f));
        Assert.Equal(0, Namespace.Unlink(_tmpDir, f, Bytes("f"), 1));
        Assert.Equal(1, f.Links);
        Assert.Equal(before + 1, _tmp.InodeCount);                     // still named g
        Assert.Null(_tmpDir.Find(Bytes("f"), 1));
        Assert.Equal(0, Namespace.Unlink(_tmpDir, f, Bytes("g"), 1));
        Assert.Equal(before, _tmp.InodeCount);
    }

    [Fact]
    public void ReadOnlyFileSystem_IsEROFS()
    {
        byte* n = Bytes("x");
        Assert.Equal(-Errno.EROFS, Namespace.CreateFile(_bin, n, 1, 0x1A4, out _));
        Assert.Equal(-Errno.EROFS, Namespace.MakeDirectory(_root, n, 1, 0x1ED, out _));
        Assert.Equal(-Errno.EROFS, Namespace.Unlink(_bin, Resolve("/bin/busybox")));
        Assert.Equal(-Errno.EISDIR, Namespace.Unlink(_root, _bin));
    }

    [Fact]
    public void RemoveDirectory_Errors()
    {
        byte* d = Bytes("d");
        Assert.Equal(0, Namespace.MakeDirectory(_tmpDir, d, 1, 0x1ED, out Directory dir));
        Create(dir, "inside");
        Assert.Equal(-Errno.ENOTEMPTY, Namespace.RemoveDirectory(_tmpDir, dir));
        Assert.Equal(-Errno.ENOTDIR, Namespace.RemoveDirectory(dir, dir.Find(Bytes("inside"), 6)));
        Assert.Equal(-Errno.EBUSY, Namespace.RemoveDirectory(_root, _tmpDir));   // a mount point
        Assert.Equal(0, Namespace.Unlink(dir, dir.Find(Bytes("inside"), 6)));
        Assert.Equal(0, Namespace.RemoveDirectory(_tmpDir, dir));
        Assert.Equal(0, _tmpDir.Count);
    }

    [Fact]
    public void Rename_MovesReplacesAndRefuses_AsLinux()
    {
        RamFile a = Create(_tmpDir, "a");
        RamFile b = Create(_tmpDir, "b");
        byte* d = Bytes("d");
        Assert.Equal(0, Namespace.MakeDirectory(_tmpDir, d, 1, 0x1ED, out Directory dir));
        Assert.Equal(-Errno.EEXIST, Namespace.Rename(_tmpDir, a, _tmpDir, Bytes("b"), 1, b, Namespace.RenameNoReplace));
        Assert.Equal(-Errno.EISDIR, Namespace.Rename(_tmpDir, a, _tmpDir, d, 1, dir, 0));
        Assert.Equal(-Errno.ENOTDIR, Namespace.Rename(_tmpDir, dir, _tmpDir, Bytes("a"), 1, a, 0));
        Assert.Equal(-Errno.EINVAL, Namespace.Rename(_tmpDir, dir, dir, Bytes("x"), 1, null, 0));   // into itself
        Assert.Equal(-Errno.EXDEV, Namespace.Rename(_tmpDir, a, _root, Bytes("a"), 1, null, 0));
        Assert.Equal(-Errno.EBUSY, Namespace.Rename(_root, _tmpDir, _root, Bytes("t"), 1, null, 0));
        int inodes = _tmp.InodeCount;
        Assert.Equal(0, Namespace.Rename(_tmpDir, a, _tmpDir, Bytes("b"), 1, b, 0));   // replaces b, which goes
        Assert.Equal(inodes - 1, _tmp.InodeCount);
        Assert.Equal("b", NameOf(a));
        Assert.Same(a, Resolve("/tmp/b"));
        Assert.Equal(0, Namespace.Rename(_tmpDir, a, dir, Bytes("moved"), 5, null, 0));
        Assert.Same(a, Resolve("/tmp/d/moved"));
        Assert.Null(_tmpDir.Find(Bytes("b"), 1));   // a file's names live in the directories
    }

    [Fact]
    public void FileData_ReadsWhatWasWritten_HolesAreZero_TruncateZeroesTheTail()
    {
        RamFile f = Create(_tmpDir, "data");
        byte* buf = stackalloc byte[8192];
        for (int i = 0; i < 100; i++) buf[i] = (byte)(i + 1);
        Assert.Equal(100, FileData.Write(M.Ram, f, 10000, buf, 100));   // pages 0 and 1 stay holes
        Assert.Equal(10100ul, f.Length);
        Assert.Equal(1ul, CommittedPages(f));
        Assert.Equal(8192, FileData.Read(M.Ram, f, 0, buf, 8192));
        for (int i = 0; i < 8192; i++) Assert.Equal(0, buf[i]);
        Assert.Equal(100, FileData.Read(M.Ram, f, 10000, buf, 8192));   // short at the end of the file
        Assert.Equal(50, buf[49]);
        Assert.Equal(0, FileData.Read(M.Ram, f, 20000, buf, 10));

        Assert.Equal(0, FileData.Truncate(M.Ram, f, 10010));
        Assert.Equal(0, FileData.Truncate(M.Ram, f, 10100));   // grows again: the cut bytes read as zero
        Assert.Equal(100, FileData.Read(M.Ram, f, 10000, buf, 100));
        Assert.Equal(10, buf[9]);
        Assert.Equal(0, buf[10]);
        Assert.Equal(0, FileData.Truncate(M.Ram, f, 0));
        Assert.Equal(0ul, CommittedPages(f));
        Assert.Equal(-Errno.EFBIG, FileData.Write(M.Ram, f, FileData.MaxSize, buf, 1));
        Assert.Equal(-Errno.EFBIG, FileData.Truncate(M.Ram, f, FileData.MaxSize + 1));
        Namespace.Unlink(_tmpDir, f);
    }

    [Fact]
    public void FileData_OutOfFrames_IsShortThenENOSPC()
    {
        RamFile f = Create(_tmpDir, "big");
        byte* buf = stackalloc byte[4096];
        Assert.True(FileData.EnsurePages(f, 16 * 4096));   // the page array comes from the heap, not frames
        var held = new System.Collections.Generic.List<FrameNumber>();
        while (M.Frames.FreeFrames > 2 && M.Frames.TryAllocate(out FrameNumber fr)) held.Add(fr);
        int written = 0;
        for (int i = 0; i < 16; i++)
        {
            int r = FileData.Write(M.Ram, f, (ulong)i * 4096, buf, 4096);
            if (r < 0) { Assert.Equal(-Errno.ENOSPC, r); break; }
            written += r;
        }
        Assert.Equal((ulong)written, f.Length);
        Assert.True(written < 16 * 4096);
        foreach (var fr in held) M.Frames.Free(fr);
        Namespace.Unlink(_tmpDir, f);
    }

    [Fact]
    public void NearTheHeapReserve_NoNewInodesOrPageArrays()
    {
        RamFile f = Create(_tmpDir, "small");
        byte* buf = stackalloc byte[16];
        Assert.Equal(16, FileData.Write(M.Ram, f, 0, buf, 16));
        var held = new System.Collections.Generic.List<FrameNumber>();
        while (M.Frames.FreeFrames > M.Frames.ReserveFloor + FileSystem.HeapMargin && M.Frames.TryAllocate(out FrameNumber fr)) held.Add(fr);
        Assert.False(_tmp.HasRoom);
        byte* n = Bytes("new");
        Assert.Equal(-Errno.ENOSPC, Namespace.CreateFile(_tmpDir, n, 3, 0x1A4, out _));
        Assert.Equal(-Errno.ENOSPC, Namespace.MakeDirectory(_tmpDir, n, 3, 0x1ED, out _));
        Assert.Equal(-Errno.ENOSPC, FileData.Write(M.Ram, f, 1 << 20, buf, 16));   // needs a bigger page array
        Assert.Equal(16, FileData.Write(M.Ram, f, 0, buf, 16));                    // its committed page: fine
        foreach (var fr in held) M.Frames.Free(fr);
        Assert.True(_tmp.HasRoom);
        Namespace.Unlink(_tmpDir, f);
    }

    private static ulong CommittedPages(RamFile f)
    {
        ulong n = 0;
        for (ulong p = 0; f.Data != null && p < f.Data.PageCount; p++) if (!f.Data.FrameOf(p).IsNone) n++;
        return n;
    }

    [Fact]
    public void InitramfsTree_BuildsDirectoriesFilesAndSymlinks()
    {
        byte[] a = new CpioWriter()
            .Dir(".").File("init", "I", 0x81ED).File("bin/busybox", "BB", 0x81ED)
            .Add("bin/sh", Encoding.ASCII.GetBytes("busybox"), 0xA1FF).Dir("etc").File("./etc/motd", "hi", 0x8180)
            .Add("dev/null", Array.Empty<byte>(), 0x21B6)   // a device node: left out
            .Trailer().Build();
        fixed (byte* p = a)
        {
            var fs = new FileSystem(1, true, M.Frames);
            Directory root = InitramfsTree.Build(p, (ulong)a.Length, fs);
            Assert.Equal(4, root.Count);   // init, bin, etc, dev (made for dev/null's path)
            byte[] path = Encoding.ASCII.GetBytes("/bin/sh");
            fixed (byte* q = path)
            {
                Assert.Equal(0, PathWalk.Walk(root, root, q, path.Length, true, out WalkResult r));
                var bb = Assert.IsType<ImageFile>(r.Target);
                Assert.Equal("BB", Encoding.ASCII.GetString(bb.Data, (int)bb.Length));
                Assert.Equal(0x81EDu, bb.Mode);
                Assert.Equal(0, PathWalk.Walk(root, root, q, path.Length, false, out r));
                Assert.Equal(0xA1FFu, r.Target.Mode);
            }
            byte[] motd = Encoding.ASCII.GetBytes("etc/motd");
            fixed (byte* q = motd)
            {
                Assert.Equal(0, PathWalk.Walk(root, root, q, motd.Length, true, out WalkResult r));
                Assert.Equal(0x8180u, r.Target.Mode);
            }
            byte[] dev = Encoding.ASCII.GetBytes("/dev/null");
            fixed (byte* q = dev)
            {
                Assert.Equal(0, PathWalk.Walk(root, root, q, dev.Length, true, out WalkResult r));
                Assert.Null(r.Target);
            }
        }
    }

    [Fact]
    public void Directory_SlotsStayPut_SoAReaderResumesAfterRemovals()
    {
        RamFile a = Create(_tmpDir, "a"), b = Create(_tmpDir, "b"), c = Create(_tmpDir, "c");
        Assert.Same(a, _tmpDir.EntryFrom(0, out int slot));
        Assert.Same(b, _tmpDir.EntryFrom(slot + 1, out slot));
        Namespace.Unlink(_tmpDir, a);   // behind the reader
        Assert.Same(c, _tmpDir.EntryFrom(slot + 1, out slot));
        Assert.Null(_tmpDir.EntryFrom(slot + 1, out _));
        Namespace.Unlink(_tmpDir, b);
        Namespace.Unlink(_tmpDir, c);
    }
}
