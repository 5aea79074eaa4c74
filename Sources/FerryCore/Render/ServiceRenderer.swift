import FerryConfig

/// The artifacts of one service, from the same generators the reconcile deploys with:
/// the systemd units (unless `manager: process`), a standalone deploy script, a
/// health-check script, and Prometheus alerting rules (Ferry's own and the service's).
public enum ServiceRenderer {
    /// Everything `ferry render SERVICE` writes, in a stable order.
    public static func artifacts(for service: Service, in configuration: FerryConfiguration) throws -> [RenderedArtifact] {
        let remote: RemoteService
        do {
            remote = try RemoteService(service: service)
        } catch {
            throw RenderError("service \(service.name): \(error)")
        }
        var artifacts: [RenderedArtifact] = []
        var units: [SystemdUnitFile] = []
        if case .systemd(let scope) = remote.manager {
            do {
                units = try SystemdUnit.files(remote, scope: scope)
            } catch {
                throw RenderError("service \(service.name): \(error)")
            }
            artifacts += units.map { RenderedArtifact(name: $0.name, kind: "systemd unit", text: $0.text) }
        }
        let hosts = configuration.hosts.filter { service.hosts.contains($0.name) }
        let health = HealthCheckScript(service: service, remote: remote)
        artifacts.append(RenderedArtifact(name: health.fileName, kind: "health-check script", text: health.render(), isExecutable: true))
        let deploy = DeployScript(service: service, remote: remote, hosts: hosts, units: units, healthCheckFile: health.fileName)
        artifacts.append(RenderedArtifact(name: deploy.fileName, kind: "deploy script", text: try deploy.render(), isExecutable: true))
        artifacts.append(RenderedArtifact(name: AlertRules.ferryFileName, kind: "Prometheus rules (Ferry)", text: AlertRules.ferry()))
        artifacts.append(RenderedArtifact(name: AlertRules.fileName(for: service), kind: "Prometheus rules (service)", text: AlertRules.service(service)))
        return artifacts
    }
}
