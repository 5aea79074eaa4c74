import FerryCore
import Foundation

/// Progress on a terminal: one line per host and per service on a host, redrawn in place as
/// steps change, each with the time spent in its step ("web-1 api: still health check
/// attempt 3/10 [12s elapsed]"), redrawn every second while the run goes on; the final
/// lines stay on the screen when the run ends.
final class LiveProgressView: ProgressSink, @unchecked Sendable {
    private struct Row {
        var subject: String
        var text: String
        var colour: TerminalStyle.Colour?
        var since: ContinuousClock.Instant
        var done: Bool
    }

    private let style: TerminalStyle
    private let write: @Sendable (String) -> Void
    private let width: Int
    private let lock = NSLock()
    private var header = "ferry reconcile: fetching the config repository"
    private let started = ContinuousClock.now
    private var rows: [Row] = []
    private var drawnLines = 0
    private var ticker: Task<Void, Never>?
    private var stopped = false

    /// A view that writes with `write` to a terminal of `width` columns, styled as `style`.
    init(style: TerminalStyle, width: Int = LiveProgressView.terminalWidth(), write: @escaping @Sendable (String) -> Void) {
        self.style = style
        self.width = max(width, 20)
        self.write = write
        ticker = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                guard let self, !Task.isCancelled else { return }
                self.lock.withLock { self.redraw() }
            }
        }
    }

    deinit { ticker?.cancel() }

    func receive(_ event: ProgressEvent) {
        lock.withLock {
            guard !stopped else { return }
            switch event {
            case .runStarted(let runID):
                header = "ferry reconcile \(runID): fetching the config repository"
            case .configLoaded(let revision, let changed, _):
                header = "ferry reconcile \(revision.prefix(7))"
                    + (changed.isEmpty ? "" : " (changed: \(changed.joined(separator: ", ")))")
            case .step(let host, let service, let step):
                let colour: TerminalStyle.Colour? = switch step {
                case .unreachable, .rollingBack: .yellow
                default: nil
                }
                update(ProgressWording.subject(host: host, service: service), step.description, colour: colour,
                       done: { if case .unreachable = step { true } else { step == .reached } }())
            case .finished(let result):
                finish(result)
            case .runFinished(let report, let duration):
                for result in report.results where !rows.contains(where: { $0.subject == "\(result.host) \(result.service)" && $0.done }) {
                    finish(result)
                }
                header = style.paint(ProgressWording.finished(report, duration: duration), report.converged ? .green : .red)
                stop()
            case .runFailed(let error, _):
                header = style.paint("ferry reconcile stopped: \(error)", .red)
                stop()
            }
            if !stopped { redraw() }
        }
    }

    /// Stops the ticker and leaves the last frame on the screen.
    func close() {
        lock.withLock { if !stopped { stop() } }
    }

    private func finish(_ result: HostResult) {
        let colour: TerminalStyle.Colour = switch result.outcome {
        case .rolledBack: .yellow
        case _ where result.outcome.isFailure: .red
        default: .green
        }
        update("\(result.host) \(result.service)", ProgressWording.outcome(result), colour: colour, done: true)
    }

    private func update(_ subject: String, _ text: String, colour: TerminalStyle.Colour?, done: Bool) {
        let row = Row(subject: subject, text: text, colour: colour, since: .now, done: done)
        if let index = rows.firstIndex(where: { $0.subject == subject }) { rows[index] = row } else { rows.append(row) }
    }

    /// Called with the lock held: the final frame, then no more drawing.
    private func stop() {
        stopped = true
        ticker?.cancel()
        redraw()
    }

    /// Called with the lock held: moves up over the previous frame and draws the current one.
    private func redraw() {
        let now = ContinuousClock.now
        var lines = [stopped ? header : "\(header) \(style.paint(ProgressWording.elapsed(now - started), .dim))"]
        for row in rows {
            let elapsed = now - row.since
            let still = !row.done && !stopped && elapsed >= .seconds(10) ? "still " : ""
            let timing = row.done || stopped ? "" : " " + style.paint(ProgressWording.elapsed(elapsed), .dim)
            let text = row.colour.map { style.paint(still + row.text, $0) } ?? still + row.text
            lines.append("  \(style.paint(row.subject, .bold)): \(text)\(timing)")
        }
        var frame = drawnLines > 0 ? "\u{1B}[\(drawnLines)F\u{1B}[J" : ""
        for line in lines { frame += truncated(line) + "\n" }
        drawnLines = lines.count
        write(frame)
    }

    /// `line` cut to the terminal's width (escape codes do not count), so no line wraps and
    /// moving up over the frame stays exact.
    private func truncated(_ line: String) -> String {
        var visible = 0, result = "", inEscape = false
        for character in line {
            if character == "\u{1B}" { inEscape = true }
            if inEscape {
                result.append(character)
                if character.isLetter { inEscape = false }
                continue
            }
            guard visible < width - 1 else { continue }
            result.append(character)
            visible += 1
        }
        return style.colour && visible >= width - 1 ? result + "\u{1B}[0m" : result
    }

    /// The width of the terminal on standard error, 100 when it cannot be read.
    static func terminalWidth() -> Int {
        var size = winsize()
        guard ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 100 }
        return Int(size.ws_col)
    }
}
