import FerrySSH
import Foundation

/// Reads the actual state of every service of one host in one round trip: whether its
/// directory exists, where `current` points, the manifest, the SHA-256 of every file of
/// the current release (or, for `change_detection: mtime`, the release's ``QuickCheck``
/// listing and the one recorded at deploy), the release directories, whether the service runs,
/// and whether systemd runs on the host (`/run/systemd/system` exists).
///
/// One pass for the whole host, whatever the number of services and files: one `find` prints
/// the sizes of the files the agent reads whole — manifests it holds no copy of, recorded
/// listings, `mtime` services' environment files, units — and one `cat` sends them all (the
/// agent hashes the settings files); one `find` lists every `content_hash` service's `current`
/// link and release tree (type, mode, size, path, link target) and hashes their files
/// (`-exec sha256sum {} +`: GNU `find` flushes its records before each batch, so the hashes
/// come between whole records), with the environment files and the manifests the agent holds
/// (``ManifestStore``) as start points hashed alike; one `find` lists every `mtime` service's
/// release with modification times, compared by the agent with the recorded listing. The rest
/// is shell built-ins (plus `systemctl` per systemd service, and `base64` for a lock or journal
/// file, which exist only while a deploy runs or after it was cut short). A host with nothing
/// changed runs four processes with `content_hash` when the agent holds its manifests (`sh`,
/// two `find`, `sha256sum`) and five with `mtime` (`sh`, three `find`, `cat`), one `find`
/// testing for GNU find.
///
/// The output is a stream of NUL-terminated fields, so no file name (spaces, newlines,
/// quotes) can break it; ``read(_:)`` reads it back byte by byte. When a manifest the agent
/// holds is not the host's (another SHA-256), ``Reading/manifestRead`` reads the host's in a
/// second round trip; when an `mtime` listing differs from the recorded one,
/// ``Reading/followUp`` hashes the files whose entry changed in another. The scripts only read: `ferry drift` runs them too. They need a POSIX
/// shell, GNU `find` (`-printf`; without it every file is hashed), coreutils (`sha256sum`,
/// `cat`, `base64`).
public struct HostStateProbe: Sendable {
    /// The services probed, in order.
    public let services: [RemoteService]
    /// The manifests the agent holds for `content_hash` services (``ManifestStore``), by
    /// service name: the host hashes each such manifest instead of sending it.
    let known: [String: ManifestStore.Known]
    /// Whether the host's last probe found GNU find, so this one does not test for it.
    let hostHasGNUFind: Bool

    /// A probe of `services`, whose names must be distinct.
    public init(services: [RemoteService]) throws {
        try self.init(services: services, known: [:])
    }

    /// A probe of `services` (names distinct) for which the agent holds the manifests `known`,
    /// of a host whose last probe found GNU find when `hostHasGNUFind`.
    init(services: [RemoteService], known: [String: ManifestStore.Known], hostHasGNUFind: Bool = false) throws {
        var seen = Set<String>()
        for service in services where !seen.insert(service.name).inserted {
            throw RemoteError(.invalidArgument, "service \(service.name) is probed twice")
        }
        self.services = services
        self.known = known.filter { name, _ in services.contains { $0.name == name && !$0.quickCheck } }
        self.hostHasGNUFind = hostHasGNUFind
    }

    /// Whether the host hashes the manifest of `service` in the walk (the agent holds one for it).
    func hashesManifest(of service: RemoteService) -> Bool {
        known[service.name] != nil
    }

    /// Sets `ferry_gnu_find` when the host's `find` is GNU find (it has `-printf`): one process.
    static let gnuFindCheck = "if find / -maxdepth 0 -printf '' 2>/dev/null; then ferry_gnu_find=1; else ferry_gnu_find=; fi\n"

    /// The field that starts the probe's output, after anything a login script printed.
    static let header = "FERRY-PROBE-2"
    /// The field that ends it.
    static let trailer = "FERRY-PROBE-END"

