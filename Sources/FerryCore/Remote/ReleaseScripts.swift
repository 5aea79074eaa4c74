import FerrySSH
import Foundation

/// The scripts that make, finish, switch to and prune releases of one service.
///
/// A deploy runs them in this order:
/// 1. ``prepare(_:removing:creatingParentsOf:)``: the new release directory, hard links
///    to every file of the current release (`cp -al`), minus the paths that no longer belong;
/// 2. SFTP uploads of the changed files into it, each written to a temporary name and
///    renamed over the old one, which breaks the hard link, so older releases keep their bytes;
/// 3. ``finish(_:modes:symlinks:manifest:)``: permission changes, symbolic links, the manifest;
/// 4. ``switchCurrent(to:)``: `current` now points at the release, atomically;
/// 5. ``prune(keep:protecting:)``: old releases beyond the count to keep.
///
/// Rolling back is ``switchCurrent(to:)`` with the previous release.
public struct ReleaseScripts: Sendable {
    /// The service's layout.
    public let layout: RemoteLayout

    /// The scripts for the service at `layout`.
    public init(layout: RemoteLayout) {
        self.layout = layout
    }

    /// Makes `release` from the release `current` points at (an empty directory when
    /// there is none): every file hard linked, every directory copied; then removes
    /// `removing` (files or directories, relative to the release) and creates the parent
    /// directories of `uploads`, the paths about to be uploaded.
    ///
    /// A leftover directory of the same name from an interrupted attempt is replaced;
    /// the script refuses to touch the release `current` points at.
    public func prepare(_ release: ReleaseName, removing: [String], creatingParentsOf uploads: [String]) throws -> RemoteScript {
        let removals = try removing.map(ReleasePath.validated)
        let directories = ReleasePath.parentDirectories(of: try uploads.map(ReleasePath.validated))
        var text = RemoteShell.prologue + """
        umask 022
        d=\(ShellQuote.quote(layout.root))
        r=\(release.rawValue)
        new="$d/releases/$r"
        mkdir -p -- "$d/releases" || ferry_fail "cannot create $d/releases"
        [ "$(readlink -- "$d/current" 2>/dev/null)" != "releases/$r" ] || ferry_fail "release $r is the current release"
        rm -rf -- "$new"
        mkdir -- "$new" || ferry_fail "cannot create $new"
        if [ -d "$d/current/" ]; then
          cp -al -- "$d/current/." "$new/" || ferry_fail "cannot link the current release's files into $new"
        fi
        cd -- "$new" || ferry_fail "cannot enter $new"

        """
        if !removals.isEmpty {
            text += "rm -rf -- " + removals.map(ReleasePath.word).joined(separator: " ") + " || ferry_fail \"cannot remove old files from $new\"\n"
            let emptied = ReleasePath.parentDirectories(of: removals).reversed()
            if !emptied.isEmpty {
                text += "rmdir -- " + emptied.map(ReleasePath.word).joined(separator: " ") + " 2>/dev/null\n"
            }
        }
        if !directories.isEmpty {
            text += "mkdir -p -- " + directories.map(ReleasePath.word).joined(separator: " ") + " || ferry_fail \"cannot create directories in $new\"\n"
        }
        text += "printf 'prepared %s\\n' \"$r\"\n"
        return try RemoteScript(text: text).checkedLength(purpose: "prepare release \(release)")
    }

