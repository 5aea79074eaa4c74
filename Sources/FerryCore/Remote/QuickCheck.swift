/// rsync's quick check, for `change_detection: mtime`: instead of hashing every file of the
/// running release, the host probe lists the release — type, permission bits, size and
/// modification time (to the nanosecond) of every file and symbolic link — and the agent
/// compares the listing with the one recorded when Ferry finished the release, which the probe
/// sends along with the manifest. Equal listings: the files are taken to be those of the
/// manifest, and nothing is hashed. Different listings: only the regular files whose entry
/// differs from the recorded one (new, or another size, mode or modification time) are hashed,
/// in a second round trip; every other file is taken to be the manifest's. No listing recorded
/// (a release an older Ferry finished, or a service deployed with `content_hash`): the probe
/// hashes every file, as with `content_hash`.
///
/// One `find` lists the releases of every `mtime` service of a host, with no sort and no
/// comparison on the host: the listing is recorded in the order `find` walks the release, which
/// is the order it walks it again as long as no directory of the release changed, so a host in
/// sync is a byte-for-byte comparison of each entry. Entries in another order (a listing an
/// older Ferry recorded sorted, or a directory that changed) are compared as sets.
///
/// Blind spot, by design: an edit that keeps a file's size and puts its modification time back
/// (`touch -r`, `touch -d`, a tool that preserves times) is not seen.
///
/// The listing needs GNU `find -printf`; a host without it is always hashed in full.
enum QuickCheck {
    /// Prints, in the current directory, the NUL-terminated listing `TYPE MODE SIZE MTIME ./PATH`
    /// of every file and symbolic link, in the order `find` walks the tree.
    static let listing = #"find . \( -type f -o -type l \) -printf '%y %m %s %T@ %p\0'"#

    /// The entries of the probe's listing of a release given as `DIR/`: each entry as
    /// ``listing`` prints it (`./%P` is `%p` from inside `DIR`), then the target of a symbolic
    /// link (empty otherwise), as two NUL-terminated fields; `DIR/` itself is the entry
    /// `d MODE SIZE MTIME ./`, and a symbolic link given as a start (`current`) the entry
    /// `l MODE SIZE MTIME ./` with its target.
    static let probeFormat = #"\( -type f -o -type l -o -path '*/' \) -printf '%y %m %s %T@ ./%P\0%l\0'"#

    /// Records the listing of the current directory (a finished release) as `$d/.ferry/manifests/$r.stat`,
    /// written to a temporary file then renamed; removes a stale one on a host that cannot make it.
    static let record = #"""
    if find / -maxdepth 0 -printf '' 2>/dev/null; then
      \#(listing) > "$d/.ferry/manifests/.$r.stat.$$" && mv -f -T -- "$d/.ferry/manifests/.$r.stat.$$" "$d/.ferry/manifests/$r.stat" || { rm -f -- "$d/.ferry/manifests/.$r.stat.$$"; ferry_fail "cannot record the file listing of release $r"; }
    else
      rm -f -- "$d/.ferry/manifests/$r.stat"
    fi

    """#
}
