//! Compile-time properties: Session is Send and not Sync; the helpers that
//! cross threads are Send (+ Sync where shared).

use ftpkit::{Canceler, Entry, Error, Reply, RetrReader, Session, StorWriter};

fn assert_send<T: Send>() {}
fn assert_sync<T: Sync>() {}

/// Resolves only if `T` is not `Sync`: with a `Sync` type both impls apply
/// and the call is ambiguous, which fails to compile.
trait AmbiguousIfSync<A> {
    fn check() {}
}
impl<T: ?Sized> AmbiguousIfSync<()> for T {}
impl<T: ?Sized + Sync> AmbiguousIfSync<u8> for T {}

#[test]
fn session_is_send_but_not_sync() {
    assert_send::<Session>();
    <Session as AmbiguousIfSync<_>>::check();
    assert_send::<RetrReader<'static>>();
    assert_send::<StorWriter<'static>>();
    assert_send::<Canceler>();
    assert_sync::<Canceler>();
    assert_send::<Error>();
    assert_sync::<Error>();
    assert_send::<Entry>();
    assert_send::<Reply>();
    fn is_std_error<E: std::error::Error + Send + Sync + 'static>() {}
    is_std_error::<Error>();
}

#[test]
fn session_moves_between_threads() {
    let s = Session::new(&ftpkit::Config::new()).unwrap();
    let s = std::thread::spawn(move || {
        assert!(!s.is_connected());
        s
    })
    .join()
    .unwrap();
    drop(s);
}
