using System.Text;
using Sticky;
using Sticky.Fs;
using Xunit;

namespace Sticky.Tests.Fs;

// /proc's tree without a kernel: lookups through PathWalk, the lifetime of
// what they make, listings. The processes are a fake: pids 1, 5 (the
// caller, with descriptors 0, 1 and 4) and 7.
public unsafe class ProcTreeTests
{
    private static int[] _pids = { 1, 5, 7 };
    private static readonly int[] Fds = { 0, 1, 4 };
    private readonly FileSystem _image, _proc, _sys;
    private readonly Directory _root, _procDir;
    private readonly int _boot;   // /proc's inodes after Build

    public ProcTreeTests()
    {
        _pids = new[] { 1, 5, 7 };
        _image = new FileSystem(1, true, null);
        _proc = new FileSystem(20, true, null) { Synthetic = true, Type = "proc" };
        _sys = new FileSystem(21, true, null) { Synthetic = true, Type = "sysfs" };
        _root = _image.Adopt(new Directory(), 0x1ED);
        _procDir = Namespace.Attach(_root, "proc", new Directory(), _proc, 0x16D);
        Directory sys = Namespace.Attach(_root, "sys", new Directory(), _sys, 0x16D);
        ProcTree.Build(_procDir, sys, _proc, _sys);
        _boot = _proc.InodeCount;
        ProcTree.Facts = new ProcFacts { CurrentPid = &Current, NextPid = &NextPid, NextFd = &NextFd, Target = &Target, Owner = &Owner };
    }

    private static int Current() => 5;

    private static int NextPid(int from)
    {
        int best = 0;
        foreach (int p in _pids) if (p >= from && (best == 0 || p < best)) best = p;
        return best;
    }

    private static int NextFd(int pid, int from)
    {
        if (pid != 5) return -1;
        foreach (int fd in Fds) if (fd >= from) return fd;
        return -1;
    }

    private static int Target(int pid, ProcNode node, int fd, byte* into)
    {
        string s = node == ProcNode.Exe ? "/bin/prog" : node == ProcNode.Cwd ? "/" : $"pipe:[{fd + 90}]";
        for (int i = 0; i < s.Length; i++) into[i] = (byte)s[i];
        return s.Length;
    }

    private static uint Owner(int pid) => (uint)(pid * 100);

    // One walk, ended as PathAt.End ends it; `use` takes a use of the result first.
    private int Walk(string path, out Inode target, bool follow = true, bool use = false)
    {
        byte[] b = Encoding.ASCII.GetBytes(path);
        int err;
        fixed (byte* p = b)
        {
            err = PathWalk.Walk(_root, _root, p, b.Length, follow, out WalkResult r);
            target = r.Target;
        }
        if (use && target != null) Namespace.Use(target);
        ProcTree.EndWalk();
        return err;
    }

    private static string TargetOf(Inode link)
    {
        var l = (Symlink)link;
        return Encoding.ASCII.GetString(l.Owned, 0, l.TargetLength);
    }

    [Fact]
    public void Self_IsALinkToTheCaller_AndLeadsToItsDirectory()
    {
        Assert.Equal(0, Walk("/proc/self", out Inode self, follow: false, use: true));
        Assert.Equal("5", TargetOf(self));
        Namespace.Put(self);
        Assert.Equal(0, Walk("/proc/self/status", out Inode status, use: true));
        Assert.Equal(ProcNode.Status, status.Node);
        Assert.Equal(5, status.Pid);
        Assert.Equal(0x124u, status.Permissions);
        Assert.Equal(500u, status.Uid);
        Namespace.Put(status);
        Assert.Equal(_boot, _proc.InodeCount);   // only what was made at boot is left
    }

    [Fact]
    public void OnlyLivePids_AndOnlyTheirEntries_Exist()
    {
        Assert.Equal(-Errno.ENOENT, Walk("/proc/6/stat", out _));
        Assert.Equal(0, Walk("/proc/6", out Inode none));
        Assert.Null(none);
        Assert.Equal(0, Walk("/proc/05", out none));   // not a pid's name
        Assert.Null(none);
        Assert.Equal(0, Walk("/proc/7/nothing", out none));
        Assert.Null(none);
        Assert.Equal(0, Walk("/proc/5/fd/2", out none, follow: false));   // not open
        Assert.Null(none);
        Assert.Equal(0, Walk("/proc/5/fd/4", out Inode fd, follow: false, use: true));
        Assert.Equal("pipe:[94]", TargetOf(fd));
        Namespace.Put(fd);
        Assert.Equal(_boot, _proc.InodeCount);
    }