    /// The script: shared functions, one line per service, then the host-wide passes.
    public var script: RemoteScript {
        let quick = services.contains(where: \.quickCheck)
        var text = RemoteShell.prologue + RemoteShell.processFunctions + Self.functions
        // A host whose last probe found GNU find is not asked again (``ManifestStore``); were it
        // gone since, its `-printf` fails and the probe with it, and the next run asks.
        text += hostHasGNUFind ? "ferry_gnu_find=1\n" : Self.gnuFindCheck
        text += "printf '\\n\(Self.header)\\0'\n"
        text += "if [ -n \"$ferry_gnu_find\" ]; then ferry_field gnu-find yes; else ferry_field gnu-find no; fi\n"
        text += "if [ -d /run/systemd/system ]; then ferry_field systemd yes; else ferry_field systemd no; fi\n"
        for (index, service) in services.enumerated() {
            let words = ["ferry_probe", service.name, service.layout.root] + Self.managerWords(service) + (service.quickCheck ? ["quick"] : [])
            text += ShellQuote.command(words) + "\nferry_walk_\(index)=$ferry_walk\n"
        }
        text += Self.pass("manifests", then: "sizes", run: "ferry_sizes \"$@\"", services.enumerated().flatMap { index, service in
            let manifest = ShellQuote.quote(service.layout.manifest)
            var files = hashesManifest(of: service) ? [] : [("\(index)", "[ -f \(manifest) ]", manifest)]
            if service.quickCheck {
                let recorded = ShellQuote.quote(service.layout.stateDirectory + "/manifest.stat")
                files.append(("\(index)s", "[ \"$ferry_walk_\(index)\" = list ] && [ -f \(recorded) ]", recorded))
            }
            return files + Self.settingsFiles(service).filter { kind, _ in service.quickCheck || kind != "e" }.map { kind, path in
                ("\(index)\(kind)", "[ -f \(path) ]", path)
            }
        })
        // The manifests the agent holds and the environment files of `content_hash` services are
        // hashed by the walk's `sha256sum`, not sent.
        let hashedFiles = services.enumerated().filter { !$0.element.quickCheck }.flatMap { index, service in
            Self.hashedFiles(service, manifest: hashesManifest(of: service)).map { kind, path in
                ("\(index)\(Character(Unicode.Scalar(kind)))", "[ -f \(ShellQuote.quote(path)) ]", ShellQuote.quote(path))
            }
        }
        let links = services.enumerated().map { index, service in
            ("\(index)l", "[ -L \(ShellQuote.quote(service.layout.current)) ]", ShellQuote.quote(service.layout.current))
        }
        let trees = services.enumerated().map { index, service in
            (index: index, test: "[ -d \(ShellQuote.quote(service.layout.current + "/")) ]", path: ShellQuote.quote(service.layout.current + "/"))
        }
        text += Self.pass("walk", then: "records", run: "ferry_list \"$@\"", hashedFiles + (quick ? [] : links) + trees.map { tree in
            ("\(tree.index)t", "[ \"$ferry_walk_\(tree.index)\" = tree ] && \(tree.test)", tree.path)
        })
        if quick {
            text += Self.pass("listing", then: "entries", run: "ferry_listing \"$@\"", links + trees.compactMap { tree in
                services[tree.index].quickCheck ? ("\(tree.index)q", "[ \"$ferry_walk_\(tree.index)\" = list ] && \(tree.test)", tree.path) : nil
            })
        }
        text += "ferry_field \(Self.trailer)\n"
        return RemoteScript(text: text)
    }

    /// One host-wide pass: the field `name`, then for each of `items` whose test holds, its
    /// label as a field and its path as an argument; then the field `then`, then what `run`
    /// prints for all the arguments (nothing when there are none).
    private static func pass(_ name: String, then: String, run: String, _ items: [(label: String, test: String, path: String)]) -> String {
        var text = "ferry_field \(name)\nset --\n"
        for item in items {
            text += "if \(item.test); then ferry_field \(item.label); set -- \"$@\" \(item.path); fi\n"
        }
        return text + "ferry_field \(then)\nif [ $# -gt 0 ]; then \(run); fi\n"
    }

    /// The files of a `content_hash` service the walk lists as start points for `sha256sum` to
    /// hash, by kind: the manifest (`m`, when the agent holds one) and the environment file
    /// (`e`), each as the path `find` prints.
    static func hashedFiles(_ service: RemoteService, manifest: Bool) -> [(UInt8, String)] {
        (manifest ? [(UInt8(ascii: "m"), service.layout.manifest)] : []) + [(UInt8(ascii: "e"), service.layout.root + "/.ferry/env")]
    }

    /// The settings files whose SHA-256 the probe reports, labelled `e` (environment) and `u`
    /// (systemd unit), each as a shell word.
    private static func settingsFiles(_ service: RemoteService) -> [(String, String)] {
        var files = [("e", ShellQuote.quote(service.layout.root + "/.ferry/env"))]
        switch service.manager {
        case .process: break
        case .systemd(.system): files.append(("u", ShellQuote.quote("/etc/systemd/system/" + service.unitName)))
        case .systemd(.user): files.append(("u", "\"${XDG_CONFIG_HOME:-$HOME/.config}/systemd/user/\"" + ShellQuote.quote(service.unitName)))
        }
        return files
    }

    /// `process`, `systemd UNIT --system|--user`, or `auto UNIT --system|--user` (`manager: auto`:
    /// systemd where `/run/systemd/system` exists, the pid file elsewhere).
    private static func managerWords(_ service: RemoteService) -> [String] {
        if service.managerChosenOnHost, case .systemd(let scope) = service.manager {
            return ["auto", service.unitName, scope.systemctlOption]
        }
        return switch service.manager {
        case .process: ["process", "", ""]
        case .systemd(let scope): ["systemd", service.unitName, scope.systemctlOption]
        }
    }

