//! Parallel calls: L2-sized chunks claimed dynamically by the calling thread and
//! by helper tasks on rayon.
//!
//! Waking a sleeping rayon worker costs ~20 µs on a VM, as much as the whole
//! work of a 100K-element call. So a helper, once it has run, stays awake for a
//! short while (`helper_spin_ns` of the calibration) watching a one-job slot: a call
//! that comes soon after publishes its job there and awake helpers join at
//! once, with no wake-up. A helper gives its thread back early when rayon has
//! other work for it. Calls that find the slot taken (another thread's call in
//! flight) use helpers scoped to the call instead, as calls always could.

use std::cell::Cell;
use std::ptr;
use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering::SeqCst};
use std::time::{Duration, Instant};

use crate::calibration;
use crate::kernel::{Args, VariantFn};

/// The work of one parallel call: chunk indices `0..chunks`, each claimed
/// once through `next` and passed to `task`.
struct Job<'a> {
    task: &'a (dyn Fn(usize) + Sync),
    chunks: usize,
    next: AtomicUsize,
}

impl Job<'_> {
    /// Runs chunks until none is left.
    fn drain(&self) {
        loop {
            let c = self.next.fetch_add(1, SeqCst);
            if c >= self.chunks {
                return;
            }
            (self.task)(c);
        }
    }
}

/// The published job, or null. Only the call that published it clears it.
static SLOT: AtomicPtr<Job<'static>> = AtomicPtr::new(ptr::null_mut());
/// Helpers between "about to read `SLOT`" and "done with what they read": a
/// call clears `SLOT`, then waits for this to reach 0 before its job (on its
/// stack) goes away.
static READING: AtomicUsize = AtomicUsize::new(0);
/// Helpers awake and watching `SLOT`.
static AWAKE: AtomicUsize = AtomicUsize::new(0);

/// A variant's arguments, shared by the threads of one call.
struct Shared(Args);

// SAFETY: each thread runs the variant on its own chunk, a disjoint sub-range
// of the checked buffers, which outlive every reader (the caller waits for
// all of them before returning).
unsafe impl Sync for Shared {}

impl Shared {
    /// Through a method, so a closure captures the `Sync` wrapper, not the field.
    fn args(&self) -> &Args {
        &self.0
    }
}

/// Runs `variant` over `args` in chunks of `chunk` elements on the calling
/// thread and up to `rayon::current_num_threads() - 1` helpers.
pub fn run(variant: VariantFn, args: Args, chunk: usize) {
    let shared = Shared(args);
    let task = |c: usize| {
        let args = shared.args();
        let start = c * chunk;
        let len = chunk.min(args.len - start);
        // SAFETY: `start + len <= args.len`; the pointers and the ISA were
        // checked by `exec` before the call. Variants do not panic.
        unsafe { variant(&args.range(start, len)) }
    };
    run_chunks(args.len.div_ceil(chunk), &task);
}

/// Runs `task` once for each of `0..chunks` on the calling thread and up to
/// `rayon::current_num_threads() - 1` helpers (awake ones first, see above).
pub(crate) fn run_chunks(chunks: usize, task: &(dyn Fn(usize) + Sync)) {
    let job = Job {
        task,
        chunks,
        next: AtomicUsize::new(0),
    };
    let wanted = rayon::current_num_threads()
        .saturating_sub(1)
        .min(chunks.saturating_sub(1));
    // The slot's type erases the job's lifetime: `Published` keeps it alive
    // for as long as any helper can reach it.
    let shared = ptr::from_ref(&job).cast_mut().cast::<Job<'static>>();
    if SLOT.compare_exchange(ptr::null_mut(), shared, SeqCst, SeqCst).is_err() {
        scoped(&job, wanted);
        return;
    }
    // Declared after `job`, so dropped (on return or unwind) before it.
    let _published = Published(shared);
    // Helpers already awake join through the slot; start the missing ones.
    for _ in AWAKE.load(SeqCst).min(wanted)..wanted {
        rayon::spawn(helper);
    }
    job.drain();
}

