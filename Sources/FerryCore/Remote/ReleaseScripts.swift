import FerrySSH
import Foundation

/// The scripts that make, finish, switch to and prune releases of one service.
///
/// A deploy runs them in this order:
/// 1. ``prepare(_:removing:)``: the new release directory, hard links to every file of the
///    current release (`cp -al`), minus the paths that no longer belong;
/// 2. ``unpack(into:files:staging:environment:)``: the changed files, the manifest and the
///    environment, as one tar stream into one `tar -x`, which replaces a path by unlinking it
///    first (breaking the hard link, so older releases keep their bytes), then one flush to disk;
/// 3. ``setModesAndLinks(in:modes:symlinks:)``: permission changes, symbolic links;
/// 4. ``finish(_:listing:)``: the manifest published (the release is complete), and the
///    quick-check listing for `change_detection: mtime`;
/// 5. ``switchCurrent(to:)``: `current` now points at the release, atomically;
/// 6. ``prune(keep:protecting:)``: old releases beyond the count to keep.
///
/// Rolling back is ``switchCurrent(to:)`` with the previous release.
///
/// Lists of paths travel on standard input, NUL-separated, and are read by `xargs -0`: a
/// script's text has the same size whatever the size of the change, so no change is too
/// large for a command line.
public struct ReleaseScripts: Sendable {
    /// The service's layout.
    public let layout: RemoteLayout

    /// The scripts for the service at `layout`.
    public init(layout: RemoteLayout) {
        self.layout = layout
    }

    /// Makes `release` from the release `current` points at (an empty directory when
    /// there is none): every file hard linked, every directory copied; then removes
    /// `removing` (files or directories, relative to the release) and, when it removed
    /// anything, every directory left empty (a release holds files, never empty directories).
    ///
    /// A leftover directory of the same name from an interrupted attempt is replaced;
    /// the script refuses to touch the release `current` points at.
    public func prepare(_ release: ReleaseName, removing: [String]) throws -> RemoteScript {
        let removals = try removing.map(ReleasePath.validated)
        var text = RemoteShell.prologue + """
        umask 022
        d=\(ShellQuote.quote(layout.root))
        r=\(release.rawValue)
        new="$d/releases/$r"
        if [ -e "$new" ] || [ -L "$new" ]; then
          [ ! "$d/current" -ef "$new" ] || ferry_fail "release $r is the current release"
          rm -rf -- "$new"
        fi
        if [ -d "$d/current/" ] && [ -d "$d/releases" ]; then
          cp -al -- "$d/current/" "$new" || ferry_fail "cannot link the current release's files into $new"
        else
          mkdir -p -- "$new" || ferry_fail "cannot create $new"
        fi
        cd -- "$new" || ferry_fail "cannot enter $new"

        """
        if !removals.isEmpty {
            text += """
            xargs -0 rm -rf -- || ferry_fail "cannot remove old files from $new"
            find . -depth -type d ! -name . -exec rmdir -- {} + 2>/dev/null

            """
        }
        text += "printf 'prepared %s\\n' \"$r\"\n"
        return RemoteScript(text: text, input: removals.isEmpty ? nil : Self.list(removals.map { "./" + $0 }))
    }

    /// Writes `files` (path relative to the release → bytes and permission bits) into `release`,
    /// together with what the release runs with — `manifest` staged as
    /// `.ferry/settings/<release>/manifest.json` and `environment` as `.ferry/settings/<release>/env`
    /// (mode 0600, in a directory of mode 0700) — as one stream: an in-process ``TarArchive`` on
    /// standard input, read by one `tar -x` in the service's directory, which creates the
    /// directories they need. `tar` unlinks a path before writing it, so a hard link shared with
    /// an older release keeps the older release's bytes. Then one flush of the file system
    /// (`sync -f`, plain `sync` where `sync` has no `-f`), so no later switch can point at bytes
    /// still in memory: one flush per release, not one per file. The release is complete only
    /// once ``finish(_:listing:)`` has published its manifest.
    public func unpack(into release: ReleaseName, files: [(path: String, contents: Data, mode: UInt32)],
                       staging manifest: Manifest, environment: Data?) throws -> RemoteScript {
        try unpack(into: release, files: files, staging: manifest.encoded(), environment: environment)
    }

