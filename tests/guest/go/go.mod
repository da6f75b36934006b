module stickyos/go_runtime

go 1.19