/// A job in `SLOT`. Dropping it (also when the caller unwinds) unpublishes
/// the job, then waits for helpers still running one of its chunks (or about
/// to find the slot empty), so no helper reads the job after its frame is gone.
struct Published(*mut Job<'static>);

impl Drop for Published {
    fn drop(&mut self) {
        let _ = SLOT.compare_exchange(self.0, ptr::null_mut(), SeqCst, SeqCst);
        while READING.load(SeqCst) != 0 {
            std::hint::spin_loop();
        }
    }
}

/// A helper between reading `SLOT` and finishing with what it read; the count
/// drops even if a chunk unwinds, so a caller never waits forever.
struct Reading;

impl Reading {
    fn start() -> Reading {
        READING.fetch_add(1, SeqCst);
        Reading
    }
}

impl Drop for Reading {
    fn drop(&mut self) {
        READING.fetch_sub(1, SeqCst);
    }
}

/// Helpers bound to this call by a rayon scope, for calls that overlap another.
fn scoped(job: &Job, helpers: usize) {
    rayon::in_place_scope(|scope| {
        for _ in 0..helpers {
            scope.spawn(|_| job.drain());
        }
        job.drain();
    });
}

/// Joins the published job, if any; true if there was one.
fn join() -> bool {
    let _reading = Reading::start();
    let job = SLOT.load(SeqCst);
    let found = !job.is_null();
    if found {
        // SAFETY: the publishing call keeps the job alive until `READING` is 0,
        // which it cannot be before `_reading` drops.
        unsafe { (*job).drain() };
    }
    found
}

thread_local! {
    /// Whether this thread is running `helper` (which may run other rayon
    /// tasks, another helper among them, from inside `yield_now`).
    static HELPING: Cell<bool> = const { Cell::new(false) };
}

/// A helper task: joins published jobs until none has come for the spin time,
/// or rayon has other work for this thread.
fn helper() {
    if HELPING.replace(true) {
        // Started from inside another helper's `yield_now`: one look, no second
        // spin loop on the same stack.
        join();
        return;
    }
    stay_awake();
    HELPING.set(false);
}

fn stay_awake() {
    let spin = Duration::from_nanos(calibration::current().0.helper_spin_ns);
    AWAKE.fetch_add(1, SeqCst);
    let mut deadline = Instant::now() + spin;
    loop {
        // Re-joining a job whose chunks are all claimed returns at once; the
        // caller clears the slot right after its own last chunk.
        if join() {
            deadline = Instant::now() + spin;
            continue;
        }
        let busy = matches!(rayon::yield_now(), Some(rayon::Yield::Executed));
        if busy || Instant::now() >= deadline {
            AWAKE.fetch_sub(1, SeqCst);
            // A call that counted this helper as awake may have published just
            // now; look once more so that its job is not left to the caller.
            join();
            return;
        }
        std::hint::spin_loop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A chunk that unwinds in the calling thread leaves no job published: the
    /// slot is empty afterwards and the next parallel call runs normally.
    #[test]
    fn an_unwinding_call_unpublishes_its_job() {
        unsafe fn panics(_: &Args) {
            panic!("a variant that unwinds");
        }
        unsafe fn doubles(args: &Args) {
            for i in 0..args.len {
                // SAFETY: `run` passes sub-ranges of the buffers below.
                unsafe { *args.out.add(i) = 2.0 * *args.inputs[0].add(i) };
            }
        }
        let input = vec![1.0f32; 1000];
        let mut out = vec![0.0f32; 1000];
        // Addresses, so that the closures below are `Send`.
        let (from, to) = (input.as_ptr() as usize, out.as_mut_ptr() as usize);
        let args = move || Args {
            inputs: [from as *const f32, ptr::null(), ptr::null()],
            out: to as *mut f32,
            len: 1000,
            scalars: [0.0; 4],
        };
        // One thread: no helper runs the panicking chunks (a panic in a rayon
        // task aborts); the caller's own chunk loop unwinds.
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let unwound = pool.install(|| std::panic::catch_unwind(|| run(panics, args(), 100)));
        assert!(unwound.is_err());
        assert!(SLOT.load(SeqCst).is_null(), "the unwound call left its job published");
        run(doubles, args(), 100);
        assert!(out.iter().all(|&v| v == 2.0));
    }
}
