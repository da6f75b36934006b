// go_runtime: the Go runtime on stickyos, as an ordinary static Go binary
// (CGO_ENABLED=0). It leans on what the runtime needs from a kernel:
// threads (clone), futexes (its locks and parking), signals (SIGURG
// preemption with tgkill, sigaltstack, a handler for SIGUSR1 through
// os/signal), timers and the netpoller (epoll, a non-blocking pipe),
// mmap for its heap, and files. Each line it prints is compared with the
// same binary's output on Linux (tools/testlib/gotests.py).
package main

import (
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"sync"
	"syscall"
	"time"
)

func fail(format string, args ...interface{}) {
	fmt.Printf("FAIL go_runtime: "+format+"\n", args...)
	os.Exit(1)
}

// Goroutines on several threads, a WaitGroup and a channel.
func goroutines() {
	var wg sync.WaitGroup
	results := make(chan int, 64)
	for i := 0; i < 64; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			time.Sleep(time.Duration(i%4) * time.Millisecond)
			results <- i * i
		}(i)
	}
	wg.Wait()
	close(results)
	sum := 0
	for v := range results {
		sum += v
	}
	fmt.Println("go_runtime: 64 goroutines, sum of squares", sum)
}

// A goroutine spinning without calls can only be stopped by the runtime's
// asynchronous preemption: SIGURG sent with tgkill, handled on the
// goroutine's thread. With one P, main runs again only if that works.
var spin uint64

func preemption() {
	old := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(old)
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			for i := 0; i < 1<<30; i++ {
				spin++
			}
		}
	}()
	runtime.Gosched()
	time.Sleep(20 * time.Millisecond)
	close(stop)
	fmt.Println("go_runtime: a spinning goroutine was preempted")
}

// os/signal: a signal sent to the process reaches a channel.
func signals() {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGUSR1)
	defer signal.Stop(ch)
	if err := syscall.Kill(os.Getpid(), syscall.SIGUSR1); err != nil {
		fail("kill: %v", err)
	}
	select {
	case s := <-ch:
		fmt.Println("go_runtime: got", s)
	case <-time.After(5 * time.Second):
		fail("SIGUSR1 never arrived")
	}
}

// Timers, select with a timeout, a ticker.
func timers() {
	start := time.Now()
	t := time.NewTicker(2 * time.Millisecond)
	ticks := 0
	for ticks < 5 {
		<-t.C
		ticks++
	}
	t.Stop()
	select {
	case <-make(chan int):
		fail("a nil send arrived")
	case <-time.After(10 * time.Millisecond):
	}
	if el := time.Since(start); el < 15*time.Millisecond || el > 10*time.Second {
		fail("timers took %v", el)
	}
	fmt.Println("go_runtime: 5 ticks and a select timeout")
}

// Files, and a pipe read through the netpoller.
func files() {
	path := "/tmp/go_runtime.txt"
	if err := os.WriteFile(path, []byte("written by go\n"), 0o644); err != nil {
		fail("write: %v", err)
	}
	b, err := os.ReadFile(path)
	if err != nil || string(b) != "written by go\n" {
		fail("read back %q, %v", b, err)
	}
	os.Remove(path)
	r, w, err := os.Pipe()
	if err != nil {
		fail("pipe: %v", err)
	}
	go func() {
		time.Sleep(5 * time.Millisecond)
		w.Write([]byte("through the poller"))
		w.Close()
	}()
	r.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 64)
	n, err := r.Read(buf)
	if err != nil {
		fail("pipe read: %v", err)
	}
	r.Close()
	fmt.Printf("go_runtime: file read back, pipe said %q\n", buf[:n])
}

// The garbage collector on many threads, with the heap grown and freed.
func collector() {
	var keep [][]byte
	for i := 0; i < 2000; i++ {
		b := make([]byte, 16<<10)
		b[0] = byte(i)
		if i%10 == 0 {
			keep = append(keep, b)
		}
	}
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	if m.NumGC == 0 || len(keep) != 200 {
		fail("no collection (%d) or lost slices (%d)", m.NumGC, len(keep))
	}
	fmt.Println("go_runtime: garbage collected, 200 slices kept")
}

func main() {
	goroutines()
	preemption()
	signals()
	timers()
	files()
	collector()
	fmt.Println("PASS go_runtime")
}
