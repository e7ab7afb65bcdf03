# Integration tests: guests under mmusim, compared with qemu-aarch64-static.
