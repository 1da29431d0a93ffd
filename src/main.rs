//! The `docket` binary: see `docket --help`.

fn main() -> docket::Exit {
    tune_allocator();
    docket::run()
}

/// Fixes glibc's mmap threshold at its initial 128 KiB.
///
/// By default glibc raises the threshold each time a large block is freed,
/// so the per-block column buffers of a parallel load end up on the heap,
/// fragment it, and are copied on every growth: on a 1M-case export the
/// peak resident memory was twice the loaded data (800 MB against 400 MB
/// with the threshold fixed) and joining blocks three times slower.
/// Blocks above the threshold are mapped, grow by remapping and go back
/// to the system when freed.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[expect(
    unsafe_code,
    reason = "mallopt is a C call; with malloc_trim in cli/setup.rs, docket's only unsafe blocks"
)]
fn tune_allocator() {
    // SAFETY: `mallopt` only sets an allocator parameter; it is called
    // before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_allocator() {}
