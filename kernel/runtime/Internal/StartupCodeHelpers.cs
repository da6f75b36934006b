using System.Runtime;
using Internal.Runtime;

namespace Internal.Runtime.CompilerHelpers
{
    // Runs once, before any managed static is touched: gives every class with
    // reference-type statics its static-base object, as NativeAOT's own startup does.
    public static unsafe class StartupCodeHelpers
    {
        private const nint Uninitialized = 1;
        private const nint HasPreInitializedData = 2;
        private const nint FlagMask = 3;

        public static void InitializeModules()
        {
            Sticky.Runtime.ImageLayout* image = Sticky.Runtime.KernelImage.Layout;
            for (var m = (ReadyToRunHeader**)image->ModulesStart; m < (ReadyToRunHeader**)image->ModulesEnd; m++)
            {
                ReadyToRunHeader* header = *m;
                if (header == null) continue;
                if (header->Signature != ReadyToRunHeader.ExpectedSignature)
                    Sticky.Runtime.RuntimeFailure.Fail("bad ReadyToRun header signature");
                var rows = (ModuleInfoRow*)(header + 1);
                for (int i = 0; i < header->NumberOfSections; i++)
                    if (rows[i].SectionId == ReadyToRunSection.GCStaticRegion)
                        InitializeStatics((byte*)rows[i].Start, (byte*)rows[i].End);
            }
        }

        // Each region entry is a 32-bit relative pointer to a static base block whose first word
        // holds (MethodTable* | flags) until we replace it with the allocated object.
        private static void InitializeStatics(byte* start, byte* end)
        {
            for (byte* entry = start; entry < end; entry += sizeof(int))
            {
                nint* block = (nint*)ReadRelative32(entry);
                nint blockValue = (nint)ReadRelative32((byte*)block);
                if ((blockValue & Uninitialized) == 0) continue;

                var type = (MethodTable*)(blockValue & ~FlagMask);
                byte* obj = (byte*)Sticky.Runtime.ObjectAllocator.AllocateObject(type);
                if ((blockValue & HasPreInitializedData) != 0)
                {
                    byte* data = ReadRelative32((byte*)block + sizeof(int));
                    Sticky.Runtime.Memory.Copy(obj + sizeof(void*), data, type->BaseSize - 2 * (uint)sizeof(void*));
                }
                *block = (nint)obj;
            }
        }

        private static byte* ReadRelative32(byte* p) => p + *(int*)p;
    }
}
