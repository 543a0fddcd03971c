//! The allocator the `fleet` binary installs (and the benchmarks, so that they
//! measure what it runs): mimalloc. A build allocates a node per YAML key and
//! checking a large fleet a record per declaration; glibc's malloc was a third
//! of a build.
//!
//! Why not the `mimalloc` crate's `MiMalloc`: it sends every request through
//! mimalloc's aligned entry points, and those fall back to over-allocating
//! (size + alignment - 1, in another size class) whenever the fast path misses,
//! which for most sizes is every time a page runs out: a quarter of a check's
//! allocations went that way. Rust's alignments up to 16 are what plain
//! `mi_malloc` guarantees anyway (as glibc's `malloc` does), so only larger
//! ones take the aligned path here. mimalloc v2 (the `v2` feature) measured a
//! few percent fewer instructions than v3 on the same work. Transparent huge
//! pages are left on (no `no_thp` feature): a first touch of fresh memory is
//! a page fault, and on a virtual machine those faults were a fifth of a
//! `fleet check` of W(10,000) (98 ms median, 73 ms with huge pages) for 25 MB
//! more resident memory (45 -> 70 MB; `--stdout` 61 -> 84 MB, still under the
//! twice-the-output target).

use libmimalloc_sys as mi;
use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

/// mimalloc, asked the cheapest way each request allows. Install with
/// `#[global_allocator] static ALLOCATOR: Mimalloc = Mimalloc;`.
pub struct Mimalloc;

/// The alignment every `mi_malloc` block has (`MI_MAX_ALIGN_SIZE`, the
/// alignment of `max_align_t`).
const PLAIN_ALIGNMENT: usize = 16;

/// Whether a block of `size` bytes from plain `mi_malloc` is aligned enough: a
/// block smaller than the alignment might come from a size class whose blocks
/// are only aligned to their size.
fn plain(align: usize, size: usize) -> bool {
    align <= PLAIN_ALIGNMENT && align <= size
}

// SAFETY: each call is forwarded to mimalloc, which returns blocks of at least
// the requested size aligned as `plain` says (or as asked, through the aligned
// entry points), or null; `mi_free` and `mi_realloc` take any block mimalloc
// returned, however it was asked for.
unsafe impl GlobalAlloc for Mimalloc {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let block = if plain(layout.align(), layout.size()) {
            unsafe { mi::mi_malloc(layout.size()) }
        } else {
            unsafe { mi::mi_malloc_aligned(layout.size(), layout.align()) }
        };
        block.cast()
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let block = if plain(layout.align(), layout.size()) {
            unsafe { mi::mi_zalloc(layout.size()) }
        } else {
            unsafe { mi::mi_zalloc_aligned(layout.size(), layout.align()) }
        };
        block.cast()
    }

    #[inline]
    unsafe fn dealloc(&self, pointer: *mut u8, _layout: Layout) {
        unsafe { mi::mi_free(pointer.cast::<c_void>()) }
    }

    #[inline]
    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let block = if plain(layout.align(), new_size) {
            unsafe { mi::mi_realloc(pointer.cast::<c_void>(), new_size) }
        } else {
            unsafe { mi::mi_realloc_aligned(pointer.cast::<c_void>(), new_size, layout.align()) }
        };
        block.cast()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every size and alignment a Rust program asks for comes back aligned,
    /// survives a write of its whole size, and grows and shrinks in place of
    /// its contents.
    #[test]
    fn blocks_are_aligned_and_keep_their_contents() {
        let allocator = Mimalloc;
        for align in [1, 2, 4, 8, 16, 32, 64, 4096] {
            for size in [1, 3, 8, 15, 16, 24, 100, 1000, 1025, 5000, 70_000] {
                let Ok(layout) = Layout::from_size_align(size.max(align), align) else {
                    continue;
                };
                unsafe {
                    let block = allocator.alloc(layout);
                    assert!(!block.is_null());
                    assert_eq!(block as usize % align, 0, "{layout:?}");
                    block.write_bytes(0xA5, layout.size());
                    let grown = allocator.realloc(block, layout, layout.size() * 3);
                    assert_eq!(grown as usize % align, 0, "{layout:?} grown");
                    assert_eq!(*grown.add(layout.size() - 1), 0xA5);
                    let bigger = Layout::from_size_align(layout.size() * 3, align).unwrap();
                    let shrunk = allocator.realloc(grown, bigger, 1.max(align));
                    assert_eq!(shrunk as usize % align, 0, "{layout:?} shrunk");
                    assert_eq!(*shrunk, 0xA5);
                    allocator.dealloc(
                        shrunk,
                        Layout::from_size_align(1.max(align), align).unwrap(),
                    );
                    let zeroed = allocator.alloc_zeroed(layout);
                    assert_eq!(zeroed as usize % align, 0, "{layout:?} zeroed");
                    assert!((0..layout.size()).all(|at| *zeroed.add(at) == 0));
                    allocator.dealloc(zeroed, layout);
                }
            }
        }
    }
}
