/// rsync's quick check, for `change_detection: mtime`: instead of hashing every file of the
/// running release, the host probe compares the release's listing — type, permission bits,
/// size and modification time (to the nanosecond) of every file and symbolic link — with the
/// listing recorded when Ferry finished the release. Equal listings: the files are taken to be
/// those of the manifest, and nothing is hashed. Different listings: the probe hashes only the
/// regular files whose entry differs from the recorded one (new, or another size, mode or
/// modification time); every other file is taken to be the manifest's. No listing recorded
/// (a release an older Ferry finished): the probe hashes every file, as with `content_hash`.
///
/// Blind spot, by design: an edit that keeps a file's size and puts its modification time back
/// (`touch -r`, `touch -d`, a tool that preserves times) is not seen.
///
/// The listing needs GNU `find -printf` and `cmp`; a host without them is always hashed in full.
/// Hashing only the changed files also needs GNU `comm -z`, `sed -z` and `xargs -0 -r`
/// (tested once per probe, only when a listing differs); without them every file is hashed.
enum QuickCheck {
    /// Prints, in the current directory, the NUL-terminated listing `TYPE MODE SIZE MTIME ./PATH`
    /// of every file and symbolic link, sorted by bytes (the scripts run with `LC_ALL=C`).
    static let listing = #"find . \( -type f -o -type l \) -printf '%y %m %s %T@ %p\0' | sort -z"#

    /// Sets `ferry_quick_capable` when this host can make the listing (GNU `find -printf`, `cmp`);
    /// follows ``HostStateProbe/functions``, which found out about `find` (`ferry_gnu_find`).
    static let capability = #"""
    if [ -n "$ferry_gnu_find" ] && command -v cmp >/dev/null 2>&1; then ferry_quick_capable=1; else ferry_quick_capable=; fi
    ferry_changed_capable=

    """#

    /// `ferry_quick_check DIR` sets `ferry_walk`: empty when the listing of `DIR/current` equals
    /// the listing recorded for the release the manifest describes (`DIR/.ferry/manifest.stat`),
    /// `changed` when it differs and this host can hash only the changed files, `tree` otherwise.
    ///
    /// `ferry_changed DIR` prints, as NUL-terminated fields, `./PATH` for every regular file of
    /// `DIR/current` whose listing entry is not in the recorded listing, then `HEX  ./PATH` for
    /// each of them it could hash (`sha256sum -z`).
    static let functions = #"""
    ferry_quick_check() {
      ferry_walk=tree
      [ -n "$ferry_quick_capable" ] && [ -f "$1/.ferry/manifest.json" ] && [ -f "$1/.ferry/manifest.stat" ] || return 0
      if ( cd -P -- "$1/current" 2>/dev/null && \#(listing) | cmp -s -- - "$1/.ferry/manifest.stat" ); then
        ferry_walk=
        return 0
      fi
      if [ -z "$ferry_changed_capable" ]; then
        if [ "$(printf 'f 1 2 3 ./a\0' | comm -z -23 -- - /dev/null 2>/dev/null | sed -z -n 's/^f [^ ]* [^ ]* [^ ]* //p' 2>/dev/null | xargs -0 -r printf %s 2>/dev/null)" = ./a ]; then
          ferry_changed_capable=yes
        else
          ferry_changed_capable=no
        fi
      fi
      if [ "$ferry_changed_capable" = yes ]; then ferry_walk=changed; fi
    }
    ferry_changed() {
      ( cd -P -- "$1/current" 2>/dev/null || exit 0
        \#(listing) | comm -z -23 -- - "$1/.ferry/manifest.stat" | sed -z -n 's/^f [^ ]* [^ ]* [^ ]* //p' |
          xargs -0 -r sh -c 'printf "%s\0" "$@"; sha256sum -z -- "$@"' sh )
    }

    """#

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
