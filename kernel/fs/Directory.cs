using Sticky.Mm;

namespace Sticky.Fs
{
    // A directory: its entries are its children, each an inode that knows its
    // own name. Slots of removed entries stay empty and are reused, so an
    // entry's slot index never changes while it exists: getdents64 resumes at
    // a slot index, and removing entries behind a reader moves nothing.
    public sealed unsafe class Directory : Inode
    {
        private Inode[] _slots = new Inode[4];
        private int _count;

        public Directory() { Kind = InodeKind.Directory; }

        public int Count => _count;
        public bool IsEmpty => _count == 0;
        public int SlotCount => _slots.Length;
        public override ulong Size => 4096;

        public Inode Find(byte* name, int length)
        {
            for (int i = 0; i < _slots.Length; i++)
                if (_slots[i] != null && _slots[i].NameEquals(name, length)) return _slots[i];
            return null;
        }

        // The first entry at slot `from` or later, and its slot; null at the end.
        public Inode EntryFrom(int from, out int slot)
        {
            for (slot = from < 0 ? 0 : from; slot < _slots.Length; slot++)
                if (_slots[slot] != null) return _slots[slot];
            return null;
        }

        // Links `child` in under its own Name (which must be new here).
        public void Add(Inode child)
        {
            int free = -1;
            for (int i = 0; i < _slots.Length && free < 0; i++) if (_slots[i] == null) free = i;
            if (free < 0)
            {
                free = _slots.Length;
                var bigger = new Inode[_slots.Length * 2];
                for (int i = 0; i < _slots.Length; i++) bigger[i] = _slots[i];
                ObjectRelease.Release(_slots);
                _slots = bigger;
            }
            _slots[free] = child;
            _count++;
            child.Parent = this;
            child.Linked = true;
        }

        public void Remove(Inode child)
        {
            for (int i = 0; i < _slots.Length; i++)
            {
                if (_slots[i] != child) continue;
                _slots[i] = null;
                _count--;
                child.Parent = null;
                child.Linked = false;
                return;
            }
            throw new System.InvalidOperationException("Directory.Remove: not an entry of this directory");
        }

        // The slot array goes with the directory (RamFs.Free).
        public void ReleaseSlots()
        {
            ObjectRelease.Release(_slots);
            _slots = null;
        }
    }
}
