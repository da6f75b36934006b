using Sticky.Mm;

namespace Sticky.Fs
{
    // A directory: entries of (name, inode). A file may have several names
    // (hard links), so an entry owns its name; a directory has exactly one
    // (its Name and Parent, which getcwd and ".." use). Slots of removed
    // entries stay empty and are reused, so an entry's slot index never
    // changes while it exists: getdents64 resumes at a slot index, and
    // removing entries behind a reader moves nothing.
    public sealed unsafe class Directory : Inode
    {
        private Inode[] _slots = new Inode[4];
        private byte[][] _names = new byte[4][];
        private int _count;

        public Directory() { Kind = InodeKind.Directory; }

        public int Count => _count;
        public bool IsEmpty => _count == 0;
        public int SlotCount => _slots.Length;
        public override ulong Size => 4096;

        public Inode Find(byte* name, int length)
        {
            int slot = SlotOf(name, length);
            return slot < 0 ? null : _slots[slot];
        }

        private int SlotOf(byte* name, int length)
        {
            for (int i = 0; i < _slots.Length; i++)
                if (_slots[i] != null && Equal(_names[i], name, length)) return i;
            return -1;
        }

        private static bool Equal(byte[] a, byte* name, int length)
        {
            if (a.Length != length) return false;
            for (int i = 0; i < length; i++) if (a[i] != name[i]) return false;
            return true;
        }

        // The first entry at slot `from` or later, and its slot; null at the end.
        public Inode EntryFrom(int from, out int slot)
        {
            for (slot = from < 0 ? 0 : from; slot < _slots.Length; slot++)
                if (_slots[slot] != null) return _slots[slot];
            return null;
        }

        public byte[] NameAt(int slot) => _names[slot];

        // Links `child` in under its own Name (which must be new here).
        public void Add(Inode child)
        {
            fixed (byte* n = child.Name) AddNamed(child, n, child.Name.Length);
        }

        // Links `child` in under `name` (new here): a directory's one name, or another name of a file.
        public void AddNamed(Inode child, byte* name, int length)
        {
            int free = -1;
            for (int i = 0; i < _slots.Length && free < 0; i++) if (_slots[i] == null) free = i;
            if (free < 0)
            {
                free = _slots.Length;
                var bigger = new Inode[_slots.Length * 2];
                var biggerNames = new byte[_slots.Length * 2][];
                for (int i = 0; i < _slots.Length; i++) { bigger[i] = _slots[i]; biggerNames[i] = _names[i]; }
                ObjectRelease.Release(_slots);
                ObjectRelease.Release(_names);
                _slots = bigger;
                _names = biggerNames;
            }
            var copy = new byte[length];
            for (int i = 0; i < length; i++) copy[i] = name[i];
            _slots[free] = child;
            _names[free] = copy;
            _count++;
            child.Links++;
            if (child.IsDirectory) child.Parent = this;
        }

        // Removes the entry `name`; its inode loses a link.
        public void RemoveNamed(byte* name, int length)
        {
            int slot = SlotOf(name, length);
            if (slot < 0) throw new System.InvalidOperationException("Directory.RemoveNamed: no such entry");
            RemoveSlot(slot);
        }

        // Removes `child`'s entry (a directory's one name; a file's entry under child.Name).
        public void Remove(Inode child)
        {
            for (int i = 0; i < _slots.Length; i++)
            {
                if (_slots[i] != child) continue;
                if (!child.IsDirectory && child.Name != null)
                    fixed (byte* n = child.Name) if (!Equal(_names[i], n, child.Name.Length)) continue;
                RemoveSlot(i);
                return;
            }
            throw new System.InvalidOperationException("Directory.Remove: not an entry of this directory");
        }

        private void RemoveSlot(int slot)
        {
            Inode child = _slots[slot];
            _slots[slot] = null;
            ObjectRelease.Release(_names[slot]);
            _names[slot] = null;
            _count--;
            child.Links--;
            if (child.IsDirectory) child.Parent = null;
        }

        // The slot array goes with the directory (RamFs.Free).
        public void ReleaseSlots()
        {
            ObjectRelease.Release(_slots);
            ObjectRelease.Release(_names);
            _slots = null;
            _names = null;
        }
    }
}