    /// `ferry_probe NAME DIR MANAGER UNIT SCOPE [quick]` prints, as NUL-terminated fields:
    /// `service NAME`, `directory yes|no`, [`lock BASE64`], [`journal BASE64`], `tainted NAME`…,
    /// `release NAME`…, `status KIND DETAIL`, `end-service`; it sets `ferry_walk` to `list` when
    /// the release is to be listed for the ``QuickCheck`` (`quick`, GNU `find`, a manifest and a
    /// recorded listing), to `tree` when its files are to be listed and hashed.
    /// `ferry_sizes FILE…` prints the size of each file (of what a symbolic link leads to) as a
    /// field, then the files' contents back to back. `ferry_listing START…` prints the
    /// ``QuickCheck/probeFormat`` entries of each start.
    /// `ferry_tree DIR` (for ``ReleaseVerifier``) prints `tree`, `e HEXMODE SIZE ./PATH`…,
    /// `hashes`, `HEX  ./PATH`…, `links`, `./PATH TARGET`…, `end`.
    static let functions = #"""
    ferry_field() { printf '%s\0' "$@"; }
    ferry_systemd_status() {
      if command -v systemctl >/dev/null 2>&1; then
        ferry_field status systemd "$(systemctl "$2" is-active -- "$1" 2>/dev/null)"
      else
        ferry_field status unknown 'systemctl not found'
      fi
    }
    ferry_tree() {
      (
        cd -P -- "$1" 2>/dev/null || exit 0
        ferry_field tree
        find . \( -type f -o -type l \) -exec stat --printf 'e\0%f\0%s\0%n\0' -- {} +
        ferry_field hashes
        find . -type f -exec sha256sum -z -- {} +
        ferry_field links
        find . -type l -exec sh -c 'for f do printf "%s\0" "$f"; readlink -n -- "$f"; printf "\0"; done' sh {} +
        ferry_field end
      )
    }
    ferry_sizes() {
      if [ -n "$ferry_gnu_find" ]; then
        find -H "$@" -maxdepth 0 -printf '%s\0'
      else
        for ferry_file do ferry_size=$(wc -c < "$ferry_file"); printf '%s\0' $ferry_size; done
      fi
      cat -- "$@"
    }
    ferry_list() {
      if [ -n "$ferry_gnu_find" ]; then find "$@" -printf '%y\0%m\0%s\0%P\0%l\0' \( -type f -exec sha256sum -z -- {} + \); return; fi
      for ferry_start do
        case $ferry_start in
        */) (
              cd -P -- "$ferry_start" || exit 0
              printf 'd\0%s\0%s\0\0\0' 755 0
              find . -type f -exec stat --printf 'f\0%a\0%s\0%n\0\0' -- {} +
              find . -type l -exec sh -c 'for f do printf "l\0%s\0%s\0%s\0" 777 0 "$f"; readlink -n -- "$f"; printf "\0"; done' sh {} +
            ) ;;
        *) if [ -L "$ferry_start" ]; then
             printf 'l\0%s\0%s\0\0' 777 0; readlink -n -- "$ferry_start"; printf '\0'
           else
             ferry_size=$(wc -c < "$ferry_start"); printf 'f\0%s\0%s\0\0\0' 644 $ferry_size
           fi ;;
        esac
      done
      find "$@" -type f -exec sha256sum -z -- {} +
    }
    ferry_listing() {
      if [ -n "$ferry_gnu_find" ]; then find "$@" \#(QuickCheck.probeFormat); return; fi
      for ferry_start do
        case $ferry_start in
        */) ;;
        *) printf 'l 777 0 0 ./\0'; readlink -n -- "$ferry_start"; printf '\0' ;;
        esac
      done
    }
    ferry_probe() {
      ferry_field service "$1"
      if [ -d "$2" ]; then ferry_field directory yes; else ferry_field directory no; fi
      if [ -f "$2/.ferry/lock" ]; then
        printf 'lock\0'
        base64 < "$2/.ferry/lock"
        printf '\0'
      fi
      if [ -f "$2/.ferry/journal" ]; then
        printf 'journal\0'
        base64 < "$2/.ferry/journal"
        printf '\0'
      fi
      for ferry_tainted in "$2"/.ferry/tainted/*; do
        if [ -f "$ferry_tainted" ]; then ferry_field tainted "${ferry_tainted##*/}"; fi
      done
      for ferry_release in "$2"/releases/*; do
        if [ -d "$ferry_release" ] && [ ! -L "$ferry_release" ]; then ferry_field release "${ferry_release##*/}"; fi
      done
      if [ "$3" = process ] || { [ "$3" = auto ] && [ ! -d /run/systemd/system ]; }; then
        ferry_process_status "$2/.ferry/pid"
        ferry_field status "$ferry_status" "$ferry_status_detail"
      else
        ferry_systemd_status "$4" "$5"
      fi
      ferry_walk=tree
      if [ "$6" = quick ] && [ -n "$ferry_gnu_find" ] && [ -f "$2/.ferry/manifest.json" ] && [ -f "$2/.ferry/manifest.stat" ]; then
        ferry_walk=list
      fi
      ferry_field end-service
    }

    """#
}
