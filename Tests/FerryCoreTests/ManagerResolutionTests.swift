import FerryConfig
import FerryGit
import Foundation
import Testing
@testable import FerryCore

/// `run.manager: auto` (issue 12, hosts without systemd): resolved per host into `systemd` or
/// `process` in one place, so that what is stored and compared is the same as with an
/// explicit manager; `systemd` on a host without it is a problem with the fix.
@Suite("Manager resolution (unit)")
struct ManagerResolutionTests {
    private typealias Fixture = ReleaseSettingsUnitTests

    private static func service(_ manager: String) throws -> Service {
        try Fixture.service(Fixture.config(manager: manager))
    }

    @Test func autoIsTheDefault() throws {
        let yaml = """
            hosts:
              h0: { address: 127.0.0.1, user: deploy }
            services:
              web:
                hosts: [h0]
                sources: ["web/**"]
                remote_dir: /srv/web
                run: { command: "python3 web/server.py" }

            """
        #expect(try Fixture.service(yaml).run.manager == .auto)
    }

    @Test func autoIsSystemdWhereSystemdRunsAndProcessElsewhere() throws {
        let auto = try Self.service("auto")
        #expect(auto.resolvingManager(hostRunsSystemd: true).run.manager == .systemd)
        #expect(auto.resolvingManager(hostRunsSystemd: false).run.manager == .process)
        #expect(auto.resolvingManager(hostRunsSystemd: nil).run.manager == .systemd)
        #expect(ResolvedManager(run: auto.run, hostRunsSystemd: false).description == "process (auto: no systemd on this host)")
        #expect(ResolvedManager(run: auto.run, hostRunsSystemd: true).description == "systemd (auto: systemd runs on this host)")
        #expect(ResolvedManager(run: auto.run, hostRunsSystemd: false).problem == nil)
        for manager in ["systemd", "process"] {
            let explicit = try Self.service(manager)
            for runsSystemd in [true, false, nil] as [Bool?] {
                #expect(explicit.resolvingManager(hostRunsSystemd: runsSystemd).run.manager.rawValue == manager)
            }
        }
    }

    @Test func systemdOnAHostWithoutItIsAProblemWithTheFix() throws {
        let systemd = try Self.service("systemd")
        #expect(ResolvedManager(run: systemd.run, hostRunsSystemd: false).problem
            == "this host does not run systemd: set run.manager: process, or auto")
        #expect(ResolvedManager(run: systemd.run, hostRunsSystemd: true).problem == nil)
        #expect(ResolvedManager(run: systemd.run, hostRunsSystemd: nil).problem == nil)
        #expect(ResolvedManager(run: try Self.service("process").run, hostRunsSystemd: false).problem == nil)
    }

    @Test func autoStaysSystemdForWhatOnlySystemdProvides() throws {
        var run = try Self.service("auto").run
        run.lifecycle = .onDemand(idleTimeout: .seconds(60), maxLifetime: nil)
        run.backendPort = 8081
        let resolved = ResolvedManager(run: run, hostRunsSystemd: false)
        #expect(resolved.manager == .systemd)
        #expect(resolved.problem?.contains("this host does not run systemd, which `lifecycle: on_demand` needs") == true)
        run.lifecycle = .transient(idleTimeout: .seconds(60), maxLifetime: nil)
        #expect(ResolvedManager(run: run, hostRunsSystemd: false).problem?.contains("which `backend_port` needs") == true)
    }

    @Test func anAutoReleaseOnAHostWithoutSystemdStoresWhatManagerProcessStores() throws {
        let auto = try Self.service("auto"), process = try Self.service("process"), systemd = try Self.service("systemd")
        func settings(_ service: Service) throws -> ReleaseSettings {
            try ReleaseSettings(service: service, remote: try RemoteService(service: service), variables: Fixture.defaultVariables)
        }
        let withoutSystemd = auto.resolvingManager(hostRunsSystemd: false)
        #expect(try settings(withoutSystemd) == settings(process))
        #expect(try settings(withoutSystemd).run.manager == "process")
        #expect(try settings(auto).run.manager == "systemd")
        #expect(try settings(auto) == settings(systemd))

        var desired = try Fixture.desired(try settings(auto))
        desired.settingsWithoutSystemd = try settings(withoutSystemd)
        var observed = ObservedService.absent
        observed.hostRunsSystemd = false
        let onHost = ServiceOnHost(auto, desired: desired, observed: observed)
        #expect(onHost.service.run.manager == .process)
        #expect(onHost.desired.settings == (try settings(process)))
        #expect(onHost.desired.settingsDifferences(from: try settings(process)).isEmpty)
        observed.hostRunsSystemd = true
        #expect(ServiceOnHost(auto, desired: desired, observed: observed).desired.settings == (try settings(systemd)))
    }

    @Test func theProbeOfAnAutoServiceChoosesOnTheHost() throws {
        let probe = try HostStateProbe(services: [try RemoteService(service: try Self.service("auto"))])
        let text = probe.script.text
        #expect(text.contains("'ferry_probe' 'web' '/srv/web' 'auto' 'ferry-web.service' '--system'"), "\(text)")
        #expect(text.contains(#"if [ "$3" = process ] || { [ "$3" = auto ] && [ ! -d /run/systemd/system ]; }; then"#))
        let explicit = try HostStateProbe(services: [try RemoteService(service: try Self.service("systemd"))])
        #expect(explicit.script.text.contains("'ferry_probe' 'web' '/srv/web' 'systemd' 'ferry-web.service' '--system'"))
    }
}
