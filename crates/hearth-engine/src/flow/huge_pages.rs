//! Large arrays on transparent huge pages. The solver reads the prices and arcs of a
//! million-node network at random: with 4 KiB pages nearly every read also misses the address
//! translation cache, with 2 MiB pages far fewer do. Where the system offers huge pages only on
//! request (`madvise`), this requests them; elsewhere it is a plain allocation.

/// A vector of `len` copies of `value`, asked for huge pages before its memory is first touched.
pub(super) fn filled<T: Clone>(len: usize, value: T) -> Vec<T> {
    let mut v = reserved(len);
    v.resize(len, value);
    v
}

/// A vector of `len` values made by `make`, asked for huge pages as [`filled`].
pub(super) fn filled_with<T>(len: usize, make: impl FnMut() -> T) -> Vec<T> {
    let mut v = reserved(len);
    v.extend(std::iter::repeat_with(make).take(len));
    v
}

fn reserved<T>(len: usize) -> Vec<T> {
    let v = Vec::with_capacity(len);
    advise(v.as_ptr() as usize, len * size_of::<T>());
    v
}

#[cfg(target_os = "linux")]
fn advise(address: usize, bytes: usize) {
    /// Arrays smaller than this gain nothing from huge pages.
    const WORTH_IT: usize = 4 << 20;
    const HUGE_PAGE: usize = 2 << 20;
    if bytes < WORTH_IT {
        return;
    }
    let start = address.next_multiple_of(HUGE_PAGE);
    let end = (address + bytes) / HUGE_PAGE * HUGE_PAGE;
    if end > start {
        // SAFETY: the range lies inside an allocation this process owns; the advice changes
        // how it is backed, never its contents. A refusal only leaves 4 KiB pages.
        unsafe {
            libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn advise(_address: usize, _bytes: usize) {}
