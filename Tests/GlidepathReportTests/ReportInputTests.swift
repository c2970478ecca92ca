import Foundation
import GlidepathReport
import GlidepathTestSupport
import Testing

@Suite("ReportInput: JSON shape and validation")
struct ReportInputTests {
    static func input(cells: [ReportCell]) -> ReportInput {
        ReportInput(
            title: "t", planDescription: "p", scale: "full", machine: "m", codeVersion: "c",
            budget: ReportBudget(cellsPlanned: 2, cellsFinished: 2, trainingSeconds: 1),
            tasks: [ReportTask(name: "adult-mlp", hardTarget: ReportTarget(validationLoss: 0.33, source: "plan"))],
            arms: [ReportArm(name: "constant"), ReportArm(name: "cosine")], baselines: ["constant"], cells: cells)
    }

    @Test("endpoints encode as a keyed object; a missed target is null and reads back as +∞")
    func endpointsRoundTrip() throws {
        let cell = ReportCell(
            task: "adult-mlp", arm: "cosine", seed: 3,
            endpoints: [.testAccuracy: 0.85, .passesToHardTarget: Double?.none])
        let data = try JSONEncoder().encode(cell)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let endpoints = try #require(object["endpoints"] as? [String: Any])
        #expect(endpoints["testAccuracy"] as? Double == 0.85)
        #expect(endpoints["passesToHardTarget"] is NSNull)
        let decoded = try JSONDecoder().decode(ReportCell.self, from: data)
        #expect(decoded == cell)
        #expect(decoded.value(.passesToHardTarget) == .infinity)
        #expect(decoded.value(.testAccuracy) == 0.85)
        #expect(decoded.value(.testAUC) == nil)
    }

    @Test("a miss recorded for one measure of a target makes an absent measure of it a miss, not 'absent'")
    func siblingMiss() {
        // `dictionary[key] = optional.map(...)` with a nil result removes the key; the other measures of the
        // same target still carry the miss.
        var endpoints: [Endpoint: Double?] = [.secondsToHardTarget: Double?.none, .testAccuracy: 0.9]
        let epochs: Int? = nil
        endpoints[.epochsToHardTarget] = epochs.map(Double.init)
        #expect(endpoints[.epochsToHardTarget] == nil)  // the trap: the key is gone
        let cell = ReportCell(task: "adult-mlp", arm: "cosine", seed: 0, endpoints: endpoints)
        #expect(cell.value(.epochsToHardTarget) == .infinity)
        #expect(cell.value(.passesToHardTarget) == .infinity)
        #expect(cell.value(.epochsToEasyTarget) == nil)  // another target: still absent
        #expect(cell.value(.testAUC) == nil)
        var reached = cell
        reached.set(.secondsToHardTarget, 12)
        #expect(reached.value(.epochsToHardTarget) == nil)  // a reach says nothing about an absent measure
    }

    @Test("a whole input round-trips through JSON (a report can be re-made from a saved ReportInput)")
    func inputRoundTrip() throws {
        let input = SyntheticStudy.input()
        let decoded = try JSONDecoder().decode(ReportInput.self, from: try JSONEncoder().encode(input))
        #expect(decoded == input)
    }

    @Test("validation names the offending field")
    func validationNamesField() {
        let unknownArm = Self.input(cells: [ReportCell(task: "adult-mlp", arm: "step", seed: 0, endpoints: [:])])
        #expect(throws: ReportError.unknownArm(field: "cells[0].arm", name: "step")) { try unknownArm.validate() }
        let unknownTask = Self.input(cells: [ReportCell(task: "mnist", arm: "cosine", seed: 0, endpoints: [:])])
        #expect(throws: ReportError.unknownTask(field: "cells[0].task", name: "mnist")) { try unknownTask.validate() }
        let twice = ReportCell(task: "adult-mlp", arm: "cosine", seed: 0, endpoints: [:])
        #expect(throws: ReportError.duplicateCell(task: "adult-mlp", arm: "cosine", seed: 0)) {
            try Self.input(cells: [twice, twice]).validate()
        }
        let infinite = Self.input(cells: [
            ReportCell(
                task: "adult-mlp", arm: "cosine", seed: 0,
                endpoints: [.secondsToHardTarget: .infinity])
        ])
        #expect(
            throws: ReportError.invalidValue(
                field: "cells[0].endpoints.secondsToHardTarget", value: "inf",
                reason: "must be finite (a missed target is null)")
        ) {
            try infinite.validate()
        }
        var badBaseline = Self.input(cells: [])
        badBaseline.baselines = ["step"]
        #expect(throws: ReportError.unknownArm(field: "baselines[0]", name: "step")) { try badBaseline.validate() }
    }
}