    /// Finishes `release` after its uploads: gives each path of `modes` its permission
    /// bits, creates each symbolic link of `symlinks` (path → target text), and stores
    /// `manifest` as `.ferry/manifests/<release>.json`, sent on standard input and
    /// written to a temporary file then renamed. Last, records the release's ``QuickCheck``
    /// listing as `.ferry/manifests/<release>.stat`.
    ///
    /// A file whose mode changes is copied first, so a hard link shared with an older
    /// release is broken and that release keeps its mode. Uploaded files already have
    /// their mode; `modes` is for files whose content did not change.
    public func finish(_ release: ReleaseName, modes: [String: UInt32], symlinks: [String: String], manifest: Manifest) throws -> RemoteScript {
        let modeChanges = try modes.keys.sorted().map { (try ReleasePath.validated($0), modes[$0] ?? 0o644) }
        let links = try symlinks.keys.sorted().map { (try ReleasePath.validated($0), symlinks[$0] ?? "") }
        if let (path, _) = links.first(where: { $0.1.isEmpty || $0.1.utf8.contains(0) }) {
            throw RemoteError(.invalidArgument, "the symbolic link \"\(path)\" needs a target without NUL bytes")
        }
        var text = RemoteShell.prologue + """
        umask 022
        d=\(ShellQuote.quote(layout.root))
        r=\(release.rawValue)
        cd -- "$d/releases/$r" || ferry_fail "release $r does not exist under $d/releases"
        ferry_mode() {
          cp -p -- "$1" "$1.ferry-mode.$$" && chmod "$2" "$1.ferry-mode.$$" && mv -f -T -- "$1.ferry-mode.$$" "$1" || ferry_fail "cannot set the mode of $1"
        }
        ferry_link() {
          rm -rf -- "$2"
          ln -s -- "$1" "$2" || ferry_fail "cannot create the symbolic link $2"
        }

        """
        for (path, mode) in modeChanges {
            text += "ferry_mode \(ReleasePath.word(path)) \(String(mode & 0o7777, radix: 8))\n"
        }
        let linkParents = ReleasePath.parentDirectories(of: links.map(\.0))
        if !linkParents.isEmpty {
            text += "mkdir -p -- " + linkParents.map(ReleasePath.word).joined(separator: " ") + " || ferry_fail \"cannot create directories in release $r\"\n"
        }
        for (path, target) in links {
            text += "ferry_link \(ShellQuote.quote(target)) \(ReleasePath.word(path))\n"
        }
        text += #"""
        mkdir -p -m 0700 -- "$d/.ferry" && mkdir -p -- "$d/.ferry/manifests" || ferry_fail "cannot create $d/.ferry/manifests"
        cat > "$d/.ferry/manifests/.$r.json.$$" && mv -f -T -- "$d/.ferry/manifests/.$r.json.$$" "$d/.ferry/manifests/$r.json" || ferry_fail "cannot write the manifest of release $r"

        """#
        text += QuickCheck.record + "printf 'finished %s\\n' \"$r\"\n"
        return try RemoteScript(text: text, input: manifest.encoded()).checkedLength(purpose: "finish release \(release)")
    }

    /// Points `current` at `release` atomically (a new link under a temporary name,
    /// renamed over `current`, so readers always find a whole release), then installs the
    /// release's manifest as `.ferry/manifest.json` and its ``QuickCheck`` listing as
    /// `.ferry/manifest.stat` (or removes either file when the release has none) and its environment as `.ferry/env` (kept as it is for a release that
    /// stores none). Also the rollback: switch to the previous release.
    public func switchCurrent(to release: ReleaseName) -> RemoteScript {
        RemoteScript(text: RemoteShell.prologue + #"""
        d=\#(ShellQuote.quote(layout.root))
        r=\#(release.rawValue)
        [ -d "$d/releases/$r" ] || ferry_fail "release $r does not exist under $d/releases"
        rm -f -- "$d/.current.$$"
        ln -s -- "releases/$r" "$d/.current.$$" || ferry_fail "cannot create a link in $d"
        mv -f -T -- "$d/.current.$$" "$d/current" || { rm -f -- "$d/.current.$$"; ferry_fail "cannot replace $d/current"; }
        m="$d/.ferry/manifests/$r.json"
        if [ -f "$m" ]; then
          cp -- "$m" "$d/.ferry/.manifest.json.$$" && mv -f -T -- "$d/.ferry/.manifest.json.$$" "$d/.ferry/manifest.json" || ferry_fail "cannot install the manifest of release $r"
        else
          rm -f -- "$d/.ferry/manifest.json"
        fi
        l="$d/.ferry/manifests/$r.stat"
        if [ -f "$l" ]; then
          cp -- "$l" "$d/.ferry/.manifest.stat.$$" && mv -f -T -- "$d/.ferry/.manifest.stat.$$" "$d/.ferry/manifest.stat" || ferry_fail "cannot install the file listing of release $r"
        else
          rm -f -- "$d/.ferry/manifest.stat"
        fi
        e="$d/.ferry/settings/$r/env"
        if [ -f "$e" ]; then
          cp -p -- "$e" "$d/.ferry/.env.$$" && mv -f -T -- "$d/.ferry/.env.$$" "$d/.ferry/env" || { rm -f -- "$d/.ferry/.env.$$"; ferry_fail "cannot install the environment of release $r"; }
        fi
        printf 'switched %s\n' "$r"

        """#)
    }

    /// Stores what `release` runs with besides its files: its environment file (sent on
    /// standard input, never in the script's text) as `.ferry/settings/<release>/env`, mode
    /// 0600, written to a temporary file then renamed. ``switchCurrent(to:)`` installs it.
    public func storeSettings(_ release: ReleaseName, environment: Data) -> RemoteScript {
        RemoteScript(text: RemoteShell.prologue + #"""
        umask 077
        d=\#(ShellQuote.quote(layout.root))
        s="$d/.ferry/settings/\#(release.rawValue)"
        mkdir -p -m 0700 -- "$d/.ferry" && mkdir -p -- "$s" || ferry_fail "cannot create $s"
        cat > "$s/.env.$$" && chmod 600 "$s/.env.$$" && mv -f -T -- "$s/.env.$$" "$s/env" || { rm -f -- "$s/.env.$$"; ferry_fail "cannot write $s/env"; }
        printf 'stored %s\n' "$s"

        """#, input: environment)
    }

    /// Marks `release` as changed on the host (`.ferry/tainted/<release>`, holding `reason`):
    /// no rollback switches to it again, and pruning removes it like any other.
    public func taint(_ release: ReleaseName, reason: String) -> RemoteScript {
        RemoteScript(text: RemoteShell.prologue + #"""
        d=\#(ShellQuote.quote(layout.root))
        mkdir -p -m 0700 -- "$d/.ferry" && mkdir -p -- "$d/.ferry/tainted" || ferry_fail "cannot create $d/.ferry/tainted"
        printf '%s\n' \#(ShellQuote.quote(reason)) > "$d/.ferry/tainted/\#(release.rawValue)" || ferry_fail "cannot mark release \#(release.rawValue)"
        printf 'tainted %s\n' \#(release.rawValue)

        """#)
    }

    /// Removes release directories (and their manifests and listings) beyond the newest `keep` by name,
    /// never the one `current` points at nor any of `protecting` (the release `current`
    /// pointed at before the switch). Prints `pruned <release>` per release removed;
    /// read with ``parsePruned(_:)``.
    public func prune(keep: Int, protecting: [ReleaseName]) -> RemoteScript {
        let protected = protecting.isEmpty ? "" : "      " + protecting.map(\.rawValue).joined(separator: "|") + ") continue ;;\n"
        return RemoteScript(text: RemoteShell.prologue + #"""
        d=\#(ShellQuote.quote(layout.root))
        current=$(readlink -- "$d/current" 2>/dev/null)
        current=${current##*/}
        count=0
        for p in "$d"/releases/*; do
          case ${p##*/} in \#(ReleaseName.shellPattern)) [ -d "$p" ] && count=$((count + 1)) ;; esac
        done
        excess=$((count - \#(max(0, keep))))
        for p in "$d"/releases/*; do
          [ "$excess" -gt 0 ] || break
          name=${p##*/}
          case $name in \#(ReleaseName.shellPattern)) ;; *) continue ;; esac
          [ -d "$p" ] || continue
          excess=$((excess - 1))
          [ "$name" != "$current" ] || continue
          case $name in
        \#(protected)    esac
          rm -rf -- "$p" || ferry_fail "cannot remove $p"
          rm -f -- "$d/.ferry/manifests/$name.json" "$d/.ferry/manifests/$name.stat" "$d/.ferry/tainted/$name"
          rm -rf -- "$d/.ferry/settings/$name"
          printf 'pruned %s\n' "$name"
        done

        """#)
    }

    /// The releases ``prune(keep:protecting:)`` removed, oldest first.
    public static func parsePruned(_ output: Data) -> [ReleaseName] {
        String(decoding: output, as: UTF8.self).split(separator: "\n").compactMap { line in
            line.hasPrefix("pruned ") ? ReleaseName(rawValue: String(line.dropFirst("pruned ".count))) : nil
        }
    }
}
