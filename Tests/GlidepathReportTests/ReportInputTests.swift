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
        let cell = ReportCell(task: "adult-mlp", arm: "cosine", seed: 3,
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
        let infinite = Self.input(cells: [ReportCell(task: "adult-mlp", arm: "cosine", seed: 0,
                                                      endpoints: [.secondsToHardTarget: .infinity])])
        #expect(throws: ReportError.invalidValue(field: "cells[0].endpoints.secondsToHardTarget", value: "inf",
                                                 reason: "must be finite (a missed target is null)")) {
            try infinite.validate()
        }
        var badBaseline = Self.input(cells: [])
        badBaseline.baselines = ["step"]
        #expect(throws: ReportError.unknownArm(field: "baselines[0]", name: "step")) { try badBaseline.validate() }
    }
}