    [Fact]
    public void WhatAWalkMade_GoesWithIt_UnlessUsed_AndAUsedDirectoryKeepsItsParents()
    {
        int before = _proc.InodeCount;
        Assert.Equal(0, Walk("/proc/5/fd", out Inode fd, use: true));
        Assert.Equal(before + 2, _proc.InodeCount);   // fd and the pid directory it holds
        Assert.True(fd.Linked);
        byte* path = stackalloc byte[PathWalk.PathMax];
        int n = PathWalk.PathOf(fd, path, PathWalk.PathMax);
        Assert.Equal("/proc/5/fd", Encoding.ASCII.GetString(path, n));
        // ".." from it is the pid directory it was found in.
        fixed (byte* dots = Encoding.ASCII.GetBytes(".."))
        {
            Assert.Equal(0, PathWalk.Walk(_root, (Directory)fd, dots, 2, true, out WalkResult up));
            Assert.Equal(ProcNode.PidDir, up.Target.Node);
        }
        ProcTree.EndWalk();
        Namespace.Put(fd);
        Assert.Equal(before, _proc.InodeCount);
    }

    [Fact]
    public void ALookup_GivesTheSameInodeNumber_EveryTime()
    {
        Assert.Equal(0, Walk("/proc/7/stat", out Inode a, use: true));
        Assert.Equal(0, Walk("/proc/7/stat", out Inode b, use: true));
        Assert.NotSame(a, b);
        Assert.Equal(a.Ino, b.Ino);
        Assert.Equal(0, Walk("/proc/1/stat", out Inode c, use: true));
        Assert.NotEqual(a.Ino, c.Ino);
        Namespace.Put(a); Namespace.Put(b); Namespace.Put(c);
    }

    private string[] List(Directory dir)
    {
        var names = new System.Collections.Generic.List<string>();
        byte* name = stackalloc byte[ProcTree.NameBytes];
        ulong cookie = ProcTree.DynamicCookie;
        while (ProcTree.Next(dir, cookie, name, out int n, out ulong ino, out InodeKind kind, out ulong next))
        {
            names.Add(Encoding.ASCII.GetString(name, n) + ":" + kind);
            Assert.True(next > cookie);
            cookie = next;
        }
        return names.ToArray();
    }

    [Fact]
    public void Listings_ShowWhatExistsNow()
    {
        Assert.Equal(new[] { "self:Symlink", "1:Directory", "5:Directory", "7:Directory" }, List(_procDir));
        Assert.Equal(0, Walk("/proc/5", out Inode pid, use: true));
        Assert.Equal(new[] { "cmdline:File", "comm:File", "cwd:Symlink", "exe:Symlink", "fd:Directory", "maps:File", "stat:File", "status:File" },
                     List((Directory)pid));
        Assert.Equal(0, Walk("/proc/5/fd", out Inode fd, use: true));
        Assert.Equal(new[] { "0:Symlink", "1:Symlink", "4:Symlink" }, List((Directory)fd));
        // The process goes: its directories stay while used, empty, and nothing more is found in them.
        _pids = new[] { 1, 7 };
        Assert.Empty(List((Directory)fd));
        Assert.Empty(List((Directory)pid));
        Assert.Equal(new[] { "self:Symlink", "1:Directory", "7:Directory" }, List(_procDir));
        fixed (byte* stat = Encoding.ASCII.GetBytes("stat"))
            Assert.Null(ProcTree.Lookup((Directory)pid, stat, 4));
        Namespace.Put(fd);
        Namespace.Put(pid);
        Assert.Equal(_boot, _proc.InodeCount);
    }

    [Fact]
    public void NewNames_AreENOENT_Removals_EPERM()
    {
        Assert.Equal(0, Walk("/proc/5", out Inode pid, use: true));
        var dir = (Directory)pid;
        fixed (byte* x = Encoding.ASCII.GetBytes("x"))
        {
            Assert.Equal(-Errno.ENOENT, Namespace.MakeDirectory(dir, x, 1, 0x1ED, out _));
            Assert.Equal(-Errno.ENOENT, Namespace.CreateFile(_procDir, x, 1, 0x1A4, out _));
        }
        Assert.Equal(0, Walk("/proc/meminfo", out Inode meminfo));
        Assert.Equal(-Errno.EPERM, Namespace.Unlink(_procDir, meminfo));
        Assert.Equal(-Errno.EPERM, Namespace.RemoveDirectory(_procDir, pid));
        Namespace.Put(pid);
    }

    [Fact]
    public void SysHasTheCpuLists()
    {
        Assert.Equal(0, Walk("/sys/devices/system/cpu/online", out Inode online));
        Assert.Equal(ProcNode.CpusOnline, online.Node);
        Assert.IsType<ProcFile>(online);
    }
}
