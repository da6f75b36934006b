using Sticky.Mm;

namespace Sticky.Tests
{
    // C# `new` on the real kernel heap, with explicit frees.
    public static unsafe class HeapTests
    {
        public static void Register()
        {
            SelfTest.Add("heap_churn_100k_objects_stays_bounded", &Churn);
        }

        private sealed class Small { public long A, B; }
        private sealed class Medium { public long A, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P; }

        // 100 000 objects of mixed sizes (two classes and arrays up to 12 KiB),
        // with at most 256 alive at once: the pages held must not grow with the
        // number of allocations, and must come back when everything is freed.
        private static string Churn()
        {
            long pagesBefore = KernelHeap.PagesHeld, bytesBefore = KernelHeap.BytesInUse;
            const int Live = 256;
            object[] slots = new object[Live];
            long peak = 0;
            uint seed = 12345;
            for (int i = 0; i < 100000; i++)
            {
                seed = seed * 1103515245 + 12345;
                int k = (int)((seed >> 8) % Live);
                if (slots[k] != null) KernelHeap.Free(slots[k]);
                switch ((seed >> 20) % 4)
                {
                    case 0: slots[k] = new Small { A = i }; break;
                    case 1: slots[k] = new Medium { P = i }; break;
                    case 2: slots[k] = new byte[(int)((seed >> 4) % 12000)]; break;
                    default: slots[k] = new int[(int)((seed >> 6) % 200)]; break;
                }
                if (KernelHeap.PagesHeld > peak) peak = KernelHeap.PagesHeld;
            }
            for (int k = 0; k < Live; k++) { KernelHeap.Free(slots[k]); slots[k] = null; }
            KernelHeap.Free(slots);
            if (peak - pagesBefore > Live * 4) return "heap grew with the number of allocations";
            if (KernelHeap.BytesInUse != bytesBefore) return "bytes in use did not return to the baseline";
            if (KernelHeap.PagesHeld - pagesBefore > SlabHeap<KernelPages>.ClassCount) return "pages were not returned";
            return null;
        }
    }
}