    /// ``unpack(into:files:staging:environment:)`` with the manifest already encoded (``Manifest/encoded()``).
    public func unpack(into release: ReleaseName, files: [(path: String, contents: Data, mode: UInt32)],
                       staging staged: Data, environment: Data?) throws -> RemoteScript {
        // The manifest and environment go in twice: kept in the settings, staged for the switch.
        let sizes = files.map(\.contents.count) + [staged.count, environment?.count ?? 0, staged.count, environment?.count ?? 0]
        // Room for every file, the six directories' and the link's headers, so the stream never grows.
        var archive = TarArchive(capacity: TarArchive.estimatedSize(ofFiles: sizes) + 7 * TarArchive.blockSize)
        let releasePrefix = "releases/" + release.rawValue + "/"
        for file in files {
            archive.addFile(releasePrefix + (try ReleasePath.validated(file.path)), contents: file.contents, mode: file.mode & 0o7777)
        }
        let settings = ".ferry/settings/" + release.rawValue
        archive.addDirectory(".ferry", mode: 0o700)
        archive.addDirectory(".ferry/manifests", mode: 0o755)
        archive.addDirectory(".ferry/\(Self.switchingDirectory)", mode: 0o700)
        archive.addDirectory(".ferry/settings", mode: 0o700)
        archive.addDirectory(settings, mode: 0o700)
        archive.addFile(settings + "/" + Self.stagedManifest, contents: staged, mode: 0o644)
        if let environment { archive.addFile(settings + "/" + Self.stagedEnvironment, contents: environment, mode: 0o600) }
        // What the switch renames into place, made here so that it runs no `ln -s` or `cp`
        // (``switchCurrent(to:)``): `current`'s next link, the manifest and the environment.
        let switching = ".ferry/\(Self.switchingDirectory)/" + release.rawValue
        archive.addDirectory(switching, mode: 0o700)
        archive.addFile(switching + "/" + Self.stagedManifest, contents: staged, mode: 0o644)
        if let environment { archive.addFile(switching + "/" + Self.stagedEnvironment, contents: environment, mode: 0o600) }
        archive.addSymlink(Self.stagedCurrent(release), target: "releases/" + release.rawValue)
        let text = RemoteShell.prologue + #"""
        umask 022
        d=\#(ShellQuote.quote(layout.root))
        r=\#(release.rawValue)
        [ -d "$d/releases/$r" ] || ferry_fail "release $r does not exist under $d/releases"
        tar -x -o -p -m -f - -C "$d" || ferry_fail "cannot write the new files into $d/releases/$r"
        if ! e=$(sync -f -- "$d/releases/$r" 2>&1); then
          case $e in *"invalid option"*|*"unrecognized option"*) sync ;; *) ferry_fail "cannot flush $d/releases/$r to disk: $e" ;; esac
        fi
        printf 'unpacked %s\n' "$r"

        """#
        return RemoteScript(text: text, input: archive.finish())
    }

    /// The name of the manifest staged in a release's settings directory by ``unpack(into:files:staging:environment:)``.
    static let stagedManifest = "manifest.json"
    /// The name of the environment file in a release's settings directory.
    static let stagedEnvironment = "env"
    /// Where ``switchCurrent(to:)`` copies the manifest and environment it installs, under `.ferry`.
    static let switchingDirectory = ".switching"
    /// The link to `release` the upload stages next to `current`, which the switch renames over it.
    static func stagedCurrent(_ release: ReleaseName) -> String { ".current." + release.rawValue }

    /// Gives each path of `modes` its permission bits and creates each symbolic link of
    /// `symlinks` (path → target text) in `release`, replacing whatever is at its path.
    ///
    /// A file whose mode changes is copied first, so a hard link shared with an older
    /// release is broken and that release keeps its mode. Uploaded files already have
    /// their mode; `modes` is for files whose content did not change.
    public func setModesAndLinks(in release: ReleaseName, modes: [String: UInt32], symlinks: [String: String]) throws -> RemoteScript {
        let modeChanges = try modes.keys.sorted().map { (try ReleasePath.validated($0), modes[$0] ?? 0o644) }
        let links = try symlinks.keys.sorted().map { (try ReleasePath.validated($0), symlinks[$0] ?? "") }
        if let (path, _) = links.first(where: { $0.1.isEmpty || $0.1.utf8.contains(0) }) {
            throw RemoteError(.invalidArgument, "the symbolic link \"\(path)\" needs a target without NUL bytes")
        }
        // One word each: `m<octal mode>/<path>`, or `l<path>//<target>` (a release path never holds `//`).
        let entries = modeChanges.map { "m" + String($0.1 & 0o7777, radix: 8) + "/" + $0.0 } + links.map { "l" + $0.0 + "//" + $0.1 }
        let apply = #"""
        for a do
          case $a in
          m*)
            m=${a%%/*} p=./${a#*/}
            cp -p -- "$p" "$p.ferry-mode.$$" && chmod "${m#m}" "$p.ferry-mode.$$" && mv -f -T -- "$p.ferry-mode.$$" "$p" ||
              { printf 'ferry: cannot set the mode of %s\n' "$p" >&2; exit 255; }
            ;;
          l*)
            a=${a#l}
            p=./${a%%//*} t=${a#*//}
            [ -d "${p%/*}" ] || mkdir -p -- "${p%/*}" || { printf 'ferry: cannot create the directory of %s\n' "$p" >&2; exit 255; }
            if [ -e "$p" ] || [ -L "$p" ]; then rm -rf -- "$p"; fi
            ln -s -- "$t" "$p" || { printf 'ferry: cannot create the symbolic link %s\n' "$p" >&2; exit 255; }
            ;;
          esac
        done
        """#
        var text = RemoteShell.prologue + """
        umask 022
        d=\(ShellQuote.quote(layout.root))
        r=\(release.rawValue)
        cd -- "$d/releases/$r" || ferry_fail "release $r does not exist under $d/releases"

        """
        if !entries.isEmpty {
            text += "xargs -0 sh -c \(ShellQuote.quote(apply)) ferry || exit 1\n"
        }
        text += "printf 'adjusted %s\\n' \"$r\"\n"
        return RemoteScript(text: text, input: entries.isEmpty ? nil : Self.list(entries))
    }

    /// Finishes `release` once its files, modes and links are in place: publishes the manifest
    /// ``unpack(into:files:staging:environment:)`` staged as `.ferry/manifests/<release>.json`
    /// (a hard link made in one step: the file appears whole, and a release with a manifest is
    /// complete); with `listing`, first records the release's ``QuickCheck`` listing as
    /// `.ferry/manifests/<release>.stat` (only `change_detection: mtime` reads it).
    public func finish(_ release: ReleaseName, listing: Bool) -> RemoteScript {
        let text = RemoteShell.prologue + #"""
        umask 022
        d=\#(ShellQuote.quote(layout.root))
        r=\#(release.rawValue)
        s="$d/.ferry/settings/$r"
        cd -- "$d/releases/$r" || ferry_fail "release $r does not exist under $d/releases"
        [ -f "$s/\#(Self.stagedManifest)" ] || ferry_fail "the manifest of release $r was not written"
        [ -d "$d/.ferry/manifests" ] || mkdir -p -- "$d/.ferry/manifests" || ferry_fail "cannot create $d/.ferry/manifests"

        """# + (listing ? QuickCheck.record : "") + #"""
        if [ -e "$d/.ferry/manifests/$r.json" ] || [ -L "$d/.ferry/manifests/$r.json" ]; then rm -f -- "$d/.ferry/manifests/$r.json"; fi
        ln -- "$s/\#(Self.stagedManifest)" "$d/.ferry/manifests/$r.json" || ferry_fail "cannot write the manifest of release $r"
        printf 'finished %s\n' "$r"

        """#
        return RemoteScript(text: text)
    }

    /// `entries` as a NUL-separated list, for `xargs -0`.
    private static func list(_ entries: [String]) -> Data {
        var data = Data()
        for entry in entries {
            data.append(contentsOf: entry.utf8)
            data.append(0)
        }
        return data
    }

    /// Points `current` at `release` atomically (a new link under a temporary name,
    /// renamed over `current`, so readers always find a whole release), then installs the
    /// release's manifest as `.ferry/manifest.json`, its ``QuickCheck`` listing as
    /// `.ferry/manifest.stat` (removed for a release that has none) and its environment as
    /// `.ferry/env` (kept as it is for a release that stores none), renamed into place
    /// together by one `mv` (each rename atomic). The upload staged the link
    /// (`.current.<release>`) and copies of the manifest and environment
    /// (`.ferry/.switching/<release>/`), so a deploy's switch runs no `ln -s` or `cp`; a
    /// release switched to again (a rollback) has them made now: the link, and copies of its
    /// settings in `.ferry/.switching`. A release an older Ferry made, without a staged
    /// manifest, has its manifest installed from `.ferry/manifests` first.
    public func switchCurrent(to release: ReleaseName) -> RemoteScript {
        RemoteScript(text: RemoteShell.prologue + #"""
        d=\#(ShellQuote.quote(layout.root))
        r=\#(release.rawValue)
        f="$d/.ferry"
        s="$f/settings/$r"
        [ -d "$d/releases/$r" ] || ferry_fail "release $r does not exist under $d/releases"
        if [ -L "$d/.current.$r" ]; then
          mv -f -T -- "$d/.current.$r" "$d/current" || ferry_fail "cannot replace $d/current"
        else
          if [ -e "$d/.current.$$" ] || [ -L "$d/.current.$$" ]; then rm -f -- "$d/.current.$$"; fi
          ln -s -- "releases/$r" "$d/.current.$$" || ferry_fail "cannot create a link in $d"
          mv -f -T -- "$d/.current.$$" "$d/current" || { rm -f -- "$d/.current.$$"; ferry_fail "cannot replace $d/current"; }
        fi
        t="$f/\#(Self.switchingDirectory)"
        l="$f/manifests/$r.stat"
        set --
        if [ -f "$t/$r/\#(Self.stagedManifest)" ] && [ -f "$f/manifests/$r.json" ]; then
          # Staged by the upload: renamed into place as they are.
          set -- "$t/$r/\#(Self.stagedManifest)"
          if [ -f "$t/$r/\#(Self.stagedEnvironment)" ]; then set -- "$@" "$t/$r/\#(Self.stagedEnvironment)"; fi
          t="$t/$r"
        else
          if [ -f "$s/\#(Self.stagedManifest)" ] && [ -f "$f/manifests/$r.json" ]; then
            set -- "$s/\#(Self.stagedManifest)"
          elif [ -f "$f/manifests/$r.json" ]; then
            cp -- "$f/manifests/$r.json" "$f/.manifest.json.$$" && mv -f -T -- "$f/.manifest.json.$$" "$f/manifest.json" || ferry_fail "cannot install the manifest of release $r"
          elif [ -e "$f/manifest.json" ]; then
            rm -f -- "$f/manifest.json"
          fi
          if [ -f "$s/\#(Self.stagedEnvironment)" ]; then set -- "$@" "$s/\#(Self.stagedEnvironment)"; fi
          if [ "$#" -gt 0 ]; then
            [ -d "$t" ] || mkdir -m 0700 -- "$t" || ferry_fail "cannot create $t"
            cp -p -- "$@" "$t/" || ferry_fail "cannot install the manifest and environment of release $r"
            for ferry_file do set -- "$@" "$t/${ferry_file##*/}"; shift; done
          fi
        fi
        if [ -f "$l" ]; then
          [ -d "$t" ] || mkdir -m 0700 -- "$t" || ferry_fail "cannot create $t"
          cp -- "$l" "$t/manifest.stat" || ferry_fail "cannot install the file listing of release $r"
          set -- "$@" "$t/manifest.stat"
        fi
        if [ "$#" -gt 0 ]; then
          mv -f -t "$f" -- "$@" || ferry_fail "cannot install the manifest, environment and file listing of release $r"
        fi
        if [ ! -f "$l" ] && [ -e "$f/manifest.stat" ]; then rm -f -- "$f/manifest.stat"; fi
        printf 'switched %s\n' "$r"

        """#)
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
          [ ! "$p" -ef "$d/current" ] || continue
          case $name in
        \#(protected)    esac
          rm -rf -- "$p" || ferry_fail "cannot remove $p"
          rm -f -- "$d/.ferry/manifests/$name.json" "$d/.ferry/manifests/$name.stat" "$d/.ferry/tainted/$name" "$d/.current.$name"
          rm -rf -- "$d/.ferry/settings/$name" "$d/.ferry/\#(Self.switchingDirectory)/$name"
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
