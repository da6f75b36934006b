namespace Sticky.Tests
{
    // The runtime features kernel code relies on, exercised natively.
    public static class RuntimeTests
    {
        public static unsafe void Register()
        {
            SelfTest.Add("runtime_objects_and_virtuals", &ObjectsAndVirtuals);
            SelfTest.Add("runtime_casts", &Casts);
            SelfTest.Add("runtime_statics", &Statics);
        }

        private abstract class Shape { public abstract int Area(); }
        private sealed class Square : Shape { public int Side; public override int Area() => Side * Side; }
        private sealed class Rect : Shape { public int W, H; public override int Area() => W * H; }

        private static string ObjectsAndVirtuals()
        {
            Shape[] shapes = new Shape[] { new Square { Side = 3 }, new Rect { W = 2, H = 5 } };
            int total = 0;
            for (int i = 0; i < shapes.Length; i++) total += shapes[i].Area();
            if (total != 19) return "virtual dispatch gave the wrong total";
            int[] numbers = new int[100];
            for (int i = 0; i < numbers.Length; i++) numbers[i] = i;
            if (numbers[99] != 99 || numbers.Length != 100) return "int array broken";
            return null;
        }

        private static string Casts()
        {
            object o = new Square { Side = 2 };
            if (!(o is Shape)) return "is Shape failed";
            if (o is Rect) return "Square is Rect";
            if ((o as Square).Side != 2) return "as Square failed";
            return null;
        }

        private static int _counter = 41;
        private static string _greeting = "hello";
        private static Square _lazy;

        private static string Statics()
        {
            _counter++;
            if (_counter != 42) return "preinitialised static has the wrong value";
            if (_greeting.Length != 5) return "reference-type static not initialised";
            _lazy = new Square { Side = 7 };
            if (_lazy.Area() != 49) return "static object field lost its value";
            return null;
        }
    }
}
